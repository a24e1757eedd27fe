/**
 * {@linkcode SessionLog}: the lines `streamlib serve` prints on stderr for each session (opened,
 * ended with its code and length) and, once a second at most, for the opens it refused. Internal
 * to the command line.
 *
 * @module
 */

import type { ServeObserver, SessionTransport } from "../serve/mod.ts";

/** How often refused opens are summed up in one line, in milliseconds. */
export const REFUSED_EVERY_MS = 1_000;

/**
 * One line per session start and end, and one line a second at most summing up refused opens
 * by code (a burst of refusals, 1 000 opens past the limit, is one line, not a thousand).
 *
 * @example The lines of one session
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionLog } from "./_session_log.ts";
 *
 * const lines: string[] = [];
 * let now = 0;
 * const log = new SessionLog((line) => lines.push(line), () => now);
 * const ws = log.observer("websocket");
 * ws.started?.("s-1", "voice-fx");
 * now = 2_500;
 * ws.ended?.("s-1", "client_disconnected");
 * ws.started?.("s-2", "voice-fx");
 * ws.ended?.("s-2", "session_processor_failed", "Node 'fx' threw in process(): boom");
 * assert.deepEqual(lines, [
 *   "streamlib serve: session s-1 opened 'voice-fx' (websocket)",
 *   "streamlib serve: session s-1 ended (client_disconnected) after 2.5 s",
 *   "streamlib serve: session s-2 opened 'voice-fx' (websocket)",
 *   "streamlib serve: session s-2 ended (session_processor_failed) after 0.0 s: Node 'fx' threw " +
 *   "in process(): boom",
 * ]);
 * log.close();
 * ```
 */
export class SessionLog {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #open = new Map<string, number>();
  readonly #refused = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param write Prints one line (stderr).
   * @param now The clock, in milliseconds. Default `performance.now`.
   */
  constructor(write: (line: string) => void, now: () => number = () => performance.now()) {
    this.#write = write;
    this.#now = now;
  }

  /**
   * The hooks for one transport's sessions.
   *
   * @param transport The transport's name, printed with each open.
   * @returns The observer.
   */
  observer(transport: SessionTransport): ServeObserver {
    return {
      started: (session, pipeline) => {
        this.#open.set(session, this.#now());
        this.#write(`streamlib serve: session ${session} opened '${pipeline}' (${transport})`);
      },
      ended: (session, code, reason) => {
        const since = this.#open.get(session);
        this.#open.delete(session);
        const after = since === undefined ? "" : ` after ${seconds(this.#now() - since)} s`;
        // Why, when the session failed by itself (a processor that threw): the operator's only
        // word of it, since the client alone got the error.
        const why = reason === undefined ? "" : `: ${reason}`;
        this.#write(
          `streamlib serve: session ${session} ended${code ? ` (${code})` : ""}${after}${why}`,
        );
      },
      refused: (code) => {
        this.#refused.set(code, (this.#refused.get(code) ?? 0) + 1);
        if (this.#timer === undefined) {
          this.#timer = setTimeout(() => this.#flush(), REFUSED_EVERY_MS);
          Deno.unrefTimer(this.#timer);
        }
      },
    };
  }

  /** Prints what refusals are still untold and stops the timer (idempotent). */
  close(): void {
    clearTimeout(this.#timer);
    this.#flush();
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#refused.size === 0) return;
    let total = 0;
    const parts: string[] = [];
    for (const [code, n] of [...this.#refused].sort(([a], [b]) => a < b ? -1 : 1)) {
      total += n;
      parts.push(`${code} ${n}`);
    }
    this.#refused.clear();
    this.#write(
      `streamlib serve: refused ${total} open${total === 1 ? "" : "s"}: ${parts.join(", ")}`,
    );
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? s.toFixed(1) : String(Math.round(s));
}
