/**
 * The framed stdio protocol of {@linkcode SubprocessProcessor}: each message is a 4-byte
 * little-endian header length, a UTF-8 JSON header, then `header.bytes` bytes of payload
 * (interleaved little-endian Float32 samples for audio). See `docs/plugins.md`.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../core/errors/codes.ts";

/**
 * The protocol version: 2. Version 1 is the `audio` / `skip` / `error` exchange of
 * `SubprocessProcessor`, unchanged in version 2; version 2 adds the `hello` / `ready` handshake
 * (with the node's config) and `process` / `frames` messages carrying audio, video and data
 * frames by port, which Python processors speak (`docs/python_processors.md`). Sent in the
 * `hello` message.
 *
 * @example Pass the version to a child that wants to check it, on its command line
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROTOCOL_VERSION, type SubprocessProcessorConfig } from "@streamlib/streamlib/plugins";
 *
 * const config: Partial<SubprocessProcessorConfig> = {
 *   command: "python3",
 *   args: ["my_filter.py", `--protocol=${PROTOCOL_VERSION}`],
 * };
 * assert.equal(config.args?.at(-1), "--protocol=2");
 * ```
 */
export const PROTOCOL_VERSION = 2;

/**
 * The largest header accepted, in bytes: a longer one means the child wrote something else.
 *
 * @example A length prefix above it is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_HEADER_BYTES, MessageReader, ProtocolError } from "@streamlib/streamlib/plugins";
 *
 * const bytes = new Uint8Array(8);
 * new DataView(bytes.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
 * try {
 *   await new MessageReader(ReadableStream.from([bytes])).read();
 * } catch (error) {
 *   assert.ok(error instanceof ProtocolError);
 * }
 * ```
 */
export const MAX_HEADER_BYTES = 65_536;

/**
 * The largest payload accepted, in bytes (64 MiB).
 *
 * @example How much 48 kHz stereo audio one message can carry
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_PAYLOAD_BYTES } from "@streamlib/streamlib/plugins";
 *
 * const bytesPerSecond = 48_000 * 2 * 4; // frames per second * channels * bytes per Float32 sample
 * assert.equal(Math.floor(MAX_PAYLOAD_BYTES / bytesPerSecond), 174);
 * ```
 */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/**
 * The JSON header of one message.
 *
 * @example The header of a stereo audio block, encoded with its samples
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMessage, type FrameHeader } from "@streamlib/streamlib/plugins";
 *
 * const samples = new Float32Array([0.5, -0.5, 0.25, -0.25]); // 2 frames, L R interleaved
 * const header: FrameHeader = {
 *   type: "audio",
 *   channels: 2,
 *   sampleRate: 48_000,
 *   frameCount: 2,
 *   frameNumber: 0,
 *   timestampNs: 0,
 * };
 * const bytes = encodeMessage(header, new Uint8Array(samples.buffer));
 * const length = new DataView(bytes.buffer).getUint32(0, true);
 * assert.equal(JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))).bytes, 16);
 * ```
 */
export interface FrameHeader {
  /** `"audio"` (a block of samples), `"skip"` (no output for this input) or `"error"`. */
  readonly type: string;
  /** Payload length in bytes. Default 0. */
  readonly bytes?: number;
  /** Further fields: `channels`, `sampleRate`, `frameCount`, `frameNumber`, `timestampNs`, `message`. */
  readonly [field: string]: unknown;
}

/**
 * One decoded message.
 */
export interface FrameMessage {
  /** The header. */
  readonly header: FrameHeader;
  /** The payload (its own buffer, offset 0). */
  readonly payload: Uint8Array;
}

/**
 * Thrown when the bytes a child wrote are not a protocol message; the message shows them.
 *
 * @example A child that prints text to stdout
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageReader, ProtocolError } from "@streamlib/streamlib/plugins";
 *
 * const stdout = ReadableStream.from([new TextEncoder().encode("hello world\n")]);
 * await assert.rejects(
 *   () => new MessageReader(stdout).read(),
 *   (error) => {
 *     assert.ok(error instanceof ProtocolError);
 *     assert.equal(error.bytesRead.length, 12);
 *     assert.equal(
 *       error.message,
 *       "Cannot read a message from the child: a header length of 1819043176 bytes (expected 1 to 65536; is the child printing to stdout?), read 12 bytes \"hello world.\" (68 65 6c 6c 6f 20 77 6f 72 6c 64 0a)",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class ProtocolError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "child_protocol_error";
  /** The bytes read, as far as they were read (at most 64). */
  readonly bytesRead: Uint8Array;

  /**
   * Creates the error.
   *
   * @param reason What is wrong.
   * @param bytesRead The offending bytes.
   */
  constructor(reason: string, bytesRead: Uint8Array) {
    const shown = bytesRead.subarray(0, 64);
    super(`Cannot read a message from the child: ${reason}, read ${describeBytes(shown)}`);
    this.name = "ProtocolError";
    this.bytesRead = shown;
  }

  /** The bytes read, in hex. */
  get details(): ErrorDetails {
    return { bytesRead: [...this.bytesRead].map((b) => b.toString(16).padStart(2, "0")).join(" ") };
  }
}

