/**
 * A session's isolate as the main isolate holds it: a Worker running `_session_worker.ts`,
 * started by the nursery (`_isolate_nursery.ts`) rather than by this thread, and reached through
 * a `MessagePort` of its own. Starting a `node:worker_threads` Worker blocks its caller until
 * the Worker's isolate exists (62 ms at p50 on 2 slow cores, `bench/session_setup_bench.ts`):
 * from the main isolate, every session's start or pool refill stalled every open session's
 * frames that long. Internal.
 *
 * @module
 */

import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";

/** What the main isolate asks of the nursery. */
export type NurseryCommand =
  | { t: "spawn"; id: number; port: MessagePort }
  | { t: "terminate"; id: number };

/** What the nursery reports of an isolate. */
export type NurseryReport =
  | { t: "error"; id: number; name: string; message: string }
  | { t: "exit"; id: number; code: number };

// deno-lint-ignore no-explicit-any -- listeners of several event types
type Listener = (value: any) => void;
type IsolateEvent = "message" | "error" | "exit";

/** The nursery Worker and the isolates it started that have not exited. */
class Nursery {
  readonly #worker: Worker;
  readonly #isolates = new Map<number, SessionIsolate>();
  #next = 1;
  #gone = false;

  constructor() {
    this.#worker = new Worker(new URL("./_isolate_nursery.ts", import.meta.url));
    this.#worker.unref(); // sessions keep the process alive through their ports, not this
    this.#worker.on("message", (report: NurseryReport) => {
      this.#isolates.get(report.id)?.report(report);
    });
    const lost = (why: string) => {
      this.#gone = true;
      if (nursery === this) nursery = undefined;
      for (const [id, isolate] of this.#isolates) {
        isolate.report({ t: "error", id, name: "Error", message: why });
        isolate.report({ t: "exit", id, code: 1 });
      }
    };
    this.#worker.on("error", (error: Error) => lost(`its nursery failed: ${error.message}`));
    this.#worker.on("exit", (code: number) => lost(`its nursery exited (code ${code})`));
  }

  /** Starts an isolate whose port is `port`; reports go to `isolate`. */
  spawn(isolate: SessionIsolate, port: MessagePort): number {
    const id = this.#next++;
    this.#isolates.set(id, isolate);
    // deno-lint-ignore no-explicit-any -- node's MessagePort is transferable
    this.#worker.postMessage({ t: "spawn", id, port } satisfies NurseryCommand, [port as any]);
    return id;
  }

  terminate(id: number): void {
    if (!this.#gone) this.#worker.postMessage({ t: "terminate", id } satisfies NurseryCommand);
  }

  /** The isolate exited: with none left, the nursery ends (a new one starts with the next). */
  forget(id: number): void {
    this.#isolates.delete(id);
    if (this.#isolates.size > 0 || this.#gone) return;
    this.#gone = true;
    if (nursery === this) nursery = undefined;
    this.#worker.terminate().catch(() => {});
  }
}

let nursery: Nursery | undefined;

/**
 * A session isolate: `postMessage()` reaches the isolate's `receive()`, `"message"` listeners
 * get what it posts, `"error"` an error it did not catch, `"exit"` its exit code (after the
 * messages it posted before). Unref'd, it does not keep the process alive.
 */
export class SessionIsolate {
  readonly #port: MessagePort;
  readonly #nursery: Nursery;
  readonly #id: number;
  readonly #listeners = new Map<IsolateEvent, Set<Listener>>();
  #exitCode: number | undefined;
  #exiting = false;
  readonly #exited: Promise<number>;
  #resolveExited!: (code: number) => void;

  /** Starts the isolate (asks the nursery to; returns at once). */
  constructor() {
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on("message", (message: unknown) => this.#emit("message", message));
    this.#nursery = nursery ??= new Nursery();
    this.#id = this.#nursery.spawn(this, port2);
  }

  /**
   * Posts a message to the isolate.
   *
   * @param message The message (structured-cloned).
   * @param transfer What to move rather than copy.
   */
  postMessage(message: unknown, transfer: readonly Transferable[] = []): void {
    // deno-lint-ignore no-explicit-any -- web and node transferables both cross
    this.#port.postMessage(message, transfer as any);
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

  /** Keeps the process alive while the isolate runs. */
  ref(): void {
    this.#port.ref();
  }

  /** Lets the process end while the isolate runs. */
  unref(): void {
    this.#port.unref();
  }

  /**
   * Ends the isolate.
   *
   * @returns Its exit code, once it exited.
   */
  terminate(): Promise<number> {
    if (this.#exitCode === undefined) {
      this.#port.ref(); // the process waits for the exit (the port closes then)
      this.#nursery.terminate(this.#id);
    }
    return this.#exited;
  }

  /** A report of the nursery's (internal). */
  report(report: NurseryReport): void {
    if (this.#exiting) return;
    if (report.t === "error") {
      this.#emit("error", Object.assign(new Error(report.message), { name: report.name }));
      return;
    }
    this.#exiting = true;
    // The isolate's last messages crossed its port before it exited, but the two queues are
    // read in no set order: let the port's go first.
    setTimeout(() => {
      this.#exitCode = report.code;
      this.#port.close();
      this.#nursery.forget(this.#id);
      this.#emit("exit", report.code);
      this.#resolveExited(report.code);
    }, 2);
  }

  #emit(event: IsolateEvent, value: unknown): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) listener(value);
  }
}
