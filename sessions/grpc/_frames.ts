/**
 * Frames between their protobuf form (`proto/streamlib/sessions/v1/sessions.proto`, as
 * `@grpc/proto-loader` gives and takes them) and the session's. Internal.
 *
 * @module
 */

import type { AppFrameInput } from "../../core/app/frame_copy.ts";
import type { PixelFormat } from "../../core/frames/video_frame.ts";
import type { VideoCodec } from "../../core/frames/encoded_video_frame.ts";
import { SessionError } from "../errors.ts";
import { WireError } from "../wire/errors.ts";
import type { SessionFrame } from "../session.ts";

/** A `Frame` message as proto-loader decodes it (`longs: Number`, `enums: String`, no defaults). */
export interface ProtoFrame {
  seq?: number;
  metadata?: Record<string, string>;
  timestampNs?: number;
  kind?: "audio" | "video" | "encoded" | "data";
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

/**
 * A protobuf `Frame` as the session takes it.
 *
 * @param port The input it is sent on (for messages).
 * @param frame The decoded message.
 * @param session The session's id (for the error).
 * @returns The frame, its metadata and its seq.
 * @throws {SessionError} `app_frame_mismatch` for a frame without a kind, samples that are not
 * whole 32-bit floats, an unknown pixel format or codec, a padded stride, or text that is not
 * JSON.
 */
export function fromProtoFrame(port: string, frame: ProtoFrame, session = ""): InboundFrame {
  const metadata = frame.metadata ?? {};
  const stamp = frame.timestampNs === undefined ? {} : { timestampNs: frame.timestampNs };
  const out = (f: AppFrameInput): InboundFrame => ({ frame: f, metadata, seq: frame.seq });
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
    case "data": {
      let value: unknown;
      try {
        value = JSON.parse(frame.data?.json ?? "");
      } catch {
        refuse(port, "data.json", "one JSON value (RFC 8259)", session);
      }
      return out({ kind: "data", value, ...stamp } as AppFrameInput);
    }
    default:
      return refuse(port, "kind", "one of audio, video, encoded, data", session);
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
      // As in the binary wire format's version 1: no message for it yet.
      throw new WireError(
        "wire_malformed",
        `Cannot encode frame.kind: encoded-audio is not carried by sessions (output '${item.output}')`,
        { field: "frame.kind", found: f.kind, expected: "audio, video, encoded-video, data" },
      );
  }
  return { port: item.output, frame };
}