/**
 * Encodes one message.
 *
 * @param header The JSON header; `bytes` is set to the payload length.
 * @param payload The payload bytes.
 * @returns The message bytes.
 *
 * @example Encode a header-only message
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMessage } from "@streamlib/streamlib/plugins";
 *
 * const bytes = encodeMessage({ type: "skip" });
 * assert.equal(new DataView(bytes.buffer).getUint32(0, true), 25);
 * ```
 */
export function encodeMessage(
  header: FrameHeader,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, bytes: payload.byteLength }));
  const out = new Uint8Array(4 + json.byteLength + payload.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 4);
  out.set(payload, 4 + json.byteLength);
  return out;
}

/**
 * Reads messages from a byte stream (a child's stdout).
 *
 * @example Decode what encodeMessage() wrote
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMessage, MessageReader } from "@streamlib/streamlib/plugins";
 *
 * const reader = new MessageReader(ReadableStream.from([encodeMessage({ type: "skip" })]));
 * assert.equal((await reader.read())?.header.type, "skip");
 * ```
 */
export class MessageReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  /**
   * Wraps a stream.
   *
   * @param stream The bytes.
   */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * Reads one message.
   *
   * @returns The message, or `undefined` when the stream ended cleanly before it.
   * @throws {ProtocolError} When the bytes are not a message, or the stream ends inside one.
   */
  async read(): Promise<FrameMessage | undefined> {
    const prefix = await this.#readExact(4);
    if (prefix.byteLength === 0) return undefined;
    if (prefix.byteLength < 4) throw new ProtocolError("the output ended inside a length", prefix);
    const length = new DataView(prefix.buffer).getUint32(0, true);
    if (length === 0 || length > MAX_HEADER_BYTES) {
      const more = this.#peekSome(prefix);
      throw new ProtocolError(
        `a header length of ${length} bytes (expected 1 to ${MAX_HEADER_BYTES}; is the child printing to stdout?)`,
        more,
      );
    }
    const json = await this.#readExact(length);
    if (json.byteLength < length) {
      throw new ProtocolError(`the output ended inside a ${length}-byte header`, json);
    }
    let header: FrameHeader;
    try {
      header = JSON.parse(new TextDecoder().decode(json));
    } catch {
      throw new ProtocolError("a header that is not JSON", json);
    }
    if (typeof header !== "object" || header === null || typeof header.type !== "string") {
      throw new ProtocolError("a header without a string `type`", json);
    }
    const bytes = header.bytes ?? 0;
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_PAYLOAD_BYTES) {
      throw new ProtocolError(`a header with an invalid \`bytes\` ${JSON.stringify(bytes)}`, json);
    }
    const payload = await this.#readExact(bytes);
    if (payload.byteLength < bytes) {
      throw new ProtocolError(`the output ended inside a ${bytes}-byte payload`, payload);
    }
    return { header, payload };
  }

  /** Stops reading; the stream is cancelled. Idempotent. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  #peekSome(prefix: Uint8Array): Uint8Array {
    if (this.#buffered === 0) return prefix; // show what is already here, do not wait for more
    return concat([prefix, this.#take(Math.min(this.#buffered, 60))]);
  }

  async #readExact(n: number): Promise<Uint8Array> {
    while (this.#buffered < n) {
      const { value, done } = await this.#reader.read();
      if (done) return this.#take(this.#buffered);
      this.#chunks.push(value);
      this.#buffered += value.byteLength;
    }
    return this.#take(n);
  }

  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#chunks[0];
      const need = n - at;
      if (chunk.byteLength <= need) {
        out.set(chunk, at);
        at += chunk.byteLength;
        this.#chunks.shift();
      } else {
        out.set(chunk.subarray(0, need), at);
        this.#chunks[0] = chunk.subarray(need);
        at = n;
      }
    }
    this.#buffered -= n;
    return out;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function describeBytes(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = new TextDecoder().decode(bytes).replace(/[^\x20-\x7e]/g, ".");
  return `${bytes.byteLength} byte${bytes.byteLength === 1 ? "" : "s"} ${JSON.stringify(text)} (${
    hex || "none"
  })`;
}
