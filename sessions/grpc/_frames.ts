/**
 * Frames between their protobuf form (`proto/streamlib/sessions/v1/sessions.proto`, as
 * `@grpc/proto-loader` gives and takes them) and the session's. Internal.
 *
 * @module
 */

import type { AppFrameInput } from "../../core/app/frame_copy.ts";
import type { PixelFormat } from "../../core/frames/video_frame.ts";
import type { VideoCodec } from "../../core/frames/encoded_video_frame.ts";
import type { AudioCodec } from "../../core/frames/encoded_audio_frame.ts";
import { SessionError } from "../errors.ts";
import { WIRE_LIMITS } from "../wire/format.ts";
import { JSON_NUMBER_RANGE, jsonOverflows } from "../wire/json_value.ts";
import { GrpcRequestError } from "./errors.ts";
import type { SessionFrame } from "../session.ts";

/** A `Frame` message as proto-loader decodes it (`longs: Number`, `enums: String`, no defaults). */
export interface ProtoFrame {
  seq?: number;
  metadata?: Record<string, string>;
  timestampNs?: number;
  kind?: "audio" | "video" | "encoded" | "data" | "encodedAudio";
  audio?: { channels?: number; sampleRate?: number; samplesF32le?: Uint8Array };
  video?: {
    width?: number;
    height?: number;
    format?: string;
    data?: Uint8Array;
    stride?: number;
  };
  encoded?: { codec?: string; keyframe?: boolean; data?: Uint8Array };
  data?: { json?: string };
  encodedAudio?: {
    codec?: string;
    channels?: number;
    sampleRate?: number;
    frameCount?: number;
    extradata?: Uint8Array;
    data?: Uint8Array;
  };
}

/** A frame to send, as the session's `send()` takes it. */
export interface InboundFrame {
  readonly frame: AppFrameInput;
  readonly metadata: Record<string, string>;
  readonly seq?: number;
}

const FORMATS: Record<string, PixelFormat> = {
  PIXEL_FORMAT_RGBA: "RGBA",
  PIXEL_FORMAT_BGRA: "BGRA",
  PIXEL_FORMAT_I420: "I420",
  PIXEL_FORMAT_NV12: "NV12",
};
const CODECS: Record<string, VideoCodec> = {
  VIDEO_CODEC_H264: "h264",
  VIDEO_CODEC_H265: "h265",
  VIDEO_CODEC_VP8: "vp8",
  VIDEO_CODEC_VP9: "vp9",
  VIDEO_CODEC_AV1: "av1",
};
const AUDIO_CODECS: Record<string, AudioCodec> = {
  AUDIO_CODEC_AAC: "aac",
  AUDIO_CODEC_OPUS: "opus",
};
const AUDIO_CODEC_NAMES = Object.fromEntries(
  Object.entries(AUDIO_CODECS).map(([k, v]) => [v, k]),
);
const FORMAT_NAMES = Object.fromEntries(Object.entries(FORMATS).map(([k, v]) => [v, k]));
const CODEC_NAMES = Object.fromEntries(Object.entries(CODECS).map(([k, v]) => [v, k]));

function refuse(port: string, field: string, expected: string, session: string): never {
  throw new SessionError(
    "app_frame_mismatch",
    `Cannot send to '${port.slice(0, 80)}': frame.${field} must be ${expected}`,
    session,
    { input: port.slice(0, 256), field, expected },
  );
}

const encoder = new TextEncoder();

/** A string's UTF-8 bytes, counted only when its length says it could be over `max`. */
function overUtf8(text: string, max: number): number | undefined {
  if (text.length * 3 <= max) return undefined;
  const bytes = encoder.encode(text).byteLength;
  return bytes > max ? bytes : undefined;
}

/**
 * A frame's metadata within the wire format's bounds (`WIRE_LIMITS`: entries, key and value
 * bytes), so a gRPC client can send no more of it than a WebSocket one.
 *
 * @throws {GrpcRequestError} `wire_too_large`, the wire decoder's code for it.
 */
