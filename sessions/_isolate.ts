/**
 * A session's isolate as the serving thread holds it: a web `Worker` running
 * `_session_worker.ts`, with the events a session needs (`message`, `error`, `exit`) and
 * `ref`/`unref`. Internal.
 *
 * Why a web `Worker` and not `node:worker_threads`: `new Worker()` blocks its caller until the
 * new isolate exists, and the serving thread is the one every open session's frames wait on. On
 * 2 slow cores a `node:worker_threads` Worker of this module blocked it 46-61 ms at p50, a web
 * Worker 21 ms (`bench/session_setup_bench.ts`; decision 0065). A web Worker reports no exit, so
 * the isolate says so itself before it goes (`_session_worker.ts` wraps `Deno.exit()` and
 * `close()`); an uncaught error or rejection is an `error` event and ends it, as in Node.
 *
 * @module
 */

import type { FromIsolate, IsolateExiting } from "./_protocol.ts";

// deno-lint-ignore no-explicit-any -- listeners of several event types
type Listener = (value: any) => void;
type IsolateEvent = "message" | "error" | "exit";

/**
 * The web `Worker`'s own ref/unref method (Deno keeps it under an unnamed symbol, for its
 * `node:worker_threads`): with it, a pooled isolate does not keep the process alive. When a Deno
 * release drops it, `unref()` does nothing and a runner's pool keeps the process alive until
 * `close()`; `sessions/_isolate_test.ts` then fails and says so.
 */
const REF = Object.getOwnPropertySymbols(Worker.prototype).find((symbol) =>
  symbol.description === undefined &&
  typeof (Worker.prototype as unknown as Record<symbol, unknown>)[symbol] === "function"
);

/** Whether `unref()` can let the process end while an isolate runs (Deno's ref symbol found). */
export const CAN_UNREF = REF !== undefined;

const WORKER_URL = new URL("./_session_worker.ts", import.meta.url);

/**
 * A session isolate: `postMessage()` reaches the isolate, `"message"` listeners get what it posts
 * on its Worker port, `"error"` an error it did not catch, `"exit"` its exit code once it ended
 * (by itself, by an uncaught error, or by `terminate()`), once.
 */
export class SessionIsolate {
  readonly #worker: Worker;
  readonly #listeners = new Map<IsolateEvent, Set<Listener>>();
  #refed = true;
  #exitCode: number | undefined;
  readonly #exited: Promise<number>;
  #resolveExited!: (code: number) => void;

  /** Starts the isolate: blocks until the Worker's isolate exists, not until its module ran. */
  constructor() {
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.#worker = new Worker(WORKER_URL, { type: "module" });
    this.#worker.onmessage = (event: MessageEvent) => {
      const message = event.data as FromIsolate | IsolateExiting;
      if (message?.t === "exiting") {
        // What it posted on the session's channel before it went may still be on its way.
        setTimeout(() => this.#exit(message.code), 0);
        return;
      }
      this.#emit("message", message);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault(); // its error ends it, not this process
      this.#emit("error", new Error(event.message || "an error it did not catch"));
      this.#exit(1);
    };
    this.#worker.onmessageerror = () => {
      this.#emit("error", new Error("a message it posted could not be read"));
      this.#exit(1);
    };
  }

  /**
   * Posts a message to the isolate.
   *
   * @param message The message (structured-cloned).
   * @param transfer What to move rather than copy.
   */
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (this.#exitCode !== undefined) return;
    this.#worker.postMessage(message, transfer);
  }

  /**
   * Listens to an event.
   *
   * @returns This isolate.
   */
  on(event: IsolateEvent, listener: Listener): this {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, set = new Set());
    set.add(listener);
    return this;
  }

  /**
   * Listens to the next event of a type only.
   *
   * @returns This isolate.
   */
  once(event: IsolateEvent, listener: Listener): this {
    const once: Listener = (value) => {
      this.#listeners.get(event)?.delete(once);
      listener(value);
    };
    return this.on(event, once);
  }

  /** Keeps the process alive while the isolate runs (as a new one does). */
  ref(): void {
    if (this.#refed || this.#exitCode !== undefined) return;
    this.#refed = true;
    this.#setRef(true);
  }

  /** Lets the process end while the isolate runs (a pooled one waiting for a session). */
  unref(): void {
    if (!this.#refed || this.#exitCode !== undefined) return;
    this.#refed = false;
    this.#setRef(false);
  }

  #setRef(refed: boolean): void {
    if (REF === undefined) return;
    (this.#worker as unknown as Record<symbol, (refed: boolean) => void>)[REF](refed);
  }

  /**
   * Ends the isolate (at once, even one that never returns).
   *
   * @returns Its exit code: 1 when ended here, as `node:worker_threads` reports it.
   */
  terminate(): Promise<number> {
    this.#exit(1);
    return this.#exited;
  }

  /** Ends the Worker (whatever said it ended, it is gone for sure) and reports the exit, once. */
  #exit(code: number): void {
    if (this.#exitCode !== undefined) return;
    this.#exitCode = code;
    this.#worker.terminate();
    this.#emit("exit", code);
    this.#resolveExited(code);
  }

  #emit(event: IsolateEvent, value: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(value);
  }
}
