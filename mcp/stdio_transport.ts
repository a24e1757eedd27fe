/**
 * `LineTransport`: MCP's stdio framing (one JSON-RPC message per line) over a byte stream in and
 * a writer out, with a bound on message size, linear reading, and a close on end of input.
 *
 * @module
 */

// @ts-types="@modelcontextprotocol/sdk/shared/transport"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { LineSplitter } from "./line_splitter.ts";
import { type JsonRpcErrorReply, NOT_UTF8, screenMessage } from "./message_gate.ts";

/** Largest MCP message accepted, in bytes: a stdio line or an HTTP body (4 MiB). */
export const MCP_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * A message longer than the limit. It was discarded unread; the transport answers it with a
 * JSON-RPC error (-32600) carrying its id when the id could be found at either end of the line.
 *
 * @example The message says how long it was and what the limit is
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageTooLargeError } from "./stdio_transport.ts";
 *
 * const error = new MessageTooLargeError(12_000_000, 4_194_304, 7);
 * assert.equal(error.code, "message_too_large");
 * assert.equal(error.id, 7);
 * ```
 */
export class MessageTooLargeError extends Error {
  /** Always `message_too_large`. */
  readonly code = "message_too_large";
  /** The message's size in bytes. */
  readonly size: number;
  /** The limit in bytes. */
  readonly limit: number;
  /** The request id read from the line, or `null` when none could be. */
  readonly id: string | number | null;

  /**
   * Creates the error.
   *
   * @param size The message's size in bytes.
   * @param limit The limit in bytes.
   * @param id Its request id, when known.
   */
  constructor(size: number, limit: number, id: string | number | null = null) {
    super(
      `Request too large: the message is ${size} bytes, the limit is ${limit} bytes; it was discarded`,
    );
    this.name = "MessageTooLargeError";
    this.size = size;
    this.limit = limit;
    this.id = id;
  }
}

/**
 * A line that is JSON but not a message this server takes: a batch, a value that is not a
 * JSON-RPC message, or a request whose params do not fit its method. `reply` is the JSON-RPC
 * error to answer with (see {@linkcode screenMessage}).
 *
 * @example The reply keeps the request's id
 * ```ts
 * import { InvalidMessageError } from "./stdio_transport.ts";
 *
 * const error = new InvalidMessageError({
 *   jsonrpc: "2.0",
 *   id: 3,
 *   error: { code: -32602, message: "Invalid params for tools/call: 'name' must be a string, got nothing" },
 * });
 * console.log(error.reply.id, error.message.startsWith("Invalid params")); // 3 true
 * ```
 */
export class InvalidMessageError extends Error {
  /** The JSON-RPC error reply. */
  readonly reply: JsonRpcErrorReply;

  /**
   * Creates the error.
   *
   * @param reply The reply to send.
   */
  constructor(reply: JsonRpcErrorReply) {
    super(reply.error.message);
    this.name = "InvalidMessageError";
    this.reply = reply;
  }
}

/** Where a {@linkcode LineTransport} reads and writes. */
export interface LineTransportStreams {
  /** The input, e.g. `Deno.stdin.readable`. */
  readonly input: ReadableStream<Uint8Array>;
  /** Writes bytes out, e.g. to `Deno.stdout`. */
  readonly write: (bytes: Uint8Array) => Promise<void>;
  /** The longest message read. Default {@linkcode MCP_MAX_MESSAGE_BYTES}. */
  readonly maxMessageBytes?: number;
  /**
   * Most bytes waiting to be written before notifications are dropped (a client that stopped
   * reading must not grow the queue without end). Default {@linkcode MCP_MAX_QUEUED_BYTES}.
   */
  readonly maxQueuedBytes?: number;
}

/** Most bytes of messages waiting to be written on stdio before notifications are dropped (16 MiB). */
export const MCP_MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/**
 * Notifications were dropped because the client does not read its end of the output: the
 * messages waiting to be written reached the bound. Reported once each time dropping starts.
 */
export class NotificationsDroppedError extends Error {
  /** Notifications dropped so far. */
  readonly dropped: number;

  /**
   * Creates the error.
   *
   * @param dropped Notifications dropped so far.
   * @param maxQueuedBytes The bound.
   */
  constructor(dropped: number, maxQueuedBytes: number) {
    super(
      `The client is not reading: ${maxQueuedBytes} bytes wait to be written, so notifications ` +
        `are dropped until they drain (${dropped} so far); responses are kept`,
    );
    this.name = "NotificationsDroppedError";
    this.dropped = dropped;
  }
}

/**
 * The MCP stdio transport: reads newline-delimited JSON-RPC messages from `input` and writes
 * them to `write`. Unlike the SDK's, a line over the limit is answered with a JSON-RPC error and
 * reading goes on; reading is linear in the input; and the end of the input (the client left)
 * always closes the transport, so `onclose` fires, as does a failed write (the client closed its
 * end of the output): `onerror` gets that error and {@linkcode LineTransport.writeError} keeps it.
 *
 * @example Over in-memory streams
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineTransport } from "./stdio_transport.ts";
 *
 * const input = ReadableStream.from([new TextEncoder().encode('{"jsonrpc":"2.0","method":"x"}\n')]);
 * const transport = new LineTransport({ input, write: () => Promise.resolve() });
 * const seen: unknown[] = [];
 * const closed = new Promise<void>((resolve) => transport.onclose = resolve);
 * transport.onmessage = (message) => seen.push(message);
 * await transport.start();
 * await closed; // the input ended
 * assert.deepEqual(seen, [{ jsonrpc: "2.0", method: "x" }]);
 * ```
 */
