import assert from "node:assert/strict";
import { fromProtoFrame, toProtoFrame } from "./_frames.ts";
import { SessionError } from "../errors.ts";

const mismatch = (field: string) => (error: unknown) =>
  error instanceof SessionError && error.code === "app_frame_mismatch" &&
  error.details.field === field;

Deno.test("fromProtoFrame() reads each kind with its seq, metadata and timestamp", () => {
  const samples = new Uint8Array(new Float32Array([0.5, -0.5]).buffer);
  const audio = fromProtoFrame("in", {
    kind: "audio",
    seq: 4,
    metadata: { a: "1" },
    timestampNs: 20,
    audio: { channels: 2, sampleRate: 16_000, samplesF32le: samples.subarray(0) },
  });
  assert.deepEqual(audio.metadata, { a: "1" });
  assert.equal(audio.seq, 4);
  assert.deepEqual(audio.frame, {
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array([0.5, -0.5]),
    timestampNs: 20,
  });
  const video = fromProtoFrame("in", {
    kind: "video",
    video: { width: 1, height: 1, format: "PIXEL_FORMAT_BGRA", data: new Uint8Array(4), stride: 4 },
  });
  assert.equal(video.seq, undefined);
  assert.deepEqual(video.frame, {
    kind: "video",
    width: 1,
    height: 1,
    format: "BGRA",
    data: new Uint8Array(4),
  });
  const encoded = fromProtoFrame("in", {
    kind: "encoded",
    encoded: { codec: "VIDEO_CODEC_VP8", keyframe: true, data: new Uint8Array([1]) },
  });
  assert.deepEqual(encoded.frame, {
    kind: "encoded-video",
    codec: "vp8",
    keyframe: true,
    data: new Uint8Array([1]),
  });
  assert.deepEqual(fromProtoFrame("in", { kind: "data", data: { json: '{"x":[1]}' } }).frame, {
    kind: "data",
    value: { x: [1] },
  });
});

Deno.test("fromProtoFrame() refuses what no frame can be with app_frame_mismatch", () => {
  assert.throws(() => fromProtoFrame("in", {}), mismatch("kind"));
  assert.throws(
    () => fromProtoFrame("in", { kind: "audio", audio: { samplesF32le: new Uint8Array(3) } }),
    mismatch("audio.samples_f32le"),
  );
  assert.throws(
    () => fromProtoFrame("in", { kind: "video", video: { format: "PIXEL_FORMAT_P010" } }),
    mismatch("video.format"),
  );
  assert.throws(
    () => fromProtoFrame("in", { kind: "video", video: { width: 2, stride: 12 } }),
    mismatch("video.stride"),
  );
  assert.throws(
    () => fromProtoFrame("in", { kind: "encoded", encoded: { codec: "VIDEO_CODEC_MPEG2" } }),
    mismatch("encoded.codec"),
  );
  assert.throws(
    () => fromProtoFrame("in", { kind: "data", data: { json: "{" } }),
    mismatch("data.json"),
  );
  // A number past a 64-bit float was read as Infinity and left as null, silently.
  for (const json of ["1e400", '{"a":[-2E+999]}', "1" + "0".repeat(400)]) {
    assert.throws(
      () => fromProtoFrame("in", { kind: "data", data: { json } }),
      mismatch("data.json"),
    );
  }
  for (const json of ['"1e400"', "1e300", "-1.5e-400", '{"n":12345678901234567890}']) {
    assert.equal(fromProtoFrame("in", { kind: "data", data: { json } }).frame.kind, "data");
  }
  // int64 values a JavaScript number cannot hold exactly (proto-loader rounds 2^53 + 1 to 2^53),
  // and a negative seq other than -1 (what an output's untagged frame carries: none, left unset).
  const audio = { samplesF32le: new Uint8Array(8), channels: 1, sampleRate: 16_000 };
  assert.equal(fromProtoFrame("in", { seq: -1, kind: "audio", audio }).seq, undefined);
  for (const seq of [2 ** 53, 2 ** 62, -2, -5]) {
    assert.throws(() => fromProtoFrame("in", { seq, kind: "audio", audio }), mismatch("seq"));
  }
  for (const timestampNs of [2 ** 53, -(2 ** 53), 2 ** 63]) {
    assert.throws(
      () => fromProtoFrame("in", { timestampNs, kind: "audio", audio }),
      mismatch("timestamp_ns"),
    );
  }
  const edge = fromProtoFrame("in", {
    seq: Number.MAX_SAFE_INTEGER,
    timestampNs: Number.MAX_SAFE_INTEGER,
    kind: "audio",
    audio,
  });
  assert.equal(edge.seq, Number.MAX_SAFE_INTEGER);
  assert.equal(edge.frame.timestampNs, Number.MAX_SAFE_INTEGER);
});

Deno.test("toProtoFrame() writes each kind with the output's name, seq and metadata", () => {
  const head = { output: "out", seq: -1, metadata: { m: "v" } };
  const audio = toProtoFrame({
    ...head,
    frame: {
      kind: "audio",
      channels: 1,
      sampleRate: 8000,
      frameCount: 1,
      frameNumber: 0,
      timestampNs: 5,
      samples: new Float32Array([0.25]),
    },
  });
  assert.equal(audio.port, "out");
  assert.equal(audio.frame.seq, -1);
  assert.deepEqual(audio.frame.metadata, { m: "v" });
  assert.equal(audio.frame.timestampNs, 5);
  assert.deepEqual(
    [...new Float32Array(new Uint8Array(audio.frame.audio!.samplesF32le!).buffer)],
    [0.25],
  );
  const video = toProtoFrame({
    ...head,
    frame: {
      kind: "video",
      width: 2,
      height: 1,
      format: "I420",
      stride: 16,
      frameNumber: 0,
      timestampNs: 0,
      data: new Uint8Array(18),
    },
  });
  assert.deepEqual(video.frame.video, {
    width: 2,
    height: 1,
    format: "PIXEL_FORMAT_I420",
    stride: 16,
    data: new Uint8Array(18),
  });
  const encoded = toProtoFrame({
    ...head,
    frame: {
      kind: "encoded-video",
      codec: "av1",
      keyframe: false,
      frameNumber: 0,
      timestampNs: 0,
      data: new Uint8Array([9]),
    },
  });
  assert.equal(encoded.frame.encoded?.codec, "VIDEO_CODEC_AV1");
  const aac = toProtoFrame({
    ...head,
    frame: {
      kind: "encoded-audio",
      codec: "aac",
      sampleRate: 48_000,
      channels: 2,
      frameCount: 1024,
      extradata: new Uint8Array([0x11, 0x90]),
      frameNumber: 0,
      timestampNs: 0,
      data: new Uint8Array([1, 2]),
    },
  });
  assert.deepEqual(aac.frame.encodedAudio, {
    codec: "AUDIO_CODEC_AAC",
    channels: 2,
    sampleRate: 48_000,
    frameCount: 1024,
    extradata: new Uint8Array([0x11, 0x90]),
    data: new Uint8Array([1, 2]),
  });
  const back = fromProtoFrame("in", { ...aac.frame, kind: "encodedAudio" });
  assert.ok(back.frame.kind === "encoded-audio");
  assert.deepEqual([back.frame.codec, [...back.frame.extradata]], ["aac", [0x11, 0x90]]);
  const data = toProtoFrame({ ...head, frame: { kind: "data", timestampNs: 0, value: [1, "a"] } });
  assert.equal(data.frame.data?.json, '[1,"a"]');
});
