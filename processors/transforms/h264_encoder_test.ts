import assert from "node:assert/strict";
import {
  connectLocal,
  type EncodedVideoFrame,
  InputBinding,
  type MediaClock,
  OutputBinding,
  type ProcessContext,
  type VideoFrame,
} from "../../mod.ts";
import { ConfigValidationError } from "../../mod.ts";
import { InvalidArgumentError } from "../../ffi/native/errors.ts";
import {
  H264_BITRATE_MAX,
  H264_BITRATE_MIN,
  H264_THREADS_MAX,
  H264Encoder as NativeH264Encoder,
} from "../../ffi/media/h264_encoder.ts";
import {
  UnsupportedPixelFormatError,
  UnsupportedPlatformError,
  UnsupportedVideoSizeError,
} from "../../ffi/media/media_errors.ts";
import { h264DecoderNode } from "./h264_decoder.gen.ts";
import { h264EncoderNode } from "./h264_encoder.gen.ts";
import { testPatternNode } from "../sources/test_pattern.gen.ts";
import { TestPatternRenderer } from "../video/test_pattern.ts";
import { createProcessContext } from "../../mod.ts";

const clock: MediaClock = { nowNs: () => 1_000 };
const ctx: ProcessContext = createProcessContext("codec", { clock });

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum);
}

