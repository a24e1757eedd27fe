/**
 * One message of every type, every frame kind, every pixel format and every codec: what the wire
 * codec's round-trip, fuzz and cross-language tests start from.
 *
 * @module
 */

import { PIXEL_FORMATS } from "../../core/frames/video_frame.ts";
import { VIDEO_CODECS } from "../../core/frames/encoded_video_frame.ts";
import { AUDIO_CODECS } from "../../core/frames/encoded_audio_frame.ts";
import type { WireMessage } from "../../sessions/wire/mod.ts";

/** Bytes `0, 1, 2, ...` (mod 256), `n` long. */
export function ramp(n: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: n }, (_, i) => i % 256);
}

/** The sample messages, each with a name for test messages. */
export function sampleMessages(): { name: string; message: WireMessage }[] {
  const samples: { name: string; message: WireMessage }[] = [
    {
      name: "open",
      message: {
        type: "open",
        pipeline: "voice-fx",
        token: "s3cret",
        metadata: { client: "test", "ünïcode": "✓ 日本" },
      },
    },
    {
      name: "open (parameters, version 2)",
      message: {
        type: "open",
        pipeline: "voice-fx",
        token: "",
        metadata: { client: "test" },
        parameters: {
          gain: 1.5,
          voice: "ünï ✓",
          bands: [1, 2.25, -3],
          eq: { low: 0.5, on: true },
          preset: null,
        },
      },
    },
    {
      name: "accept",
      message: {
        type: "accept",
        sessionId: "session-1",
        inputs: [{ name: "audio", kind: "audio" }, { name: "any", kind: "any" }],
        outputs: [
          { name: "audio", kind: "audio" },
          { name: "video", kind: "video" },
          { name: "h264", kind: "encoded-video" },
          { name: "events", kind: "data" },
        ],
        maxMessageBytes: 16 * 1024 * 1024,
      },
    },
    {
      name: "accept (encoded audio, version 2)",
      message: {
        type: "accept",
        sessionId: "session-2",
        inputs: [{ name: "pcm", kind: "audio" }],
        outputs: [{ name: "aac", kind: "encoded-audio" }],
        maxMessageBytes: 1 << 20,
      },
    },
    { name: "end", message: { type: "end", port: "audio" } },
    { name: "close (normal)", message: { type: "close", code: "", message: "" } },
    {
      name: "close (code)",
      message: { type: "close", code: "session_idle", message: "No frame for 30 s" },
    },
    {
      name: "error",
      message: { type: "error", code: "wire_malformed", message: "Cannot decode x", fatal: true },
    },
    {
      name: "error (not fatal)",
      message: { type: "error", code: "frame_dropped", message: "", fatal: false },
    },
    { name: "ping", message: { type: "ping", id: 0 } },
    { name: "pong (2^53 - 1)", message: { type: "pong", id: Number.MAX_SAFE_INTEGER } },
    {
      name: "configure (version 3)",
      message: {
        type: "configure",
        id: 0xffff_ffff,
        parameters: { gain: 3, voice: "ünï ✓", eq: { low: [0.5, -1], on: false }, preset: null },
      },
    },
    {
      name: "configured (version 3)",
      message: { type: "configured", id: 7, code: "", message: "" },
    },
    {
      name: "configured (refused, version 3)",
      message: {
        type: "configured",
        id: 8,
        code: "config_locked",
        message: "Parameter channels is set when the pipeline starts ✓",
      },
    },
    {
      name: "audio frame (stereo)",
      message: {
        type: "frame",
        port: "audio",
        sequence: 2 ** 40 + 3,
        metadata: {},
        frame: {
          kind: "audio",
          channels: 2,
          sampleRate: 48_000,
          frameCount: 3,
          samples: new Float32Array([0, -1, 1, 0.5, -0.25, 1e-7]),
          timestampNs: 20_000_000,
          frameNumber: 1,
        },
      },
    },
    {
      name: "audio frame (fractional rate)",
      message: {
        type: "frame",
        port: "audio",
        sequence: 0,
        metadata: { a: "1" },
        frame: {
          kind: "audio",
          channels: 1,
          sampleRate: 44_100.5,
          frameCount: 1,
          samples: new Float32Array([0.125]),
          timestampNs: 0,
          frameNumber: 0,
        },
      },
    },
    {
      name: "data frame",
      message: {
        type: "frame",
        port: "events",
        sequence: 9,
        metadata: { trace: "abc" },
        frame: {
          kind: "data",
          timestampNs: Number.MAX_SAFE_INTEGER,
          value: { speaking: true, level: 0.5, words: ["hé", "llo"], n: null, count: 3 },
        },
      },
    },
  ];
  for (const [i, format] of PIXEL_FORMATS.entries()) {
    const packed = format === "RGBA" || format === "BGRA";
    const width = 3;
    const height = 2;
    const stride = packed ? width * 4 + 4 : width + 1;
    const bytes = packed ? stride * height : stride * height + 2 * 2 * 1;
    samples.push({
      name: `video frame (${format})`,
      message: {
        type: "frame",
        port: "video",
        sequence: i,
        metadata: { format },
        frame: {
          kind: "video",
          width,
          height,
          format,
          stride,
          timestampNs: 1_000 * i,
          frameNumber: i,
          data: ramp(bytes),
        },
      },
    });
  }
  for (const [i, codec] of VIDEO_CODECS.entries()) {
    samples.push({
      name: `encoded frame (${codec})`,
      message: {
        type: "frame",
        port: "encoded",
        sequence: i,
        metadata: {},
        frame: {
          kind: "encoded-video",
          codec,
          keyframe: i % 2 === 0,
          timestampNs: 33_333_333 * i,
          frameNumber: i,
          data: ramp(5 + i),
        },
      },
    });
  }
  for (const [i, codec] of AUDIO_CODECS.entries()) {
    samples.push({
      name: `encoded audio frame (${codec})`,
      message: {
        type: "frame",
        port: "encoded-audio",
        sequence: i,
        metadata: { codec },
        frame: {
          kind: "encoded-audio",
          codec,
          channels: 2 - i,
          sampleRate: codec === "aac" ? 44_100 : 48_000,
          frameCount: codec === "aac" ? 1024 : 960,
          extradata: codec === "aac" ? new Uint8Array([0x12, 0x10]) : new Uint8Array(0),
          timestampNs: 21_333_333 * i,
          frameNumber: i,
          data: ramp(7 + i),
        },
      },
    });
  }
  return samples;
}
