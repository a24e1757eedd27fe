/**
 * {@linkcode SessionChannel}: one end of the channel between a session and its isolate, internal
 * to `sessions/`.
 *
 * @module
 */

import { createRing, RingReader, RingWriter } from "./_ring.ts";
import { POSTED_RECORD, RecordDecoder, RecordEncoder } from "./_channel_codec.ts";

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
  readonly #encoder = new RecordEncoder();
  readonly #decoder = new RecordDecoder();
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
    const records = this.#encoder.encode(message, this.#writer.maxRecordBytes);
    if (records !== undefined) {
      for (let i = 0; i < records.length; i += 2) this.#write(records[i]!, records[i + 1]);
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
      let message: In | undefined;
      if (record[0] === POSTED_RECORD[0]) {
        if (this.#posted.length === 0) {
          await new Promise<void>((resolve) => (this.#wakePosted = resolve));
          continue;
        }
        message = this.#posted.shift()!;
      } else {
        message = this.#decoder.decode(record) as In | undefined;
      }
      reader.advance();
      if (message === undefined) continue; // a name defined for later records
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
