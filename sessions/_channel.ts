/**
 * {@linkcode SessionChannel}: one end of the channel between a session and its isolate, internal
 * to `sessions/`.
 *
 * @module
 */

import { createRing, RingReader, RingWriter } from "./_ring.ts";

/** Bytes of records each direction's ring holds (a few hundred 20 ms blocks of audio). */
export const RING_BYTES = 256 * 1024;

/** What one end needs to open the channel: a ring per direction and a port. */
export interface ChannelBuffers {
  /** The ring this end writes. */
  readonly out: SharedArrayBuffer;
  /** The ring this end reads. */
  readonly in: SharedArrayBuffer;
}

/**
 * The buffers of a new channel: one end's, and the other's (the same rings, crossed).
 *
 * @returns `[this end's, the other end's]`.
 */
export function createChannelBuffers(): [ChannelBuffers, ChannelBuffers] {
  const a = createRing(RING_BYTES);
  const b = createRing(RING_BYTES);
  return [{ out: a, in: b }, { out: b, in: a }];
}

/** A record that carries a message in the ring. */
const INLINE = 0;
/** A record that says: the next message posted on the port goes here. */
const POSTED = 1;
/** The frame's payload kinds a record carries after its JSON. */
const NO_PAYLOAD = 0;
const F32_SAMPLES = 1;
const U8_DATA = 2;
/** Bytes before a record's JSON: kind, payload kind, two unused, JSON length. */
const RECORD_HEAD = 8;

const utf8 = new TextEncoder();
const text = new TextDecoder();

/**
 * One end of a session's channel: messages cross in a ring of shared memory per direction, the
 * reader woken by the runtime's doorbell protocol (rung only when it sleeps), so a frame costs a
 * copy and at most one wake-up of the other thread, not a structured clone and a message event.
 *
 * A message is JSON, with a frame's payload (`samples`, `data`) after it as raw bytes. One that is
 * not plain JSON (a data frame's value, a frame with fields of other types), is larger than a
 * quarter of the ring, or is posted with buffers to move, crosses the port as a structured clone
 * instead, and a record in the ring keeps its place among the others: order is kept both ways.
 * A ring with no room keeps later messages on this side until the reader makes room.
 *
 * @example Messages cross in order, a frame's samples with them
 * ```ts
 * import assert from "node:assert/strict";
 * import { createChannelBuffers, SessionChannel } from "./_channel.ts";
 * import type { ToIsolate } from "./_protocol.ts";
 *
 * const [a, b] = createChannelBuffers();
 * const { port1, port2 } = new MessageChannel();
 * const got: unknown[] = [];
 * const sender = new SessionChannel<ToIsolate, unknown>(a, port1, () => {});
 * const receiver = new SessionChannel<ToIsolate, unknown>(b, port2, (message) => got.push(message));
 * const samples = new Float32Array([0.5, 0.25]);
 * sender.post({ t: "send", id: 1, input: "in", frame: { kind: "audio", channels: 1, sampleRate: 8000, samples } });
 * sender.post({ t: "credit", output: "out", n: 2 });
 * while (got.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
 * const [send, credit] = got as [{ frame: { samples: Float32Array } }, { n: number }];
 * assert.deepEqual([...send.frame.samples], [0.5, 0.25]);
 * assert.equal(credit.n, 2);
 * sender.close();
 * receiver.close();
 * ```
 */
export class SessionChannel<Out extends { readonly t: string }, In> {
  readonly #writer: RingWriter;
  readonly #reader: RingReader;
  readonly #port: MessagePort;
  readonly #onMessage: (message: In) => void;
  /** Records that found no room, in order, for the writer to copy once the reader made room. */
  readonly #backlog: [Uint8Array, Uint8Array | undefined][] = [];
  /** Messages that came on the port before their record in the ring. */
  readonly #posted: In[] = [];
  #wakePosted: (() => void) | undefined;
  #closed = false;

  /**
   * Opens one end and starts reading.
   *
   * @param buffers This end's rings.
   * @param port The port beside them (messages that do not go in a ring).
   * @param onMessage Hears each message from the other end, in order.
   */
  constructor(buffers: ChannelBuffers, port: MessagePort, onMessage: (message: In) => void) {
    this.#writer = new RingWriter(buffers.out);
    this.#reader = new RingReader(buffers.in);
    this.#port = port;
    this.#onMessage = onMessage;
    port.onmessage = (event: MessageEvent<In>) => {
      this.#posted.push(event.data);
      const wake = this.#wakePosted;
      this.#wakePosted = undefined;
      wake?.();
    };
    void this.#read();
  }

