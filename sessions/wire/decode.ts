/**
 * `decodeWireMessage()`: bytes of the session wire format to a message, refusing anything else
 * with a {@linkcode WireError}; and `wireMessageLength()`, to cut messages out of a byte stream.
 *
 * @module
 */

import type { Frame, FrameKind } from "../../core/frames/frame.ts";
import { WireError } from "./errors.ts";
import type { WireCodecOptions } from "./encode.ts";
import {
  AUDIO_CODEC_CODES,
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAME_KIND_CODES,
  KEYFRAME_FLAG,
  MESSAGE_TYPE_CODES,
  PIXEL_FORMAT_CODES,
  VERSION_1_KIND_CODES,
  VERSION_2_TYPE_CODES,
  VIDEO_CODEC_CODES,
  WIRE_HEADER_BYTES,
  WIRE_LIMITS,
  WIRE_MAGIC,
  WIRE_VERSION,
  WIRE_VERSIONS,
  type WireMessageType,
} from "./format.ts";
import type { WireMessage, WireMetadata, WirePort } from "./messages.ts";
import { WireReader } from "./_reader.ts";
import { parseParameters } from "./_parameters.ts";
import { minimumVideoBytes, minimumVideoStride } from "./_video_shape.ts";
import { JSON_NUMBER_RANGE, jsonOverflows } from "./json_value.ts";

const TYPES = new Map<number, WireMessageType>(
  Object.entries(MESSAGE_TYPE_CODES).map(([type, code]) => [code, type as WireMessageType]),
);
const KINDS = new Map<number, FrameKind>(
  Object.entries(FRAME_KIND_CODES).map(([kind, code]) => [code, kind as FrameKind]),
);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Checks a message's header and returns the message's total length: how many bytes to read from
 * a byte stream (a pipe, TCP) before calling {@linkcode decodeWireMessage}. Over WebSocket each
 * message is one WebSocket message and this is not needed.
 *
 * @param header At least the first 8 bytes of a message.
 * @param options The size limit.
 * @returns The total length of the message, header included.
 * @throws {WireError} `wire_truncated` under 8 bytes, `wire_malformed` for a bad magic, type
 *   (or one its version does not have) or length, `wire_version` for another version, `wire_too_large` over the limit.
 *
 * @example Split two messages read from a stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeWireMessage, wireMessageLength } from "@streamlib/streamlib/sessions/wire";
 *
 * const a = encodeWireMessage({ type: "ping", id: 1 });
 * const b = encodeWireMessage({ type: "end", port: "audio" });
 * const stream = new Uint8Array([...a, ...b]);
 * const first = wireMessageLength(stream);
 * assert.equal(first, a.length);
 * assert.equal(wireMessageLength(stream.subarray(first)), b.length);
 * ```
 */
export function wireMessageLength(header: Uint8Array, options: WireCodecOptions = {}): number {
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const reader = new WireReader(header);
  for (let i = 0; i < WIRE_MAGIC.length && reader.remaining > 0; i++) {
    const at = reader.offset;
    if (reader.u8("header.magic") !== WIRE_MAGIC[i]) {
      throw new WireError(
        "wire_malformed",
        "Cannot decode the message: it does not start with the magic bytes 0x53 0x4c ('SL')",
        { field: "header.magic", offset: at, expected: "0x53 0x4c" },
      );
    }
  }
  if (header.byteLength < WIRE_HEADER_BYTES) {
    throw new WireError(
      "wire_truncated",
      `Cannot decode the header: ${header.byteLength} bytes, it has ${WIRE_HEADER_BYTES}`,
      {
        field: "header",
        offset: 0,
        found: header.byteLength,
        expected: `${WIRE_HEADER_BYTES} bytes`,
      },
    );
  }
  const version = reader.u8("header.version");
  if (!WIRE_VERSIONS.includes(version)) {
    throw new WireError(
      "wire_version",
      `Cannot decode a message of wire version ${version}: this codec reads versions 1 to ${WIRE_VERSION}`,
      { field: "header.version", offset: 2, found: version, expected: WIRE_VERSIONS.join(", ") },
    );
  }
  const type = reader.u8("header.type");
  // `configure` and `configured` joined in version 3: an older header cannot carry them.
  const types = version < 3 ? VERSION_2_TYPE_CODES : TYPES.size;
  if (!TYPES.has(type) || type > types) {
    throw new WireError(
      "wire_malformed",
      `Cannot decode a message of type ${type} in wire version ${version}: valid types are 1 to ${types}`,
      { field: "header.type", offset: 3, found: type, expected: `1 to ${types}` },
    );
  }
  const length = reader.u32("header.length");
  if (length < WIRE_HEADER_BYTES) {
    throw new WireError(
      "wire_malformed",
      `Cannot decode the message: its length ${length} is shorter than its header`,
      {
        field: "header.length",
        offset: 4,
        found: length,
        expected: `at least ${WIRE_HEADER_BYTES}`,
      },
    );
  }
  if (length > max) {
    throw new WireError(
      "wire_too_large",
      `Cannot decode the message: ${length} bytes, over the limit of ${max}`,
      { field: "header.length", offset: 4, found: length, expected: `at most ${max} bytes` },
    );
  }
  return length;
}

/**
 * Decodes one whole message. Whatever the bytes, it returns a message or throws a
 * {@linkcode WireError}: it never reads past the buffer, allocates at most the message's size
 * plus a small constant (every length is checked against the bytes left before it is used), and
 * refuses bytes after the message's end. Video, encoded and data payloads are views of (or parsed
 * from) `bytes`; audio samples are copied into their own `Float32Array`.
 *
 * @param bytes One message.
 * @param options The size limit.
 * @returns The message.
 * @throws {WireError} `wire_malformed`, `wire_truncated`, `wire_version` or `wire_too_large`.
 *
 * @example Decode an end of stream, and refuse the same bytes with one more at the end
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWireMessage, encodeWireMessage, WireError } from "@streamlib/streamlib/sessions/wire";
 *
 * const bytes = encodeWireMessage({ type: "end", port: "audio" });
 * assert.deepEqual(decodeWireMessage(bytes), { type: "end", port: "audio" });
 * assert.throws(
 *   () => decodeWireMessage(new Uint8Array([...bytes, 0])),
 *   (error) => error instanceof WireError && error.code === "wire_malformed",
 * );
 * ```
 */
