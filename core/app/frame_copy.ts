/**
 * The frames an application sends and receives: checked against the input's port type, copied
 * into runtime-owned frames on the way in and out of them on the way out, so the application
 * never holds a frame whose lifetime the runtime manages.
 *
 * @module
 */

import type { AudioFrame } from "../frames/audio_frame.ts";
import type { DataFrame } from "../frames/data_frame.ts";
import {
  AUDIO_CODECS,
  type EncodedAudioFrame,
  MAX_AUDIO_EXTRADATA_BYTES,
} from "../frames/encoded_audio_frame.ts";
import { type EncodedVideoFrame, VIDEO_CODECS } from "../frames/encoded_video_frame.ts";
import type { Frame } from "../frames/frame.ts";
import type { Frames } from "../frames/node_frames.ts";
import { PIXEL_FORMATS, type VideoFrame, videoFrameByteLength } from "../frames/video_frame.ts";
import { parsePortType } from "../ports/port_type.ts";
import { AppFrameError } from "./errors.ts";

/** A frame as an application gives it: any frame, with the timestamp optional. */
export type AppFrameInput =
  | (Omit<AudioFrame, "timestampNs" | "frameNumber" | "frameCount" | "slot"> & Partial<Stamp>)
  | (Omit<VideoFrame, "timestampNs" | "frameNumber" | "stride" | "slot"> & Partial<Stamp>)
  | (Omit<EncodedVideoFrame, "timestampNs" | "frameNumber" | "slot"> & Partial<Stamp>)
  | (Omit<EncodedAudioFrame, "timestampNs" | "frameNumber" | "slot"> & Partial<Stamp>)
  | (Omit<DataFrame, "timestampNs"> & { readonly timestampNs?: number });

/** The fields of a frame an application may leave out: the input stamps them. */
export interface Stamp {
  /** Time of the frame in nanoseconds; default: one nanosecond after the last sent. */
  readonly timestampNs: number;
  /** Position in the stream; the input numbers frames from 0 whatever is given. */
  readonly frameNumber: number;
}

const KIND_OF: Record<string, Frame["kind"] | undefined> = {
  AudioFrame: "audio",
  VideoFrame: "video",
  EncodedVideoFrame: "encoded-video",
  EncodedAudioFrame: "encoded-audio",
  DataFrame: "data",
  Frame: undefined,
};

function show(value: unknown): string {
  if (typeof value === "string") return `'${value.slice(0, 40)}'`;
  if (value instanceof Uint8Array || value instanceof Float32Array) {
    return `${value.constructor.name}(${value.length})`;
  }
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "array" : "object";
  return String(value);
}

/**
 * Checks a frame an application sends against the input's port type and size limit.
 *
 * @param name The application input.
 * @param portType The port type of the input it feeds (`AudioFrame<2>`).
 * @param frame What was sent.
 * @param maxFrameBytes The largest payload taken.
 * @returns The payload's size in bytes (0 for a data frame).
 * @throws {AppFrameError} When the frame does not fit (`app_frame_mismatch`) or is too large
 * (`frame_too_large`).
 *
 * @example A mono block into a stereo input
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAppFrame } from "./frame_copy.ts";
 *
 * const mono = { kind: "audio", channels: 1, sampleRate: 16000, samples: new Float32Array(320) } as const;
 * assert.throws(() => checkAppFrame("audio", "AudioFrame<2>", mono, 1 << 20), { code: "app_frame_mismatch" });
 * assert.equal(checkAppFrame("audio", "AudioFrame<1>", mono, 1 << 20), 1280);
 * ```
 */
