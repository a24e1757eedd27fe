import assert from "node:assert/strict";
import { connectLocal, InputBinding, type ProcessContext, type VideoFrame } from "../mod.ts";
import { DeviceNotFoundError } from "../ffi/errors.ts";
import { UnsupportedPlatformError } from "../ffi/media_errors.ts";
import { withXvfb } from "../tests/media/xvfb.ts";
import { screenCaptureNode } from "./screen_capture.gen.ts";

Deno.test("ScreenCapture writes frames of the X display, stamped on the media clock", async () => {
  if (Deno.build.os !== "linux") return;
  await withXvfb(96, 64, async ({ display }) => {
    const ports = screenCaptureNode.ports();
    const capture = screenCaptureNode.create({ display, fps: 60, pixelFormat: "BGRA" }, ports);
    const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
    connectLocal(ports.output("video"), sink, { capacity: 4, policy: "latest" });
    const clock = { nowNs: () => performance.now() * 1e6 };
    const ctx: ProcessContext = { node: "screen", clock };
    const before = clock.nowNs();
    capture.setup(ctx);
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
  });
});

Deno.test("ScreenCapture fails setup with DeviceNotFoundError for a missing display", () => {
  const capture = screenCaptureNode.create({ display: ":248" });
  const ctx = { node: "screen", clock: { nowNs: () => 0 } };
  assert.throws(
    () => capture.setup(ctx),
    (e: unknown) =>
      Deno.build.os === "linux"
        ? e instanceof DeviceNotFoundError
        : e instanceof UnsupportedPlatformError,
  );
});