export function decodeWireMessage(
  bytes: Uint8Array | ArrayBuffer,
  options: WireCodecOptions = {},
): WireMessage {
  const message = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const length = wireMessageLength(message, options);
  if (message.byteLength > max) {
    throw new WireError(
      "wire_too_large",
      `Cannot decode the message: ${message.byteLength} bytes, over the limit of ${max}`,
      { field: "message", found: message.byteLength, expected: `at most ${max} bytes` },
    );
  }
  if (length > message.byteLength) {
    throw new WireError(
      "wire_truncated",
      `Cannot decode the message: it says ${length} bytes, ${message.byteLength} arrived`,
      { field: "header.length", offset: 4, found: message.byteLength, expected: `${length} bytes` },
    );
  }
  if (length < message.byteLength) {
    throw new WireError(
      "wire_malformed",
      `Cannot decode the message: ${message.byteLength - length} bytes after its end`,
      { field: "end", offset: length, found: message.byteLength, expected: `${length} bytes` },
    );
  }
  const type = TYPES.get(message[3])!;
  const reader = new WireReader(message, WIRE_HEADER_BYTES);
  const decoded = decodeBody(type, reader, message[2]);
  reader.end();
  return decoded;
}

/** An audio frame's channels, sample rate and frame count, each checked (audio and encoded audio). */
function audioShape(
  reader: WireReader,
): { channels: number; sampleRate: number; frameCount: number } {
  const channelsAt = reader.offset;
  const channels = reader.u16("frame.channels");
  if (channels === 0) throw malformed("frame.channels", channelsAt, 0, "1 to 65535");
  const rateAt = reader.offset;
  const sampleRate = reader.f64("frame.sampleRate");
  if (!(sampleRate > 0 && sampleRate < Infinity)) {
    throw malformed("frame.sampleRate", rateAt, sampleRate, "a finite number above 0");
  }
  const countAt = reader.offset;
  const frameCount = reader.u32("frame.frameCount");
  if (frameCount === 0) throw malformed("frame.frameCount", countAt, 0, "at least 1");
  return { channels, sampleRate, frameCount };
}

