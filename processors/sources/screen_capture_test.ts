import assert from "node:assert/strict";
import { connectLocal, InputBinding, type ProcessContext, type VideoFrame } from "../../mod.ts";
import { DeviceError, DeviceNotFoundError } from "../../ffi/native/errors.ts";
import { runForLeaks } from "../../tests/fixtures/runtime/leak_rig.ts";
import { createRuntime } from "../mod.ts";
import { UnsupportedPlatformError } from "../../ffi/media/media_errors.ts";
import { withXvfb } from "../../tests/media/xvfb.ts";
import { screenCaptureNode } from "./screen_capture.gen.ts";
import { createProcessContext } from "../../mod.ts";

Deno.test("ScreenCapture writes frames of the X display, stamped on the media clock", async () => {
  if (Deno.build.os !== "linux") return;
  await withXvfb(96, 64, async ({ display }) => {
    const ports = screenCaptureNode.ports();
    const capture = screenCaptureNode.create({ display, fps: 60, pixelFormat: "BGRA" }, ports);
    const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
    connectLocal(ports.output("video"), sink, { capacity: 4, policy: "latest" });
    const clock = { nowNs: () => performance.now() * 1e6 };
    const ctx: ProcessContext = createProcessContext("screen", { clock });
    const before = clock.nowNs();
    await capture.setup(ctx);
    let frame: VideoFrame | undefined;
    for (let i = 0; i < 200 && !frame; i++) {
      await new Promise((r) => setTimeout(r, 10));
      capture.process(ctx);
      frame = sink.read();
    }
    assert.ok(frame, "a frame within 2 s");
    assert.deepEqual([frame.width, frame.height, frame.format, frame.stride], [
      96,
      64,
      "BGRA",
      384,
    ]);
    assert.ok(frame.slot !== undefined && frame.data.length === 96 * 64 * 4);
    assert.ok(frame.timestampNs >= before && frame.timestampNs <= clock.nowNs(), "capture time");
    // Xvfb's default root window is black and white stipple; every pixel is opaque.
    assert.ok(frame.data.every((b, i) => i % 4 !== 3 || b === 255));
    capture.teardown();
    capture.teardown();
    // The frame the sink holds outlives the capture: its slot stays valid until it is released.
    assert.equal(frame.data.length, 96 * 64 * 4);
    (frame as unknown as { release(): void }).release();
    assert.throws(() => frame!.data, { name: "FrameReleasedError" });
  });
});

Deno.test("ScreenCapture fails setup with DeviceNotFoundError for a missing display", async () => {
  const capture = screenCaptureNode.create({ display: ":248" });
  const ctx = { node: "screen", clock: { nowNs: () => 0 } };
  await assert.rejects(
    () => capture.setup(ctx),
    (e: unknown) =>
      Deno.build.os === "linux"
        ? e instanceof DeviceNotFoundError
        : e instanceof UnsupportedPlatformError,
  );
});

/** A TCP port for X display `n` (6000 + n) where a server accepts and never answers. */
function silentXServer(): { display: string; close(): void } {
  for (let n = 150; n < 250; n++) {
    try {
      // Never accepted from JS: the kernel completes the TCP handshake from the listen backlog.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 6000 + n });
      return { display: `127.0.0.1:${n}`, close: () => listener.close() };
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("No free port for a silent X server in 6150..6249");
}

Deno.test("ScreenCapture against an X server that accepts and never answers fails setup with DeviceError (timed out), not a hang", async () => {
  if (Deno.build.os !== "linux") return;
  const server = silentXServer();
  try {
    const capture = screenCaptureNode.create({ display: server.display });
    await assert.rejects(
      () => capture.setup(createProcessContext("screen")),
      (e: unknown) =>
        e instanceof DeviceError && /did not answer within 1000 ms/.test((e as Error).message) &&
        (e as Error).message.includes(server.display),
    );
  } finally {
    server.close();
  }
});

Deno.test("ScreenCapture on a silent X server: the node fails at setup and the runtime stops", async () => {
  if (Deno.build.os !== "linux") return;
  const server = silentXServer();
  try {
    await using rt = createRuntime({ workers: false });
    const errors: string[] = [];
    rt.on((e) => e.type === "node-error" && errors.push(`${e.node} ${e.phase} ${e.name}`));
    rt.add("ScreenCapture", { display: server.display }, { id: "screen" });
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("screen", "video", "sink", "in");
    await rt.start();
    await rt.stop();
    assert.deepEqual(errors, ["screen setup DeviceError"]);
  } finally {
    server.close();
  }
});

Deno.test("ScreenCapture in a runtime, its frames read in one isolate and in a Worker, leaks none", async () => {
  if (Deno.build.os !== "linux") return;
  await withXvfb(64, 48, async ({ display }) => {
    for (const worker of [false, true]) {
      const { leaks, problems } = await runForLeaks(
        (rt, placement) => {
          rt.add("ScreenCapture", { display, fps: 60, pixelFormat: "I420" }, { id: "screen" });
          rt.add("VideoScale", { width: 32, height: 24 }, { id: "scale", placement });
          rt.add("NullSink", {}, { id: "sink" });
          rt.connectByName("screen", "video", "scale", "in", { capacity: 8, policy: "fifo" });
          rt.connectByName("scale", "out", "sink", "in");
        },
        (rt) => rt.stats().nodes.sink.framesIn >= 10,
        { worker },
      );
      assert.deepEqual(problems, [], `worker: ${worker}`);
      assert.deepEqual(leaks, [], `worker: ${worker}`);
    }
  });
});
