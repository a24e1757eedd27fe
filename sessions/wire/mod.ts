/**
 * The session wire format: the binary messages a streaming session speaks over WebSocket (and
 * any byte stream): open a session of a named pipeline with a token (and, in version 2, the
 * pipeline's parameters), its acceptance, frames of every kind on named inputs and outputs with a
 * sequence number and string metadata, end of stream, close, errors with a code, ping and pong,
 * and (version 3) a change of the running session's parameters and its answer. Versions 1 to 3; the byte layout, for writing a client in another language, is
 * `docs/wire_format.md`. `clients/python` holds the same codec in Python.
 *
 * @example Open a session and send a data frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWireMessage, encodeWireMessage } from "@streamlib/streamlib/sessions/wire";
 *
 * const open = encodeWireMessage({ type: "open", pipeline: "voice-fx", token: "secret", metadata: {} });
 * assert.equal(decodeWireMessage(open).type, "open");
 * const frame = encodeWireMessage({
 *   type: "frame",
 *   port: "events",
 *   sequence: 0,
 *   metadata: { trace: "42" },
 *   frame: { kind: "data", timestampNs: 1_000, value: { speaking: true } },
 * });
 * const decoded = decodeWireMessage(frame);
 * assert.ok(decoded.type === "frame" && decoded.frame.kind === "data");
 * assert.deepEqual(decoded.frame.value, { speaking: true });
 * ```
 *
 * @module
 */

export { decodeWireMessage, wireMessageLength } from "./decode.ts";
export { encodeWireMessage, type WireCodecOptions } from "./encode.ts";
export { WireError, type WireErrorCode, type WireErrorDetails } from "./errors.ts";
export {
  AUDIO_CODEC_CODES,
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAME_KIND_CODES,
  KEYFRAME_FLAG,
  MAX_WIRE_INTEGER,
  MESSAGE_TYPE_CODES,
  PIXEL_FORMAT_CODES,
  VERSION_2_TYPE_CODES,
  VIDEO_CODEC_CODES,
  WIRE_HEADER_BYTES,
  WIRE_LIMITS,
  WIRE_MAGIC,
  WIRE_VERSION,
  WIRE_VERSIONS,
  type WireMessageType,
} from "./format.ts";
export type {
  AcceptMessage,
  CloseMessage,
  ConfiguredMessage,
  ConfigureMessage,
  EndMessage,
  ErrorMessage,
  FrameMessage,
  OpenMessage,
  PingMessage,
  PongMessage,
  WireMessage,
  WireMetadata,
  WireParameters,
  WirePort,
} from "./messages.ts";
export type { ListedParameter, ListedPipeline } from "./pipelines.ts";
