/**
 * {@linkcode CallOutcome}: how one call ended, told once: the code its client was sent, and the
 * session opened for it, if any. Internal.
 *
 * @module
 */

import type { GrpcCallEnding } from "./status.ts";

/**
 * One call's ending, told once, when the call's status went out (or the client left) and the
 * runner answered any session asked for meanwhile, so a session opened while its call was ending
 * is told as that session's end, not as a refusal.
 */
export class CallOutcome {
  readonly #tell: ((ending: GrpcCallEnding) => void) | undefined;
  #code: string | undefined;
  #session: string | undefined;
  #opening = 0;
  #told = false;

  /** @param tell Told the ending once. */
  constructor(tell?: (ending: GrpcCallEnding) => void) {
    this.#tell = tell;
  }

  /**
   * The call ended with `code` (`""`: `OK`); only the first ending counts.
   *
   * @param code The streamlib code the client was sent.
   */
  end(code: string): void {
    if (this.#code !== undefined) return;
    this.#code = code;
    this.#maybeTell();
  }

  /**
   * Asks the runner for the call's session through `open`: the ending waits for its answer.
   *
   * @param open The runner's `stream()`.
   * @returns What it resolves with.
   */
  async open<T extends { id: string }>(open: () => Promise<T>): Promise<T> {
    this.#opening++;
    try {
      const session = await open();
      this.#session = session.id;
      return session;
    } finally {
      this.#opening--;
      this.#maybeTell();
    }
  }

  #maybeTell(): void {
    if (this.#told || this.#code === undefined || this.#opening > 0) return;
    this.#told = true;
    try {
      this.#tell?.({
        code: this.#code,
        ...(this.#session === undefined ? {} : { session: this.#session }),
      });
    } catch { /* the hook's own problem */ }
  }
}