  /**
   * Sends a message to the other end.
   *
   * @param message The message.
   * @param forPort When it must cross the port: the message to post there and the buffers it
   *   moves (a frame's own copy of its payload, say). Default: `message`, nothing moved.
   * @throws {DOMException} `DataCloneError` for a message that must cross the port and cannot be
   *   cloned (nothing is sent).
   */
  post(message: Out, forPort?: () => [Out, Transferable[]]): void {
    if (this.#closed) return;
    const record = encode(message);
    if (
      record !== undefined &&
      record[0].byteLength + (record[1]?.byteLength ?? 0) <= this.#writer.maxRecordBytes
    ) {
      this.#write(record[0], record[1]);
      return;
    }
    const [posted, transfer] = forPort?.() ?? [message, []];
    this.#port.postMessage(posted, transfer);
    this.#write(POSTED_RECORD, undefined);
  }

  /** Stops reading and sending; the other end's messages not read yet are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#backlog.length = 0;
    this.#reader.interrupt();
    this.#wakePosted?.();
    this.#port.close();
  }

  #write(head: Uint8Array, payload: Uint8Array | undefined): void {
    if (this.#backlog.length === 0 && this.#writer.write(head, payload)) return;
    this.#backlog.push([head, payload]);
    if (this.#backlog.length === 1) void this.#flushBacklog();
  }

  async #flushBacklog(): Promise<void> {
    while (!this.#closed && this.#backlog.length > 0) {
      const [head, payload] = this.#backlog[0];
      if (this.#writer.write(head, payload)) this.#backlog.shift();
      else await this.#writer.whenRoom();
    }
  }

  async #read(): Promise<void> {
    const reader = this.#reader;
    while (!this.#closed) {
      const record = reader.peek();
      if (record === undefined) {
        await reader.wait();
        continue;
      }
      let message: In;
      if (record[0] === POSTED) {
        if (this.#posted.length === 0) {
          await new Promise<void>((resolve) => (this.#wakePosted = resolve));
          continue;
        }
        message = this.#posted.shift()!;
      } else {
        message = decode(record) as In;
      }
      reader.advance();
      try {
        this.#onMessage(message);
      } catch (error) {
        // As a throw in a message handler: reported, and the next message is read.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

const POSTED_RECORD = new Uint8Array([POSTED, 0, 0, 0, 0, 0, 0, 0]);

/** A message's frame, when it carries one (`send`: `frame`; `frame`: `item.frame`). */
function frameOf(message: { readonly t: string }): Record<string, unknown> | undefined {
  const m = message as { t: string; frame?: unknown; item?: { frame?: unknown } };
  const frame = m.t === "send" ? m.frame : m.t === "frame" ? m.item?.frame : undefined;
  return typeof frame === "object" && frame !== null ? frame as Record<string, unknown> : undefined;
}

/**
 * The record of a message (its head, and its frame's payload), or `undefined` when it is not
 * plain JSON: a frame field that is not a string, a boolean, a finite number or its payload; a
 * data frame (its value may be any clonable value); metadata that is not strings.
 */
function encode(message: { readonly t: string }): [Uint8Array, Uint8Array | undefined] | undefined {
  const frame = frameOf(message);
  let payloadKind = NO_PAYLOAD;
  let payload: Uint8Array | undefined;
  let json: string;
  if (frame === undefined) {
    if (message.t === "send" || message.t === "frame") return undefined;
    json = JSON.stringify(message);
  } else {
    if (frame.kind === "data") return undefined;
    let key = "";
    for (const name in frame) {
      const value = frame[name];
      const type = typeof value;
      if (type === "string" || type === "boolean" || value === undefined) continue;
      if (type === "number" && Number.isFinite(value)) continue;
      if (key === "" && (name === "samples" || name === "data")) {
        if (value instanceof Float32Array && name === "samples") payloadKind = F32_SAMPLES;
        else if (value instanceof Uint8Array && name === "data") payloadKind = U8_DATA;
        else return undefined;
        const view = value as Float32Array | Uint8Array;
        payload = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        key = name;
        continue;
      }
      return undefined;
    }
    const m = message as { t: string; metadata?: unknown; item?: { metadata?: unknown } };
    const metadata = m.t === "send" ? m.metadata : m.item?.metadata;
    if (metadata !== undefined) {
      if (typeof metadata !== "object" || metadata === null) return undefined;
      for (const name in metadata) {
        if (typeof (metadata as Record<string, unknown>)[name] !== "string") return undefined;
      }
    }
    json = JSON.stringify(
      message,
      key === "" ? undefined : (name, value) => name === key && value === frame[key] ? null : value,
    );
  }
  const body = utf8.encode(json);
  const head = new Uint8Array(RECORD_HEAD + ((body.byteLength + 3) & ~3));
  head[0] = INLINE;
  head[1] = payloadKind;
  new DataView(head.buffer).setUint32(4, body.byteLength, true);
  head.set(body, RECORD_HEAD);
  return [head, payload];
}

/** A message from its record in the ring (its payload copied out of the shared memory). */
function decode(record: Uint8Array): unknown {
  const length = record[4] | (record[5] << 8) | (record[6] << 16) | (record[7] << 24);
  const message = JSON.parse(text.decode(record.subarray(RECORD_HEAD, RECORD_HEAD + length)));
  const payloadKind = record[1];
  if (payloadKind === NO_PAYLOAD) return message;
  const start = RECORD_HEAD + ((length + 3) & ~3);
  const bytes = record.slice(start);
  const frame = frameOf(message)!;
  if (payloadKind === F32_SAMPLES) frame.samples = new Float32Array(bytes.buffer);
  else frame.data = bytes;
  return message;
}
