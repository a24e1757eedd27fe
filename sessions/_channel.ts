/**
 * {@linkcode SessionChannel}: one end of the channel between a session and its isolate, internal
 * to `sessions/`.
 *
 * @module
 */

import { createRing, maxRecordBytes, RingReader, RingWriter } from "./_ring.ts";
import { isName, POSTED_RECORD, RecordDecoder, RecordEncoder } from "./_channel_codec.ts";

/**
 * Bytes of records each direction's ring holds at first: 48 blocks of 20 ms of 16 kHz mono audio, a
 * record of up to 16 kB (a larger one grows the ring, see `MAX_RING_BYTES`). Small, since a ring's pages
 * count in an idle session's memory: a new 64 kB `SharedArrayBuffer` adds about 54 kB of
 * resident memory, a 256 kB one about 140 kB (100 of each, measured in Deno 2.9).
 */
export const RING_BYTES = 64 * 1024;
/**
 * The largest ring a channel grows to, when a record does not fit its ring (a unary run's blocks
 * of 100 ms of 48 kHz stereo: 38 kB); a record over a quarter of it crosses the port.
 */
export const MAX_RING_BYTES = 4 * 1024 * 1024;

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
 * A message is a record of numbers or JSON (`_channel_codec.ts`), with a frame's payload
 * (`samples`, `data`) after it as raw bytes. A record over a quarter of the ring moves this end's
 * writing to a larger ring (up to `MAX_RING_BYTES`). A message that is not plain JSON (a data
 * frame's value, a frame with fields of other types) or too large for any ring crosses the port as
 * a structured clone instead, and a record in the ring keeps its place among the others: order is
 * kept both ways. A ring with no room keeps later messages on this side until the reader makes
 * room.
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
  #writer: RingWriter;
  #reader: RingReader;
  readonly #port: MessagePort;
  readonly #onMessage: (message: In) => void;
  readonly #encoder = new RecordEncoder();
  readonly #decoder: RecordDecoder;
  /** Records that found no room, in order, for the writer to copy once the reader made room. */
  readonly #backlog: [Uint8Array, Uint8Array | undefined][] = [];
  /** Messages that came on the port before their record in the ring. */
  readonly #posted: In[] = [];
  #wakePosted: (() => void) | undefined;
  #closed = false;
  /** Depth of `batch()` calls: while above 0, records go in without ringing the reader. */
  #batching = 0;
  /** Whether a record went in the ring during the batch without ringing. */
  #unrung = false;

  /**
   * Opens one end and starts reading.
   *
   * @param buffers This end's rings.
   * @param port The port beside them (messages that do not go in a ring).
   * @param onMessage Hears each message from the other end, in order.
   * @param allocate Gives the arrays a block's samples are copied into out of the ring (see
   *   `RecordDecoder`). Default: a new one per block.
   */
  constructor(
    buffers: ChannelBuffers,
    port: MessagePort,
    onMessage: (message: In) => void,
    allocate?: (length: number) => Float32Array,
  ) {
    this.#decoder = new RecordDecoder(allocate);
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
   * @param forPort When it must cross the port: given the message, the message to post there and
   *   the buffers it moves (a frame's own copy of its payload, say). Default: `message`, nothing
   *   moved.
   * @returns Whether the message went into the ring at once, its payload copied: the caller may
   *   then reuse the payload's arrays. False when it was not sent (closed), crossed the port, or
   *   waits for room with its payload.
   * @throws {DOMException} `DataCloneError` for a message that must cross the port and cannot be
   *   cloned (nothing is sent).
   */
  post(message: Out, forPort?: (message: Out) => [Out, Transferable[]]): boolean {
    if (this.#closed) return false;
    const records = this.#encoder.encode(message);
    if (records !== undefined) {
      let largest = 0;
      for (let i = 0; i < records.length; i += 2) {
        largest = Math.max(largest, records[i]!.byteLength + (records[i + 1]?.byteLength ?? 0));
      }
      if (largest <= this.#writer.maxRecordBytes || this.#grow(largest)) {
        let copied = true;
        for (let i = 0; i < records.length; i += 2) {
          copied = this.#write(records[i]!, records[i + 1]) && copied;
        }
        return copied;
      }
      // Too large for any ring: the names it defined go ahead of it all the same.
      for (let i = 0; i < records.length; i += 2) {
        if (isName(records[i]!)) this.#write(records[i]!, undefined);
      }
    }
    const [posted, transfer] = forPort?.(message) ?? [message, []];
    this.#port.postMessage(posted, transfer);
    this.#write(POSTED_RECORD, undefined);
    return false;
  }

  /**
   * Holds the doorbell: the records posted until the matching {@linkcode SessionChannel.release}
   * reach the other end as one delivery, rung once after the last, rather than by the first
   * (which could wake it to read that record alone, sleep, and wake again for the next). Pairs
   * nest; call `release()` in a `finally`.
   */
  hold(): void {
    this.#batching++;
  }

  /** Ends a {@linkcode SessionChannel.hold}: rings the other end if a record went in unrung. */
  release(): void {
    if (--this.#batching === 0 && this.#unrung) {
      this.#unrung = false;
      this.#writer.ring();
    }
  }

  /**
   * Moves this end's writing to a larger ring that takes a record of `bytes`: the new ring crosses
   * the port, its place marked in the old one, and the other end reads on in it from there.
   * Only when nothing waits for room (the backlog is for the old ring).
   *
   * @returns Whether it moved.
   */
  #grow(bytes: number): boolean {
    let capacity = 2 * this.#writer.capacity;
    while (maxRecordBytes(capacity) < bytes && capacity < MAX_RING_BYTES) capacity *= 2;
    if (maxRecordBytes(capacity) < bytes || this.#backlog.length > 0) return false;
    if (!this.#writer.write(POSTED_RECORD)) return false;
    const buffer = createRing(capacity);
    this.#port.postMessage(buffer);
    this.#writer = new RingWriter(buffer);
    return true;
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

  /** Writes a record, or queues it for room; returns whether it is in the ring now. */
  #write(head: Uint8Array, payload: Uint8Array | undefined): boolean {
    if (this.#backlog.length === 0) {
      const ring = this.#batching === 0;
      if (this.#writer.write(head, payload, ring)) {
        if (!ring) this.#unrung = true;
        return true;
      }
    }
    // The encoder reuses a block's head: the backlog keeps a copy.
    this.#backlog.push([head.slice(), payload]);
    if (this.#backlog.length === 1) void this.#flushBacklog();
    return false;
  }

  async #flushBacklog(): Promise<void> {
    while (!this.#closed && this.#backlog.length > 0) {
      const [head, payload] = this.#backlog[0];
      if (this.#writer.write(head, payload)) this.#backlog.shift();
      else await this.#writer.whenRoom();
    }
  }

  async #read(): Promise<void> {
    while (!this.#closed) {
      const reader = this.#reader;
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
        if (message instanceof SharedArrayBuffer) {
          // The other end moved to a larger ring: read on there.
          reader.advance();
          this.#reader = new RingReader(message);
          continue;
        }
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