export function checkAppFrame(
  name: string,
  portType: string,
  frame: unknown,
  maxFrameBytes: number,
): number {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new AppFrameError(name, field, show(value), expected);
  };
  if (typeof frame !== "object" || frame === null) fail("frame", frame, "an object");
  const f = frame as Record<string, unknown>;
  const parsed = parsePortType(portType);
  const wanted = parsed ? KIND_OF[parsed.name] : undefined;
  const kinds = ["audio", "video", "encoded-video", "encoded-audio", "data"];
  if (!kinds.includes(f.kind as string)) fail("kind", f.kind, `one of ${kinds.join(", ")}`);
  if (wanted !== undefined && f.kind !== wanted) {
    fail("kind", f.kind, `'${wanted}' (port type ${portType})`);
  }
  if (
    f.timestampNs !== undefined &&
    !(typeof f.timestampNs === "number" && f.timestampNs >= 0 &&
      f.timestampNs <= Number.MAX_SAFE_INTEGER)
  ) {
    fail("timestampNs", f.timestampNs, `nanoseconds from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  let bytes = 0;
  if (f.kind === "audio") {
    const channels = f.channels as number;
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      fail("channels", channels, "an integer from 1 to 64");
    }
    if (parsed?.argument !== undefined && String(channels) !== parsed.argument) {
      fail("channels", channels, `${parsed.argument} (port type ${portType})`);
    }
    if (!(Number.isFinite(f.sampleRate) && (f.sampleRate as number) > 0)) {
      fail("sampleRate", f.sampleRate, "a positive number");
    }
    const samples = f.samples;
    if (!(samples instanceof Float32Array)) fail("samples", samples, "a Float32Array");
    const length = (samples as Float32Array).length;
    if (length === 0 || length % channels !== 0) {
      fail("samples", samples, `a non-empty multiple of ${channels} samples (interleaved)`);
    }
    bytes = length * 4;
  } else if (f.kind === "video") {
    if (!PIXEL_FORMATS.includes(f.format as never)) {
      fail("format", f.format, `one of ${PIXEL_FORMATS.join(", ")}`);
    }
    for (const side of ["width", "height"]) {
      const v = f[side] as number;
      if (!Number.isInteger(v) || v < 1 || v > 16384) fail(side, v, "an integer from 1 to 16384");
    }
    const want = videoFrameByteLength(f.format as never, f.width as number, f.height as number);
    if (!(f.data instanceof Uint8Array) || f.data.length !== want) {
      fail("data", f.data, `a Uint8Array of ${want} bytes (${f.width}x${f.height} ${f.format})`);
    }
    bytes = want;
  } else if (f.kind === "encoded-video") {
    if (!VIDEO_CODECS.includes(f.codec as never)) {
      fail("codec", f.codec, `one of ${VIDEO_CODECS.join(", ")}`);
    }
    if (!(f.data instanceof Uint8Array) || f.data.length === 0) {
      fail("data", f.data, "a non-empty Uint8Array");
    }
    if (typeof f.keyframe !== "boolean") fail("keyframe", f.keyframe, "true or false");
    bytes = (f.data as Uint8Array).length;
  } else if (f.kind === "encoded-audio") {
    if (!AUDIO_CODECS.includes(f.codec as never)) {
      fail("codec", f.codec, `one of ${AUDIO_CODECS.join(", ")}`);
    }
    const channels = f.channels as number;
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      fail("channels", channels, "an integer from 1 to 64");
    }
    if (!(Number.isFinite(f.sampleRate) && (f.sampleRate as number) > 0)) {
      fail("sampleRate", f.sampleRate, "a positive number");
    }
    const count = f.frameCount as number;
    if (!Number.isInteger(count) || count < 1) fail("frameCount", count, "a positive integer");
    const extra = f.extradata;
    if (!(extra instanceof Uint8Array) || extra.length > MAX_AUDIO_EXTRADATA_BYTES) {
      fail("extradata", extra, `a Uint8Array of at most ${MAX_AUDIO_EXTRADATA_BYTES} bytes`);
    }
    if (!(f.data instanceof Uint8Array) || f.data.length === 0) {
      fail("data", f.data, "a non-empty Uint8Array");
    }
    bytes = (f.data as Uint8Array).length;
  }
  if (bytes > maxFrameBytes) {
    throw new AppFrameError(
      name,
      "size",
      `${bytes} bytes`,
      `at most ${maxFrameBytes} bytes`,
      "frame_too_large",
    );
  }
  return bytes;
}

/**
 * Copies a checked frame into a frame of the node's run (runtime-owned, released with the run
 * unless written on).
 *
 * @param frames The node's frames.
 * @param frame A frame {@linkcode checkAppFrame} accepted.
 * @param timestampNs Its timestamp.
 * @param frameNumber Its position in the input's stream.
 * @returns The owned frame, or `undefined` when no frame memory is free now.
 */
export function copyIn(
  frames: Frames,
  frame: AppFrameInput,
  timestampNs: number,
  frameNumber: number,
): Frame | undefined {
  switch (frame.kind) {
    case "audio": {
      const { channels, sampleRate, samples } = frame;
      const frameCount = samples.length / channels;
      const block = frames.audio({ channels, sampleRate, frameCount });
      if (!block) return undefined;
      block.samples.set(samples);
      block.timestampNs = timestampNs;
      block.frameNumber = frameNumber;
      return block;
    }
    case "video": {
      const { width, height, format, data } = frame;
      const image = frames.video({ width, height, format });
      if (!image) return undefined;
      image.data.set(data);
      image.timestampNs = timestampNs;
      image.frameNumber = frameNumber;
      return image;
    }
    case "encoded-video": {
      const unit = frames.encoded({ codec: frame.codec, byteLength: frame.data.length });
      if (!unit) return undefined;
      unit.data.set(frame.data);
      unit.keyframe = frame.keyframe;
      unit.timestampNs = timestampNs;
      unit.frameNumber = frameNumber;
      return unit;
    }
    case "encoded-audio": {
      const { codec, sampleRate, channels, frameCount, data } = frame;
      const extradata = frame.extradata.slice();
      const byteLength = data.length;
      const unit = frames.encodedAudio({
        codec,
        byteLength,
        sampleRate,
        channels,
        frameCount,
        extradata,
      });
      if (!unit) return undefined;
      unit.data.set(data);
      unit.timestampNs = timestampNs;
      unit.frameNumber = frameNumber;
      return unit;
    }
    case "data":
      return { kind: "data", timestampNs, value: frame.value };
  }
}

/**
 * A plain copy of a frame, detached from the runtime's memory: what an application output
 * gives, valid after the run that read it released the original. Its timestamp is rounded to a
 * whole nanosecond (a processor may compute fractions, as an encoder's start offset does; no
 * transport carries them).
 *
 * @param frame A frame read in a run.
 * @param allocate Gives the array an audio frame's samples are copied into, of `length` samples
 *   (a spare one the caller owns, say). Default: a new one.
 * @returns The copy.
 *
 * @example A data frame copied out
 * ```ts
 * import assert from "node:assert/strict";
 * import { copyOut } from "./frame_copy.ts";
 *
 * const copy = copyOut({ kind: "data", timestampNs: 5, value: "hi" });
 * assert.deepEqual(copy, { kind: "data", timestampNs: 5, value: "hi" });
 * ```
 */
export function copyOut(frame: Frame, allocate?: (length: number) => Float32Array): Frame {
  switch (frame.kind) {
    case "audio": {
      const { channels, sampleRate, frameCount, frameNumber } = frame;
      const timestampNs = Math.round(frame.timestampNs);
      let samples;
      if (allocate === undefined) samples = frame.samples.slice();
      else {
        samples = allocate(frame.samples.length);
        samples.set(frame.samples);
      }
      return { kind: "audio", channels, sampleRate, frameCount, samples, timestampNs, frameNumber };
    }
    case "video": {
      const { width, height, format, stride, frameNumber } = frame;
      const timestampNs = Math.round(frame.timestampNs);
      const data = frame.data.slice();
      return { kind: "video", width, height, format, stride, timestampNs, frameNumber, data };
    }
    case "encoded-video": {
      const { codec, keyframe, frameNumber } = frame;
      const timestampNs = Math.round(frame.timestampNs);
      const data = frame.data.slice();
      return { kind: "encoded-video", codec, keyframe, timestampNs, frameNumber, data };
    }
    case "encoded-audio": {
      const { codec, sampleRate, channels, frameCount, frameNumber } = frame;
      const timestampNs = Math.round(frame.timestampNs);
      const extradata = frame.extradata.slice();
      const data = frame.data.slice();
      return {
        kind: "encoded-audio",
        codec,
        sampleRate,
        channels,
        frameCount,
        extradata,
        timestampNs,
        frameNumber,
        data,
      };
    }
    case "data":
      return { kind: "data", timestampNs: Math.round(frame.timestampNs), value: frame.value };
  }
}