/** The body of a message of `type` in wire `version`. */
function decodeBody(type: WireMessageType, reader: WireReader, version: number): WireMessage {
  // The highest frame kind code of the message's version.
  const kinds = version === 1 ? VERSION_1_KIND_CODES : KINDS.size;
  switch (type) {
    case "open": {
      const pipeline = reader.string("pipeline", WIRE_LIMITS.nameBytes);
      const token = reader.string("token", WIRE_LIMITS.tokenBytes);
      const metadata = readMetadata(reader);
      if (version === 1) return { type, pipeline, token, metadata };
      const at = reader.offset;
      const text = reader.string("parameters", WIRE_LIMITS.parametersBytes);
      return { type, pipeline, token, metadata, parameters: parseParameters(text, at) };
    }
    case "accept":
      return {
        type,
        sessionId: reader.string("sessionId", WIRE_LIMITS.nameBytes),
        inputs: readPorts(reader, "inputs", kinds),
        outputs: readPorts(reader, "outputs", kinds),
        maxMessageBytes: reader.u32("maxMessageBytes"),
      };
    case "frame":
      return {
        type,
        port: reader.string("port", WIRE_LIMITS.nameBytes),
        sequence: reader.u64("sequence"),
        metadata: readMetadata(reader),
        frame: readFrame(reader, kinds),
      };
    case "end":
      return { type, port: reader.string("port", WIRE_LIMITS.nameBytes) };
    case "close":
      return {
        type,
        code: reader.string("code", WIRE_LIMITS.codeBytes),
        message: reader.string("message", WIRE_LIMITS.messageBytes),
      };
    case "error": {
      const code = reader.string("code", WIRE_LIMITS.codeBytes);
      const message = reader.string("message", WIRE_LIMITS.messageBytes);
      const at = reader.offset;
      const fatal = reader.u8("fatal");
      if (fatal > 1) throw malformed("fatal", at, fatal, "0 or 1");
      return { type, code, message, fatal: fatal === 1 };
    }
    case "ping":
    case "pong":
      return { type, id: reader.u64("id") };
    case "configure": {
      const id = reader.u32("id");
      const at = reader.offset;
      const text = reader.string("parameters", WIRE_LIMITS.parametersBytes);
      return { type, id, parameters: parseParameters(text, at) };
    }
    case "configured":
      return {
        type,
        id: reader.u32("id"),
        code: reader.string("code", WIRE_LIMITS.codeBytes),
        message: reader.string("message", WIRE_LIMITS.messageBytes),
      };
  }
}

function readMetadata(reader: WireReader): WireMetadata {
  const at = reader.offset;
  const count = reader.u16("metadata count");
  if (count > WIRE_LIMITS.metadataEntries) {
    throw new WireError(
      "wire_too_large",
      `Cannot decode metadata: ${count} entries, over the limit of ${WIRE_LIMITS.metadataEntries}`,
      {
        field: "metadata count",
        offset: at,
        found: count,
        expected: `at most ${WIRE_LIMITS.metadataEntries}`,
      },
    );
  }
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const keyAt = reader.offset;
    const key = reader.string("metadata key", WIRE_LIMITS.metadataKeyBytes);
    if (seen.has(key)) throw malformed("metadata key", keyAt, key, "keys that appear once");
    seen.add(key);
    entries.push([key, reader.string("metadata value", WIRE_LIMITS.metadataValueBytes)]);
  }
  return Object.fromEntries(entries);
}