export class LineTransport implements Transport {
  /** Called with each message read. */
  onmessage?: (message: JSONRPCMessage) => void;
  /**
   * Called with a line that is not a message: not JSON (`SyntaxError`), not a message this server
   * takes ({@linkcode InvalidMessageError}) or too long ({@linkcode MessageTooLargeError}).
   */
  onerror?: (error: Error) => void;
  /**
   * Called once, when the input ends, a write fails or {@linkcode LineTransport.close} is called.
   */
  onclose?: () => void;

  readonly #input: ReadableStream<Uint8Array>;
  readonly #write: (bytes: Uint8Array) => Promise<void>;
  readonly #max: number;
  readonly #maxQueued: number;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #queued = 0;
  #dropped = 0;
  #dropping = false;
  #closed = false;
  #writeError: Error | undefined;

  /**
   * Creates the transport; {@linkcode LineTransport.start} begins reading.
   *
   * @param streams Input, output and the size limit.
   */
  constructor(streams: LineTransportStreams) {
    this.#input = streams.input;
    this.#write = streams.write;
    this.#max = streams.maxMessageBytes ?? MCP_MAX_MESSAGE_BYTES;
    this.#maxQueued = streams.maxQueuedBytes ?? MCP_MAX_QUEUED_BYTES;
  }

  /** Starts reading (in the background). */
  start(): Promise<void> {
    if (this.#reader) throw new Error("LineTransport already started");
    this.#reader = this.#input.getReader();
    this.#read(this.#reader).catch((error) => this.onerror?.(error as Error)).finally(() =>
      this.close()
    );
    return Promise.resolve();
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const splitter = new LineSplitter(this.#max);
    const decoder = new TextDecoder();
    // A message is UTF-8 JSON: a line that is not UTF-8 is refused, not read with U+FFFD in place
    // of its bad bytes (which would turn a path or an id into another one).
    const strict = new TextDecoder("utf-8", { fatal: true });
    while (!this.#closed) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const line of splitter.push(value)) {
        if (this.#closed) return;
        if (line.kind === "too_long") {
          const id = requestId(decoder.decode(line.head), decoder.decode(line.tail));
          this.onerror?.(new MessageTooLargeError(line.size, this.#max, id));
          continue;
        }
        let text: string;
        try {
          text = strict.decode(line.bytes);
        } catch {
          this.onerror?.(new InvalidMessageError(NOT_UTF8));
          continue;
        }
        if (text.trim() === "") continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        const screened = screenMessage(value);
        if ("reply" in screened) {
          if (screened.reply) this.onerror?.(new InvalidMessageError(screened.reply));
          continue;
        }
        this.onmessage?.(screened.message);
      }
    }
  }

  /**
   * Writes one message as a line. Writes go out in order.
   *
   * @param message The message.
   */
  send(message: JSONRPCMessage): Promise<void> {
    const bytes = new TextEncoder().encode(`${JSON.stringify(message)}\n`);
    if (!("id" in message) && this.#queued + bytes.length > this.#maxQueued) {
      // A notification while the client does not read: dropped, not queued without end. A
      // response is always kept (one per request the client sent).
      this.#dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.onerror?.(new NotificationsDroppedError(this.#dropped, this.#maxQueued));
      }
      return Promise.resolve();
    }
    this.#queued += bytes.length;
    const next = this.#writing.then(() => this.#closed ? undefined : this.#write(bytes))
      .finally(() => {
        this.#queued -= bytes.length;
        if (this.#queued === 0) this.#dropping = false;
      });
    this.#writing = next.catch((error) => {
      // Nothing more can be answered (the reader closed its end: EPIPE): the transport closes,
      // as at the end of the input, instead of reading requests it can never answer.
      if (this.#closed) return;
      this.#writeError = error as Error;
      this.onerror?.(error as Error);
      void this.close();
    });
    return next;
  }

  /** Notifications dropped so far because the client did not read (see `maxQueuedBytes`). */
  get droppedNotifications(): number {
    return this.#dropped;
  }

  /** The error of the write that closed the transport, or `undefined` if none failed. */
  get writeError(): Error | undefined {
    return this.#writeError;
  }

  /** Stops reading and calls `onclose`. Idempotent. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#reader?.cancel().catch(() => {});
    this.onclose?.();
    return Promise.resolve();
  }
}

/**
 * The id of a JSON-RPC request from the first and last bytes of its line: `{"jsonrpc":"2.0",
 * "id":…` at the start, or `"id":…}` at the very end (where the SDK's client puts it).
 *
 * @param head The line's first bytes, as text.
 * @param tail Its last bytes, as text.
 * @returns The id, or `null`.
 */
export function requestId(head: string, tail: string): string | number | null {
  const value = String.raw`(-?\d{1,15}|"[^"\\]{0,200}")`;
  const found = new RegExp(String.raw`^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*${value}`)
    .exec(head) ??
    new RegExp(String.raw`"id"\s*:\s*${value}\s*\}\s*$`).exec(tail);
  return found ? JSON.parse(found[1]) : null;
}