function checkMetadata(port: string, metadata: Record<string, string>): Record<string, string> {
  const refuse = (field: string, what: string, found: number, max: number): never => {
    throw new GrpcRequestError(
      "wire_too_large",
      `Cannot send to '${port.slice(0, 80)}': ${what}, over the limit of ${max} (the wire ` +
        `format's)`,
      { input: port.slice(0, 256), field, found, expected: `at most ${max}` },
    );
  };
  const entries = Object.entries(metadata);
  const { metadataEntries, metadataKeyBytes, metadataValueBytes } = WIRE_LIMITS;
  if (entries.length > metadataEntries) {
    refuse(
      "metadata",
      `frame.metadata has ${entries.length} entries`,
      entries.length,
      metadataEntries,
    );
  }
  for (const [key, value] of entries) {
    const keyBytes = overUtf8(key, metadataKeyBytes);
    if (keyBytes !== undefined) {
      refuse(
        "metadata key",
        `a frame.metadata key of ${keyBytes} bytes`,
        keyBytes,
        metadataKeyBytes,
      );
    }
    const valueBytes = overUtf8(value, metadataValueBytes);
    if (valueBytes !== undefined) {
      refuse(
        "metadata value",
        `a frame.metadata value of ${valueBytes} bytes`,
        valueBytes,
        metadataValueBytes,
      );
    }
  }
  return metadata;
}

/**
 * A protobuf `Frame` as the session takes it.
 *
 * @param port The input it is sent on (for messages).
 * @param frame The decoded message.
 * @param session The session's id (for the error).
 * @returns The frame, its metadata and its seq.
 * @throws {SessionError} `app_frame_mismatch` for a `seq` under -1 or over 2^53 - 1, a
 * `timestamp_ns` beyond ±(2^53 - 1), a frame without a kind, samples that are not
 * whole 32-bit floats, an unknown pixel format or codec, a padded stride, or text that is not
 * JSON.
 * @throws {GrpcRequestError} `wire_too_large` for metadata past the wire format's bounds (over 64
 * entries, a key over 256 bytes, a value over 4096).
 */
