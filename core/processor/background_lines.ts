/**
 * {@linkcode BackgroundLines}: stderr lines that never block the thread that prints them: the
 * command line's log lines (`cli/cli_output.ts`) and, while stdout is reserved, what processors
 * print with `console` (`./background_console.ts`).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Bytes of lines {@linkcode BackgroundLines} holds while its sink is slow, before it drops. */
export const MAX_PENDING_LOG_BYTES = 256 * 1024;

/**
 * Lines written to a sink (stderr) without ever blocking the thread: `console.error` waits while
 * a pipe is full, so a server, a running pipeline or an MCP server whose stderr nobody reads
 * would stop after about 64 KiB of lines. Lines wait in a queue of at most {@linkcode MAX_PENDING_LOG_BYTES};
 * past it they are dropped and counted, and the count is written once the sink takes lines
 * again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BackgroundLines } from "./background_lines.ts";
 *
 * const chunks: string[] = [];
 * const lines = new BackgroundLines({
 *   write: (bytes) => {
 *     chunks.push(new TextDecoder().decode(bytes));
 *     return Promise.resolve(bytes.length);
 *   },
 * });
 * lines.line("one");
 * lines.line("two");
 * await lines.flush(1_000);
 * assert.equal(chunks.join(""), "one\ntwo\n");
 * ```
 */
export class BackgroundLines {
  readonly #sink: { write(bytes: Uint8Array): Promise<number> };
  readonly #maxPending: number;
  #queue: Uint8Array[] = [];
  #pending = 0;
  #dropped = 0;
  #pump: Promise<void> | undefined;
  readonly #what: string;

  /**
   * @param sink Where lines go (default `Deno.stderr`).
   * @param maxPendingBytes Bytes held while the sink is slow. Default {@linkcode MAX_PENDING_LOG_BYTES}.
   * @param what What a line is, for the note of dropped lines. Default `"log line"`.
   */
  constructor(
    sink: { write(bytes: Uint8Array): Promise<number> } = Deno.stderr,
    maxPendingBytes = MAX_PENDING_LOG_BYTES,
    what = "log line",
  ) {
    this.#sink = sink;
    this.#maxPending = maxPendingBytes;
    this.#what = what;
  }

  /** Whether lines wait to be written (a line written around the queue would jump it). */
  get busy(): boolean {
    return this.#pump !== undefined;
  }

  /**
   * Queues one line (without its newline); drops it when the queue is full, unless `keep`.
   *
   * @param text The line.
   * @param keep Never dropped (an error line, queued behind the log lines it follows).
   */
  line(text: string, keep = false): void {
    const bytes = encoder.encode(`${text}\n`);
    if (!keep && this.#pending + bytes.length > this.#maxPending) {
      this.#dropped++;
      return;
    }
    this.#queue.push(bytes);
    this.#pending += bytes.length;
    this.#pump ??= this.#write().finally(() => this.#pump = undefined);
  }

  /**
   * Waits until the queue is written, or `timeoutMs` passed (a sink nobody reads never takes it).
   *
   * @param timeoutMs The longest wait.
   */
  async flush(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let late = false;
    const timeout = new Promise<void>((resolve) =>
      timer = setTimeout(() => {
        late = true;
        resolve();
      }, timeoutMs)
    );
    try {
      while (this.#pump && !late) await Promise.race([this.#pump, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #write(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const chunk = this.#queue.shift()!;
        let done = 0;
        while (done < chunk.length) done += await this.#sink.write(chunk.subarray(done));
        this.#pending -= chunk.length;
        if (this.#queue.length === 0 && this.#dropped > 0) {
          const note = encoder.encode(
            `streamlib: ${this.#dropped} ${this.#what}${this.#dropped === 1 ? "" : "s"} ` +
              `dropped: stderr was not being read\n`,
          );
          this.#dropped = 0;
          this.#queue.push(note);
          this.#pending += note.length;
        }
      }
    } catch {
      // The sink is gone (stderr closed): nothing more can be told.
      this.#queue = [];
      this.#pending = 0;
    }
  }
}
