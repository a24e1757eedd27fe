import assert from "node:assert/strict";
import {
  BufferTooSmallError,
  DeviceError,
  DeviceNotFoundError,
  FramePool,
  listCaptureDevices,
  NativeCapture,
  NativeError,
  UnsupportedError,
  UnsupportedPixelFormatError,
} from "../../ffi/mod.ts";
import { Runtime } from "../../mod.ts";
import { NullSink, ScreenCapture } from "../../processors/mod.ts";
import { convertFrame } from "../../processors/video/color_convert.ts";
import { run, withTempDir } from "./media_tools.ts";
import { withImageShown, withXvfb } from "./xvfb.ts";

const [W, H] = [320, 240];

/** SMPTE bars as XWD (for xwud) and as raw BGRA (the expected capture). */
async function bars(dir: string): Promise<{ xwd: string; bgra: Uint8Array }> {
  const xwd = `${dir}/bars.xwd`;
  const source = ["-v", "error", "-f", "lavfi", "-i", `smptebars=size=${W}x${H}`, "-frames:v", "1"];
  await run("ffmpeg", [...source, "-pix_fmt", "bgra", xwd]);
  const bgra = (await run("ffmpeg", [...source, "-f", "rawvideo", "-pix_fmt", "bgra", "-"])).stdout;
  for (let i = 3; i < bgra.length; i += 4) bgra[i] = 255;
  return { xwd, bgra };
}

async function nextFrame(capture: NativeCapture) {
  for (let i = 0; i < 200; i++) {
    const frame = capture.pollLatest();
    if (frame) return { ...frame };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no frame captured within 2 s");
}

Deno.test("NativeCapture captures what Xvfb shows, pixel for pixel, in BGRA and in I420", async () => {
  await withTempDir(async (dir) => {
    const { xwd, bgra } = await bars(dir);
    await withXvfb(W, H, async ({ display }) => {
      await withImageShown(display, xwd, async () => {
        const screens = listCaptureDevices("screen", { display });
        assert.deepEqual(screens[0].modes[0], { width: W, height: H, rate: 30, format: "BGRX" });
        using pool = FramePool.create({ slotBytes: 64 + W * H * 4, slotCount: 8 });
        {
          using capture = NativeCapture.open({
            kind: "screen",
            device: display,
            pool,
            pixelFormat: "BGRA",
            fps: 60,
          });
          assert.deepEqual([capture.width, capture.height, capture.pixelFormat], [W, H, "BGRA"]);
          const frame = await nextFrame(capture);
          assert.equal(frame.byteLength, W * H * 4);
          assert.equal(frame.format, "BGRA");
          const pixels = pool.bytes(frame.slot).subarray(64, 64 + frame.byteLength);
          assert.deepEqual(pixels, bgra);
          pool.release(frame.slot);
        }
        using capture = NativeCapture.open({
          kind: "screen",
          device: display,
          pool,
          pixelFormat: "I420",
          x: 40,
          y: 20,
          width: 160,
          height: 120,
        });
        const frame = await nextFrame(capture);
        const region = new Uint8Array(160 * 120 * 4);
        for (let row = 0; row < 120; row++) {
          const start = ((20 + row) * W + 40) * 4;
          region.set(bgra.subarray(start, start + 160 * 4), row * 160 * 4);
        }
        const expected = new Uint8Array(160 * 120 * 3 / 2);
        convertFrame(region, "BGRA", expected, "I420", 160, 120);
        assert.deepEqual(pool.bytes(frame.slot).subarray(64, 64 + frame.byteLength), expected);
        pool.release(frame.slot);
        const stats = capture.stats();
        assert.ok(stats.running && stats.captured >= 1 && stats.failureStatus === 0);
      });
    });
  });
});

Deno.test("NativeCapture reports a display that goes away as a DeviceError failure", async () => {
  await withXvfb(64, 48, async ({ display, kill }) => {
    using pool = FramePool.create({ slotBytes: 64 + 64 * 48 * 4, slotCount: 4 });
    using capture = NativeCapture.open({
      kind: "screen",
      device: display,
      pool,
      pixelFormat: "RGBA",
    });
    const frame = await nextFrame(capture);
    pool.release(frame.slot);
    await kill();
    for (let i = 0; i < 200 && capture.stats().running; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const stats = capture.stats();
    assert.equal(stats.running, false);
    assert.equal(stats.failureStatus, new DeviceError("", "").code);
    assert.match(capture.failure() ?? "", /^Device error in X11 screen capture: GetImage/);
  });
});

Deno.test("NativeCapture refuses missing devices, bad regions, small slots and other OSes' capture with typed errors", async () => {
  using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
  assert.throws(
    () => NativeCapture.open({ kind: "screen", device: ":249", pool }),
    (e: unknown) =>
      e instanceof DeviceNotFoundError &&
      /No such X11 display: cannot connect to :249/.test(e.message),
  );
  assert.throws(
    () => NativeCapture.open({ kind: "camera", device: "/dev/video77", pool }),
    (e: unknown) =>
      e instanceof DeviceNotFoundError && /No such camera: \/dev\/video77/.test(e.message),
  );
  assert.throws(
    () => NativeCapture.open({ kind: "screen", pixelFormat: "NV12", pool }),
    (e: unknown) => e instanceof UnsupportedPixelFormatError && e.format === "NV12",
  );
  if (Deno.build.os === "linux") {
    assert.throws(
      () => NativeCapture.open({ kind: "microphone", pool }),
      (e: unknown) => e instanceof UnsupportedError && /macOS only/.test(e.message),
    );
    assert.throws(() => listCaptureDevices("microphone"), UnsupportedError);
  }
  await withXvfb(64, 48, ({ display }) => {
    assert.throws(
      () => NativeCapture.open({ kind: "screen", device: display, pool, x: 60, width: 10 }),
      (e: unknown) =>
        e instanceof NativeError &&
        /Unsupported size for X11 screen capture: 10x48/.test(e.message),
    );
    assert.throws(
      () => NativeCapture.open({ kind: "screen", device: display, pool, pixelFormat: "BGRA" }),
      (e: unknown) => e instanceof BufferTooSmallError && e.needed === 64 + 64 * 48 * 4,
    );
  });
  assert.equal(pool.stats().inUse, 0);
});

Deno.test("ScreenCapture in a runtime is a pull node: the capture wakes it, no loop period, one run per frame", async () => {
  if (Deno.build.os !== "linux") return;
  await withXvfb(96, 64, async ({ display }) => {
    await using rt = new Runtime();
    const screen = rt.add(ScreenCapture, { display, fps: 30, pixelFormat: "BGRA" }, {
      id: "screen",
    });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(screen.outputs.video, sink.inputs.in);
    await rt.start();
    await new Promise((r) => setTimeout(r, 1000));
    const node = rt.describe().nodes.find((n) => n.id === "screen")!;
    await rt.stop();

    assert.equal(node.mode, "pull");
    assert.equal(node.failure, null);
    const { calls, framesOut, periodNs } = node.stats;
    assert.equal(periodNs, null); // no loop: nothing runs it on a clock
    assert.ok(framesOut >= 15 && framesOut <= 40, `${framesOut} frames in 1 s at 30 fps`);
    // Woken only when a frame waits: (nearly) every run writes one, unlike a poll at a period.
    assert.ok(calls <= framesOut + 2, `${calls} runs for ${framesOut} frames`);
    assert.equal(rt.stats().nodes.sink.framesIn, framesOut);
  });
});
