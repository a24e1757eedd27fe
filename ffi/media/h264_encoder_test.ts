import assert from "node:assert/strict";
import { run, withTempDir } from "../../tests/media/media_tools.ts";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { BufferTooSmallError, NativeError } from "../native/errors.ts";
import { FramePool } from "../transport/frame_pool.ts";
import { H264Encoder } from "./h264_encoder.ts";
import {
  UnsupportedPixelFormatError,
  UnsupportedPlatformError,
  UnsupportedVideoSizeError,
} from "./media_errors.ts";

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum);
}

Deno.test("H264Encoder.encode() writes Annex B that ffmpeg decodes frame for frame above 30 dB", async () => {
  await withTempDir(async (dir) => {
    const [w, h, frames] = [320, 240, 30];
    using encoder = H264Encoder.create({
      width: w,
      height: h,
      bitrate: 1_500_000,
      keyframeInterval: 10,
      backend: "openh264",
    });
    assert.equal(encoder.backend, "openh264");
    const renderer = new TestPatternRenderer("I420", w, h);
    const sources: Uint8Array[] = [];
    const out = new Uint8Array(encoder.maxAccessUnitBytes);
    const stream: Uint8Array<ArrayBuffer>[] = [];
    const keyframes: number[] = [];
    for (let n = 0; n < frames; n++) {
      const data = new Uint8Array(renderer.byteLength);
      renderer.render(n, data);
      sources.push(data);
      const length = encoder.encode({ format: "I420", data, timestampNs: n * 1e6 }, out);
      assert.ok(length > 0, `frame ${n} produced nothing`);
      assert.equal(encoder.timestampNs, n * 1e6);
      if (encoder.keyframe) keyframes.push(n);
      stream.push(out.slice(0, length));
    }
    assert.deepEqual(keyframes, [0, 10, 20]);
    const sets = encoder.parameterSets();
    assert.deepEqual([...sets.subarray(0, 5)], [0, 0, 0, 1, 0x67]);
    const path = `${dir}/pattern.h264`;
    await Deno.writeFile(path, new Uint8Array(await new Blob(stream).arrayBuffer()));
    const decoded = (await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "h264",
      "-i",
      path,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "yuv420p",
      "-",
    ])).stdout;
    assert.equal(decoded.length, frames * renderer.byteLength);
    for (let n = 0; n < frames; n++) {
      const frame = decoded.subarray(n * renderer.byteLength, (n + 1) * renderer.byteLength);
      const quality = psnr(frame, sources[n]);
      assert.ok(quality > 30, `frame ${n}: PSNR ${quality.toFixed(1)} dB`);
    }
  });
});

Deno.test("H264Encoder.encodeSlot() reads a pool slot in place and matches encode()", () => {
  const [w, h] = [64, 48];
  const renderer = new TestPatternRenderer("NV12", w, h);
  using pool = FramePool.create({ slotBytes: 64 + renderer.byteLength, slotCount: 2 });
  const slot = pool.acquire();
  renderer.render(4, pool.bytes(slot).subarray(64));
  const copy = pool.bytes(slot).slice(64, 64 + renderer.byteLength);
  const outputs = [];
  for (const fromSlot of [true, false]) {
    using encoder = H264Encoder.create({ width: w, height: h, backend: "openh264" });
    const out = new Uint8Array(encoder.maxAccessUnitBytes);
    const n = fromSlot
      ? encoder.encodeSlot(pool, slot, 64, "NV12", 7, out)
      : encoder.encode({ format: "NV12", data: copy, timestampNs: 7 }, out);
    outputs.push(out.slice(0, n));
  }
  assert.ok(outputs[0].length > 0);
  assert.deepEqual(outputs[0], outputs[1]);
  pool.release(slot);
});

Deno.test("H264Encoder forces keyframes and hands a too-large access unit over on request", () => {
  using encoder = H264Encoder.create({
    width: 64,
    height: 48,
    keyframeInterval: 0,
    backend: "openh264",
  });
  const data = new Uint8Array(64 * 48 * 4).fill(200);
  const frame = { format: "RGBA" as const, data, timestampNs: 0 };
  const out = new Uint8Array(encoder.maxAccessUnitBytes);
  const flags = [0, 1, 2, 3].map((n) => (encoder.encode(frame, out, n === 3), encoder.keyframe));
  assert.deepEqual(flags, [true, false, false, true]);
  assert.throws(() => encoder.encode(frame, new Uint8Array(4), true), (e: unknown) => {
    assert.ok(e instanceof BufferTooSmallError);
    assert.ok(e.needed > 4, String(e.needed));
    return true;
  });
  const n = encoder.readPending(out);
  assert.ok(n > 4 && encoder.keyframe);
  assert.equal(encoder.readPending(out), 0, "nothing pending after the read");
});

Deno.test("H264Encoder refuses bad sizes, formats, frames and other OSes' backends with typed errors", () => {
  assert.throws(
    () => H264Encoder.create({ width: 641, height: 480 }),
    (e: unknown) => e instanceof UnsupportedVideoSizeError && e.width === 641,
  );
  assert.throws(
    () => H264Encoder.create({ width: 4096, height: 2160, backend: "openh264" }),
    (e: unknown) =>
      e instanceof UnsupportedVideoSizeError && /3840x2160/.test(e.message) && e.height === 2160,
  );
  if (Deno.build.os !== "darwin") {
    assert.throws(
      () => H264Encoder.create({ width: 64, height: 48, backend: "videotoolbox" }),
      (e: unknown) =>
        e instanceof UnsupportedPlatformError && e.os === Deno.build.os &&
        e.supported.includes("darwin") && /not supported on this OS/.test(e.message),
    );
  }
  using encoder = H264Encoder.create({ width: 64, height: 48 });
  const out = new Uint8Array(encoder.maxAccessUnitBytes);
  assert.throws(
    () =>
      encoder.encode(
        // deno-lint-ignore no-explicit-any
        { format: "YUY2" as any, data: new Uint8Array(64 * 48 * 2), timestampNs: 0 },
        out,
      ),
    (e: unknown) => e instanceof UnsupportedPixelFormatError && e.valid.includes("NV12"),
  );
  assert.throws(
    () => encoder.encode({ format: "I420", data: new Uint8Array(100), timestampNs: 0 }, out),
    (e: unknown) =>
      e instanceof NativeError &&
      /Invalid I420 frame length: 100 bytes, expected 4608/.test(e.message),
  );
  encoder.close();
  encoder.close();
  assert.throws(
    () => encoder.encode({ format: "I420", data: new Uint8Array(4608), timestampNs: 0 }, out),
    /closed/,
  );
});
