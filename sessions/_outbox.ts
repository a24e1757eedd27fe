/**
 * Coalesces the messages one side of a session posts within a turn of the event loop into one
 * `postMessage`, internal to `sessions/`.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/** A port messages go out on (a web `MessagePort` or a `node:worker_threads` port). */
export interface OutboxPort {
  /** Posts one message, moving the buffers in `transfer`. */
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/**
 * Collects messages and posts them together once the current turn of the event loop is done
 * (`setImmediate`, some microseconds later): one message as it is, several as
 * `{ t: "batch", messages }` with every buffer transferred. A turn that sends frames, acks and
 * credits in bursts then costs one message hop instead of one per message. Order is kept.
 *
 * When a batch cannot be posted (a message that cannot be cloned), each message is posted alone
 * and `onError` hears of each that fails.
 *
 * @example Three messages in one turn cross as one
 * ```ts
 * import assert from "node:assert/strict";
 * import { Outbox } from "./_outbox.ts";
 *
 * const posted: unknown[] = [];
 * const outbox = new Outbox({ postMessage: (m) => posted.push(m) }, () => {});
 * for (const n of [1, 2, 3]) outbox.post({ t: "credit", n });
 * assert.equal(posted.length, 0);
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * assert.deepEqual(posted, [{ t: "batch", messages: [1, 2, 3].map((n) => ({ t: "credit", n })) }]);
 * ```
 */
export class Outbox<M> {
  readonly #port: OutboxPort;
  readonly #onError: (message: M, error: unknown) => void;
  #messages: M[] = [];
  #transfers: Transferable[][] = [];
  #scheduled = false;

  /**
   * Creates an empty outbox on `port`.
   *
   * @param port Where messages go.
   * @param onError Hears of a message that could not be posted, and why.
   */
  constructor(port: OutboxPort, onError: (message: M, error: unknown) => void) {
    this.#port = port;
    this.#onError = onError;
  }

  /**
   * Queues a message for the end of this turn.
   *
   * @param message The message.
   * @param transfer Buffers it moves.
   */
  post(message: M, transfer: Transferable[] = []): void {
    this.#messages.push(message);
    this.#transfers.push(transfer);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The last message queued and not yet posted, to merge into (a credit into a credit). */
  get last(): M | undefined {
    return this.#messages.at(-1);
  }

  /** Replaces the last queued message (see {@linkcode Outbox.last}). */
  set last(message: M) {
    this.#messages[this.#messages.length - 1] = message;
  }

  /** Posts what is queued now. */
  flush(): void {
    this.#scheduled = false;
    const messages = this.#messages;
    const transfers = this.#transfers;
    if (messages.length === 0) return;
    this.#messages = [];
    this.#transfers = [];
    try {
      if (messages.length === 1) this.#port.postMessage(messages[0], transfers[0]);
      else this.#port.postMessage({ t: "batch", messages }, transfers.flat());
      return;
    } catch {
      // One of them cannot be cloned: post them one by one so only that one fails.
    }
    for (let i = 0; i < messages.length; i++) {
      try {
        this.#port.postMessage(messages[i], transfers[i]);
      } catch (error) {
        this.#onError(messages[i], error);
      }
    }
  }
}