function readPorts(reader: WireReader, field: string, kinds: number): WirePort[] {
  const at = reader.offset;
  const count = reader.u16(`${field} count`);
  if (count > WIRE_LIMITS.ports) {
    throw new WireError(
      "wire_too_large",
      `Cannot decode ${field}: ${count} ports, over the limit of ${WIRE_LIMITS.ports}`,
      {
        field: `${field} count`,
        offset: at,
        found: count,
        expected: `at most ${WIRE_LIMITS.ports}`,
      },
    );
  }
  const ports: WirePort[] = [];
  for (let i = 0; i < count; i++) {
    const name = reader.string(`${field} name`, WIRE_LIMITS.nameBytes);
    const kindAt = reader.offset;
    const code = reader.u8(`${field} kind`);
    const kind = code === 0 ? "any" : code <= kinds ? KINDS.get(code) : undefined;
    if (kind === undefined) throw malformed(`${field} kind`, kindAt, code, `0 to ${kinds}`);
    ports.push({ name, kind });
  }
  return ports;
}

function readFrame(reader: WireReader, kinds: number): Frame {
  const kindAt = reader.offset;
  const code = reader.u8("frame.kind");
  const kind = code <= kinds ? KINDS.get(code) : undefined;
  if (kind === undefined) throw malformed("frame.kind", kindAt, code, `1 to ${kinds}`);
  const timestampNs = reader.i64("frame.timestampNs");
  switch (kind) {
    case "audio": {
      const frameNumber = reader.u64("frame.frameNumber");
      const { channels, sampleRate, frameCount } = audioShape(reader);
      const bytes = channels * frameCount * 4;
      exactRest(reader, bytes, "frame.samples");
      return {
        kind,
        channels,
        sampleRate,
        frameCount,
        samples: bytesToSamples(reader.rest()),
        timestampNs,
        frameNumber,
      };
    }
    case "video": {
      const frameNumber = reader.u64("frame.frameNumber");
      const widthAt = reader.offset;
      const width = reader.u32("frame.width");
      if (width === 0) throw malformed("frame.width", widthAt, 0, "at least 1");
      const heightAt = reader.offset;
      const height = reader.u32("frame.height");
      if (height === 0) throw malformed("frame.height", heightAt, 0, "at least 1");
      const formatAt = reader.offset;
      const formatCode = reader.u8("frame.format");
      const format = PIXEL_FORMAT_CODES[formatCode];
      if (format === undefined) {
        throw malformed(
          "frame.format",
          formatAt,
          formatCode,
          `0 to ${PIXEL_FORMAT_CODES.length - 1}`,
        );
      }
      const strideAt = reader.offset;
      const stride = reader.u32("frame.stride");
      const minStride = minimumVideoStride(format, width);
      if (stride < minStride) {
        throw malformed("frame.stride", strideAt, stride, `at least ${minStride}`);
      }
      const minBytes = minimumVideoBytes(format, width, height, stride);
      if (reader.remaining < minBytes) {
        throw new WireError(
          "wire_truncated",
          `Cannot decode frame.data: ${reader.remaining} bytes, a ${width}x${height} ${format} frame at stride ${stride} needs at least ${minBytes}`,
          {
            field: "frame.data",
            offset: reader.offset,
            found: reader.remaining,
            expected: `at least ${minBytes} bytes`,
          },
        );
      }
      return { kind, width, height, format, stride, timestampNs, frameNumber, data: reader.rest() };
    }
    case "encoded-video": {
      const frameNumber = reader.u64("frame.frameNumber");
      const codecAt = reader.offset;
      const codecCode = reader.u8("frame.codec");
      const codec = VIDEO_CODEC_CODES[codecCode];
      if (codec === undefined) {
        throw malformed("frame.codec", codecAt, codecCode, `0 to ${VIDEO_CODEC_CODES.length - 1}`);
      }
      const flagsAt = reader.offset;
      const flags = reader.u8("frame.flags");
      if ((flags & ~KEYFRAME_FLAG) !== 0) throw malformed("frame.flags", flagsAt, flags, "0 or 1");
      return {
        kind,
        codec,
        keyframe: flags === KEYFRAME_FLAG,
        timestampNs,
        frameNumber,
        data: reader.rest(),
      };
    }
    case "encoded-audio": {
      const frameNumber = reader.u64("frame.frameNumber");
      const codecAt = reader.offset;
      const codecCode = reader.u8("frame.codec");
      const codec = AUDIO_CODEC_CODES[codecCode];
      if (codec === undefined) {
        throw malformed("frame.codec", codecAt, codecCode, `0 to ${AUDIO_CODEC_CODES.length - 1}`);
      }
      const { channels, sampleRate, frameCount } = audioShape(reader);
      const extraAt = reader.offset;
      const extraBytes = reader.u8("frame.extradata length");
      if (extraBytes > WIRE_LIMITS.extradataBytes) {
        throw new WireError(
          "wire_too_large",
          `Cannot decode frame.extradata: ${extraBytes} bytes, over the limit of ${WIRE_LIMITS.extradataBytes}`,
          {
            field: "frame.extradata",
            offset: extraAt,
            found: extraBytes,
            expected: `at most ${WIRE_LIMITS.extradataBytes} bytes`,
          },
        );
      }
      const extradata = reader.take(extraBytes, "frame.extradata").slice();
      return {
        kind,
        codec,
        channels,
        sampleRate,
        frameCount,
        extradata,
        timestampNs,
        frameNumber,
        data: reader.rest(),
      };
    }
    case "data": {
      const at = reader.offset;
      const text = reader.restText("frame.value");
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new WireError(
          "wire_malformed",
          `Cannot decode frame.value: not JSON (${
            (error as Error).message.slice(0, 200)
          }), expected one JSON value in UTF-8`,
          {
            field: "frame.value",
            offset: at,
            found: "not JSON",
            expected: "one JSON value in UTF-8",
          },
        );
      }
      if (jsonOverflows(text)) {
        throw new WireError(
          "wire_malformed",
          `Cannot decode frame.value: a number past a 64-bit float's range; expected ${JSON_NUMBER_RANGE}`,
          {
            field: "frame.value",
            offset: at,
            found: "a number past a 64-bit float's range",
            expected: JSON_NUMBER_RANGE,
          },
        );
      }
      return { kind, timestampNs, value };
    }
  }
}

/** Refuses a payload shorter (`wire_truncated`) or longer (`wire_malformed`) than its fields say. */
function exactRest(reader: WireReader, bytes: number, field: string): void {
  if (reader.remaining < bytes) {
    throw new WireError(
      "wire_truncated",
      `Cannot decode ${field}: ${reader.remaining} bytes, its fields say ${bytes}`,
      { field, offset: reader.offset, found: reader.remaining, expected: `${bytes} bytes` },
    );
  }
  if (reader.remaining > bytes) {
    throw new WireError(
      "wire_malformed",
      `Cannot decode ${field}: ${reader.remaining - bytes} bytes after the last sample`,
      { field, offset: reader.offset + bytes, found: reader.remaining, expected: `${bytes} bytes` },
    );
  }
}

function bytesToSamples(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer);
  const samples = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(4 * i, true);
  return samples;
}

function malformed(
  field: string,
  offset: number,
  found: number | string,
  expected: string,
): WireError {
  return new WireError(
    "wire_malformed",
    `Cannot decode ${field}: ${found} is not valid, expected ${expected}`,
    { field, offset, found, expected },
  );
}