Deno.test("H264Encoder and H264Decoder carry TestPattern frames through H.264 above 35 dB, stamps intact", async () => {
  const patternPorts = testPatternNode.ports();
  const pattern = testPatternNode.create(
    { width: 160, height: 120, pixelFormat: "RGBA", fps: 25 },
    patternPorts,
  );
  const encPorts = h264EncoderNode.ports();
  const encoder = h264EncoderNode.create(
    { backend: "openh264", bitrate: 2_000_000, keyframeInterval: 5 },
    encPorts,
  );
  const decPorts = h264DecoderNode.ports();
  const decoder = h264DecoderNode.create({}, decPorts);
  const encoded = new InputBinding<EncodedVideoFrame>("probe", "EncodedVideoFrame");
  const tap = new OutputBinding<EncodedVideoFrame>("tap", "EncodedVideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(patternPorts.output("video"), encPorts.input("in"), { capacity: 4, policy: "fifo" });
  connectLocal(encPorts.output("out"), encoded, { capacity: 16, policy: "fifo" });
  connectLocal(tap, decPorts.input("in"), { capacity: 16, policy: "fifo" });
  connectLocal(decPorts.output("out"), sink, { capacity: 16, policy: "fifo" });
  for (const p of [pattern, encoder, decoder]) await p.setup(ctx);
  const rgba = new TestPatternRenderer("RGBA", 160, 120);
  const i420 = new TestPatternRenderer("I420", 160, 120);
  const expected = new Uint8Array(i420.byteLength);
  const keyframes: number[] = [];
  for (let n = 0; n < 12; n++) {
    pattern.process(ctx);
    encoder.process(ctx);
    const unit = encoded.read()!;
    if (unit.keyframe) keyframes.push(n);
    assert.deepEqual([unit.codec, unit.frameNumber, unit.timestampNs], [
      "h264",
      n,
      1_000 + n * 40e6,
    ]);
    tap.write(unit);
    decoder.process(ctx);
    const frame = sink.read()!;
    assert.deepEqual([frame.width, frame.height, frame.format, frame.frameNumber], [
      160,
      120,
      "I420",
      n,
    ]);
    assert.equal(frame.timestampNs, unit.timestampNs);
    i420.render(n, expected);
    const quality = psnr(frame.data, expected);
    assert.ok(quality > 35, `frame ${n}: ${quality.toFixed(1)} dB`);
  }
  assert.equal(rgba.byteLength, 160 * 120 * 4);
  assert.deepEqual(keyframes, [0, 5, 10]);
  assert.equal(encoder.backend, "openh264");
  assert.deepEqual([encoder.encodedFrames, decoder.decodedFrames, decoder.decodeErrors], [
    12,
    12,
    0,
  ]);
  for (const p of [encoder, decoder]) p.teardown();
});

Deno.test("H264Encoder drops frames of another size; H264Decoder skips to the next keyframe after garbage", async () => {
  const ports = h264EncoderNode.ports();
  const encoder = h264EncoderNode.create({ backend: "openh264", keyframeInterval: 3 }, ports);
  const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
  const out = new InputBinding<EncodedVideoFrame>("out", "EncodedVideoFrame");
  connectLocal(source, ports.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(ports.output("out"), out, { capacity: 8, policy: "fifo" });
  await encoder.setup(ctx);
  const frame = (w: number, h: number, n: number): VideoFrame => ({
    kind: "video",
    width: w,
    height: h,
    format: "I420",
    stride: w,
    timestampNs: n,
    frameNumber: n,
    data: new Uint8Array(w * h * 3 / 2).fill(90 + n),
  });
  for (let n = 0; n < 6; n++) source.write(frame(n === 2 ? 32 : 64, 48, n));
  encoder.process(ctx);
  assert.deepEqual([encoder.encodedFrames, encoder.droppedFrames], [5, 1]);
  const units: EncodedVideoFrame[] = [];
  let unit;
  while ((unit = out.read()) !== undefined) units.push(unit);
  encoder.teardown();

  const decPorts = h264DecoderNode.ports();
  const decoder = h264DecoderNode.create({}, decPorts);
  const tap = new OutputBinding<EncodedVideoFrame>("tap", "EncodedVideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(tap, decPorts.input("in"), { capacity: 8, policy: "fifo" });
  connectLocal(decPorts.output("out"), sink, { capacity: 8, policy: "fifo" });
  await decoder.setup(ctx);
  tap.write(units[1]); // a delta before any keyframe: skipped
  tap.write({ ...units[0], data: new Uint8Array([0, 0, 0, 1, 0x65, 1, 2, 3]) }); // garbage
  // Frames 3 (delta, skipped), 4 (the next keyframe: every 3rd encoded frame) and 5.
  for (const u of units.slice(2)) tap.write(u);
  decoder.process(ctx);
  assert.equal(decoder.decodeErrors, 3);
  assert.deepEqual(
    [sink.read()?.frameNumber, sink.read()?.frameNumber, sink.read()],
    [4, 5, undefined],
  );
  decoder.teardown();
});

/** The slice NAL units (types 1 and 5) of an Annex B access unit. */
function sliceCount(unit: Uint8Array): number {
  let slices = 0;
  for (let i = 0; i + 3 < unit.length; i++) {
    if (
      unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 1 && [1, 5].includes(unit[i + 3] & 31)
    ) {
      slices++;
    }
  }
  return slices;
}

Deno.test("H264Encoder with threads: 2 cuts every picture into 2 slices that decode above 35 dB", async () => {
  const ports = h264EncoderNode.ports();
  const encoder = h264EncoderNode.create(
    { backend: "openh264", threads: 2, keyframeInterval: 4 },
    ports,
  );
  const decPorts = h264DecoderNode.ports();
  const decoder = h264DecoderNode.create({}, decPorts);
  const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
  const encoded = new InputBinding<EncodedVideoFrame>("probe", "EncodedVideoFrame");
  const tap = new OutputBinding<EncodedVideoFrame>("tap", "EncodedVideoFrame");
  const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
  connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
  connectLocal(ports.output("out"), encoded, { capacity: 4, policy: "fifo" });
  connectLocal(tap, decPorts.input("in"), { capacity: 4, policy: "fifo" });
  connectLocal(decPorts.output("out"), sink, { capacity: 4, policy: "fifo" });
  await encoder.setup(ctx);
  await decoder.setup(ctx);
  const i420 = new TestPatternRenderer("I420", 320, 240);
  for (let n = 0; n < 8; n++) {
    const data = new Uint8Array(i420.byteLength);
    i420.render(n, data);
    const frame: VideoFrame = {
      kind: "video",
      width: 320,
      height: 240,
      format: "I420",
      stride: 320,
      timestampNs: n * 33e6,
      frameNumber: n,
      data,
    };
    source.write(frame);
    encoder.process(ctx);
    const unit = encoded.read()!;
    assert.equal(sliceCount(unit.data), 2, `frame ${n}`);
    assert.equal(unit.keyframe, n % 4 === 0, `frame ${n}`);
    tap.write(unit);
    decoder.process(ctx);
    const quality = psnr(sink.read()!.data, data);
    assert.ok(quality > 35, `frame ${n}: ${quality.toFixed(1)} dB`);
  }
  for (const p of [encoder, decoder]) p.teardown();
});

Deno.test("H264Encoder's threads are 0..H264_THREADS_MAX, in the schema and the native encoder", () => {
  const schema = h264EncoderNode.descriptor.config.properties!.threads;
  assert.deepEqual([schema.minimum, schema.maximum, schema.default], [0, H264_THREADS_MAX, 1]);
  assert.throws(
    () => h264EncoderNode.create({ threads: 5 }),
    (e: unknown) => e instanceof ConfigValidationError && e.issues[0].field === "threads",
  );
  assert.throws(
    () => NativeH264Encoder.create({ width: 64, height: 48, threads: 1.5, backend: "openh264" }),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "threads" &&
      /expected an integer 0\.\.4/.test(e.message),
  );
  // 0 is one thread per core, at most 4.
  using auto = NativeH264Encoder.create({ width: 64, height: 48, threads: 0, backend: "openh264" });
  const out = new Uint8Array(auto.maxAccessUnitBytes);
  const data = new Uint8Array(64 * 48 * 3 / 2).fill(128);
  assert.ok(auto.encode({ format: "I420", data, timestampNs: 0 }, out) > 0);
});

Deno.test("H264Encoder refuses the videotoolbox backend off macOS in setup()", async () => {
  const encoder = h264EncoderNode.create({ backend: "videotoolbox" });
  if (Deno.build.os === "darwin") return;
  await assert.rejects(
    () => encoder.setup(ctx),
    (e: unknown) => e instanceof UnsupportedPlatformError && e.supported[0] === "darwin",
  );
});

Deno.test("H264Encoder's bitrate bounds are the native encoder's, and a bitrate of 0 is refused naming them", () => {
  const schema = h264EncoderNode.descriptor.config.properties!.bitrate;
  assert.deepEqual([schema.minimum, schema.maximum], [H264_BITRATE_MIN, H264_BITRATE_MAX]);
  assert.throws(
    () => h264EncoderNode.create({ bitrate: 0 }),
    (e: unknown) =>
      e instanceof ConfigValidationError && e.issues[0].field === "bitrate" &&
      /must be an integer from 1000 to 800000000, got 0/.test(e.message),
  );
  assert.throws(
    () => NativeH264Encoder.create({ width: 64, height: 48, bitrate: 0, backend: "openh264" }),
    (e: unknown) =>
      e instanceof InvalidArgumentError && e.argument === "bitrate" &&
      /expected an integer 1000\.\.800000000/.test(e.message),
  );
});

Deno.test("H264Encoder refuses 0x0 and odd frame sizes and unknown pixel formats with typed errors naming them", async () => {
  const frame = (width: number, height: number, format = "I420"): VideoFrame => ({
    kind: "video",
    width,
    height,
    format: format as VideoFrame["format"],
    stride: width,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(Math.max(1, width * height * 2)),
  });
  const cases: [VideoFrame, (e: unknown) => boolean][] = [
    [frame(0, 0), (e) => e instanceof UnsupportedVideoSizeError && e.width === 0 && e.height === 0],
    [
      frame(33, 24),
      (e) =>
        e instanceof UnsupportedVideoSizeError && e.width === 33 &&
        /size 33x24 is not supported, expected even sizes from 16x16/.test((e as Error).message),
    ],
    [
      frame(32, 24, "YUYV"),
      (e) =>
        e instanceof UnsupportedPixelFormatError && e.format === "YUYV" &&
        e.valid.includes("I420"),
    ],
  ];
  for (const [bad, expected] of cases) {
    const ports = h264EncoderNode.ports();
    const encoder = h264EncoderNode.create({ backend: "openh264" }, ports);
    const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
    connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
    await encoder.setup(ctx);
    source.write(bad);
    assert.throws(() => encoder.process(ctx), expected);
    assert.equal(encoder.encodedFrames, 0);
    encoder.teardown();
  }
});

Deno.test("H264Encoder makes the next picture a keyframe when its reader asks", async () => {
  const patternPorts = testPatternNode.ports();
  const pattern = testPatternNode.create(
    { width: 64, height: 48, pixelFormat: "I420" },
    patternPorts,
  );
  const ports = h264EncoderNode.ports();
  const encoder = h264EncoderNode.create({ backend: "openh264", keyframeInterval: 0 }, ports);
  const sink = new InputBinding<EncodedVideoFrame>("sink", "EncodedVideoFrame");
  connectLocal(patternPorts.output("video"), ports.input("in"));
  connectLocal(ports.output("out"), sink);
  const ctx = createProcessContext("enc");
  await pattern.setup(ctx);
  await encoder.setup(ctx);
  const next = () => {
    pattern.process(ctx);
    encoder.process(ctx);
    const frame = sink.read();
    assert.ok(frame);
    const keyframe = frame.keyframe;
    ctx.frames.flush();
    return keyframe;
  };
  try {
    assert.deepEqual([next(), next(), next()], [true, false, false]);
    sink.requestKeyframe();
    assert.deepEqual([next(), next()], [true, false]);
  } finally {
    encoder.teardown();
  }
});