export function fromProtoFrame(port: string, frame: ProtoFrame, session = ""): InboundFrame {
  const metadata = checkMetadata(port, frame.metadata ?? {});
  // int64 arrives as a JavaScript number: past 2^53 - 1 it was rounded on the way in, so it is
  // refused rather than carried changed (the wire format's bound on every integer).
  // A seq of -1 (what an output frame made before any input carries) is "none": left unset.
  const seq = frame.seq === -1 ? undefined : frame.seq;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && seq >= 0)) {
    refuse(port, "seq", `-1 (none) or an integer from 0 to ${Number.MAX_SAFE_INTEGER}`, session);
  }
  if (frame.timestampNs !== undefined && !Number.isSafeInteger(frame.timestampNs)) {
    refuse(
      port,
      "timestamp_ns",
      `an integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`,
      session,
    );
  }
  const stamp = frame.timestampNs === undefined ? {} : { timestampNs: frame.timestampNs };
  const out = (f: AppFrameInput): InboundFrame => ({ frame: f, metadata, seq });
  switch (frame.kind) {
    case "audio": {
      const a = frame.audio ?? {};
      const bytes = a.samplesF32le ?? new Uint8Array(0);
      if (bytes.byteLength % 4 !== 0) {
        refuse(port, "audio.samples_f32le", "a whole number of 32-bit floats", session);
      }
      const samples = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(samples.buffer).set(bytes);
      return out({
        kind: "audio",
        channels: a.channels ?? 0,
        sampleRate: a.sampleRate ?? 0,
        samples,
        ...stamp,
      });
    }
    case "video": {
      const v = frame.video ?? {};
      const format = FORMATS[v.format ?? "PIXEL_FORMAT_RGBA"];
      if (format === undefined) {
        refuse(port, "video.format", `one of ${Object.keys(FORMATS).join(", ")}`, session);
      }
      const width = v.width ?? 0;
      const packed = format === "RGBA" || format === "BGRA" ? width * 4 : width;
      if (v.stride !== undefined && v.stride !== 0 && v.stride !== packed) {
        refuse(port, "video.stride", `0 or ${packed} (rows packed)`, session);
      }
      return out({
        kind: "video",
        width,
        height: v.height ?? 0,
        format,
        data: new Uint8Array(v.data ?? new Uint8Array(0)),
        ...stamp,
      });
    }
    case "encoded": {
      const e = frame.encoded ?? {};
      const codec = CODECS[e.codec ?? "VIDEO_CODEC_H264"];
      if (codec === undefined) {
        refuse(port, "encoded.codec", `one of ${Object.keys(CODECS).join(", ")}`, session);
      }
      return out({
        kind: "encoded-video",
        codec,
        keyframe: e.keyframe ?? false,
        data: new Uint8Array(e.data ?? new Uint8Array(0)),
        ...stamp,
      });
    }
    case "encodedAudio": {
      const e = frame.encodedAudio ?? {};
      const codec = AUDIO_CODECS[e.codec ?? "AUDIO_CODEC_AAC"];
      if (codec === undefined) {
        refuse(
          port,
          "encoded_audio.codec",
          `one of ${Object.keys(AUDIO_CODECS).join(", ")}`,
          session,
        );
      }
      return out({
        kind: "encoded-audio",
        codec,
        channels: e.channels ?? 0,
        sampleRate: e.sampleRate ?? 0,
        frameCount: e.frameCount ?? 0,
        extradata: new Uint8Array(e.extradata ?? new Uint8Array(0)),
        data: new Uint8Array(e.data ?? new Uint8Array(0)),
        ...stamp,
      });
    }
    case "data": {
      const text = frame.data?.json ?? "";
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        refuse(port, "data.json", "one JSON value (RFC 8259)", session);
      }
      if (jsonOverflows(text)) refuse(port, "data.json", JSON_NUMBER_RANGE, session);
      return out({ kind: "data", value, ...stamp } as AppFrameInput);
    }
    default:
      return refuse(port, "kind", "one of audio, video, encoded, data, encoded_audio", session);
  }
}

/**
 * A session's output frame as a protobuf `PortFrame`.
 *
 * @param item The frame read from the session.
 * @returns The message object.
 */
export function toProtoFrame(item: SessionFrame): { port: string; frame: ProtoFrame } {
  const f = item.frame;
  const head = { seq: item.seq, metadata: { ...item.metadata }, timestampNs: f.timestampNs };
  const bytes = (view: ArrayBufferView) =>
    new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let frame: ProtoFrame;
  switch (f.kind) {
    case "audio":
      frame = {
        ...head,
        audio: { channels: f.channels, sampleRate: f.sampleRate, samplesF32le: bytes(f.samples) },
      };
      break;
    case "video":
      frame = {
        ...head,
        video: {
          width: f.width,
          height: f.height,
          format: FORMAT_NAMES[f.format],
          data: f.data,
          stride: f.stride,
        },
      };
      break;
    case "encoded-video":
      frame = {
        ...head,
        encoded: { codec: CODEC_NAMES[f.codec], keyframe: f.keyframe, data: f.data },
      };
      break;
    case "data":
      frame = { ...head, data: { json: JSON.stringify(f.value) ?? "null" } };
      break;
    case "encoded-audio":
      frame = {
        ...head,
        encodedAudio: {
          codec: AUDIO_CODEC_NAMES[f.codec],
          channels: f.channels,
          sampleRate: f.sampleRate,
          frameCount: f.frameCount,
          extradata: f.extradata,
          data: f.data,
        },
      };
      break;
  }
  return { port: item.output, frame };
}
