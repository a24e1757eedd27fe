/**
 * The constants of the session wire format, versions 1 to 3: the header, the message types, the
 * codes of frame kinds, pixel formats and codecs, and the limits. The byte layout is in
 * `docs/wire_format.md`; the reasons in `docs/decisions/0029-session-wire-format.md`.
 *
 * @module
 */

import type { PixelFormat } from "../../core/frames/video_frame.ts";
import type { VideoCodec } from "../../core/frames/encoded_video_frame.ts";
import type { AudioCodec } from "../../core/frames/encoded_audio_frame.ts";
import type { Frame } from "../../core/frames/frame.ts";

/**
 * The newest version this codec reads and writes. Any change to the byte layout of any message, a
 * new message type or frame kind, is a new version; a decoder refuses a version it does not know
 * (`wire_version`) rather than guess. Version 2 is version 1 plus the encoded audio frame kind
 * (5) and an open's `parameters` field; version 3 is version 2 plus the `configure` and
 * `configured` messages (types 9 and 10). The encoder writes each message in the lowest version
 * that carries it, so a message without encoded audio or parameters is version 1, byte for byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_VERSION, WIRE_VERSIONS } from "./format.ts";
 *
 * assert.equal(WIRE_VERSION, 3);
 * assert.deepEqual(WIRE_VERSIONS, [1, 2, 3]);
 * ```
 */
export const WIRE_VERSION = 3;

/** Every version this codec reads. */
export const WIRE_VERSIONS: readonly number[] = [1, 2, 3];

/** The two bytes every message starts with: ASCII `SL` (`0x53 0x4c`). */
export const WIRE_MAGIC: readonly [number, number] = [0x53, 0x4c];

/** Bytes of the header: magic (2), version (1), type (1), total length (u32). */
export const WIRE_HEADER_BYTES = 8;

/** The default largest message a decoder takes, in bytes (16 MiB: a 1920x1080 RGBA frame fits). */
export const DEFAULT_MAX_MESSAGE_BYTES: number = 16 * 1024 * 1024;

/**
 * The largest integer a `u64` field (sequence, timestamp, frame number, ping id) may hold:
 * `2^53 - 1`, the largest integer JavaScript numbers (and IEEE doubles in every language) hold
 * exactly. A larger value is refused (`wire_malformed`).
 */
export const MAX_WIRE_INTEGER: number = Number.MAX_SAFE_INTEGER;

/**
 * Bounds on the variable parts of a message, in bytes of UTF-8 (entries for metadata, levels for
 * the nesting of parameters). A field over its bound in bytes or entries is refused with
 * `wire_too_large` by both the encoder and the decoder; parameters nested deeper than their
 * bound with `wire_malformed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE_LIMITS } from "./format.ts";
 *
 * assert.equal(WIRE_LIMITS.metadataEntries, 64);
 * ```
 */
export const WIRE_LIMITS = {
  /** A pipeline, port or session id name. */
  nameBytes: 256,
  /** The token of an open message. */
  tokenBytes: 4096,
  /** Metadata entries of one message. */
  metadataEntries: 64,
  /** One metadata key. */
  metadataKeyBytes: 256,
  /** One metadata value. */
  metadataValueBytes: 4096,
  /** An error's code, or a close's reason code. */
  codeBytes: 64,
  /** An error's or a close's message. */
  messageBytes: 4096,
  /** Inputs, or outputs, an accept message lists. */
  ports: 256,
  /** The extradata (AudioSpecificConfig) of an encoded audio frame. */
  extradataBytes: 24,
  /**
   * The JSON text of an open's parameters (version 2) or a configure's (version 3): a `str`'s
   * largest length.
   */
  parametersBytes: 65_535,
  /** How deeply parameters nest: the object itself is level 1. */
  parametersDepth: 64,
} as const;

/** The name of a message type. */
export type WireMessageType =
  | "open"
  | "accept"
  | "frame"
  | "end"
  | "close"
  | "error"
  | "ping"
  | "pong"
  | "configure"
  | "configured";

/**
 * The type byte of each message type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MESSAGE_TYPE_CODES } from "./format.ts";
 *
 * assert.equal(MESSAGE_TYPE_CODES.frame, 3);
 * ```
 */
export const MESSAGE_TYPE_CODES: { readonly [type in WireMessageType]: number } = {
  open: 1,
  accept: 2,
  frame: 3,
  end: 4,
  close: 5,
  error: 6,
  ping: 7,
  pong: 8,
  configure: 9,
  configured: 10,
};

/**
 * The message types of versions 1 and 2 (1 to 8); version 3 adds `configure` (9) and
 * `configured` (10). A type byte of 9 or 10 in a version 1 or 2 header is `wire_malformed`.
 */
export const VERSION_2_TYPE_CODES = 8;

/**
 * The kind byte of a frame (`0` in an accept's port list means "any kind").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FRAME_KIND_CODES } from "./format.ts";
 *
 * assert.equal(FRAME_KIND_CODES.audio, 1);
 * ```
 */
export const FRAME_KIND_CODES: { readonly [kind in Frame["kind"]]: number } = {
  audio: 1,
  video: 2,
  "encoded-video": 3,
  data: 4,
  "encoded-audio": 5,
};

/** The frame kind codes of version 1 (1 to 4); version 2 adds `encoded-audio` (5). */
export const VERSION_1_KIND_CODES = 4;

/**
 * The format byte of a video frame is the index here. Fixed for version 1: a pixel format the
 * runtime adds later is refused by the encoder until a new version gives it a code.
 */
export const PIXEL_FORMAT_CODES: readonly PixelFormat[] = ["RGBA", "BGRA", "I420", "NV12"];

/**
 * The codec byte of an encoded video frame is the index here. Fixed for version 1, as
 * {@linkcode PIXEL_FORMAT_CODES}.
 */
export const VIDEO_CODEC_CODES: readonly VideoCodec[] = ["h264", "h265", "vp8", "vp9", "av1"];

/**
 * The codec byte of an encoded audio frame (version 2) is the index here, fixed as
 * {@linkcode VIDEO_CODEC_CODES}.
 */
export const AUDIO_CODEC_CODES: readonly AudioCodec[] = ["aac", "opus"];

/** Bit 0 of an encoded frame's flags byte: the frame is a keyframe. Other bits must be 0. */
export const KEYFRAME_FLAG = 1;
