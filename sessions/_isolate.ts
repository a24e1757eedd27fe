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
 * Where the isolate is started: by default here, on the thread that makes the `SessionIsolate`.
 * A process whose sessions are served from a Worker (`streamlib serve`) starts them on its main
 * thread instead: the main isolate calls {@linkcode hostSessionIsolates} with one end of a
 * `MessageChannel`, the serving Worker {@linkcode useIsolateHost} with the other, and every
 * `SessionIsolate` the serving Worker makes then asks the main isolate for its Worker. The
 * serving thread never blocks in `new Worker()` (each block held every open session's frames
 * about 20 ms here), and the isolates are the main isolate's children: a Worker started by a
 * Worker runs its first line about 500 ms late in Deno 2.9 (decision 0064). Only the session's
 * control messages (open, preloaded, errors, exit) take the detour through the main isolate;
 * its frames go through the session's own channel (`_channel.ts`), Worker to Worker.
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

/** Set by the class's static block: hands a host's event to the isolate it is about. */
let deliverFromHost: (isolate: SessionIsolate, event: HostEvent) => void;

/**
 * A session isolate: `postMessage()` reaches the isolate, `"message"` listeners get what it posts
 * on its Worker port, `"error"` an error it did not catch, `"exit"` its exit code once it ended
 * (by itself, by an uncaught error, or by `terminate()`), once.
 */
export class SessionIsolate {
  /** The Worker, when started here; undefined when the isolate host started it. */
  readonly #worker: Worker | undefined;
  /** Its id at the isolate host (0: started here). */
  readonly #hostId: number = 0;
  readonly #listeners = new Map<IsolateEvent, Set<Listener>>();
  #refed = true;
  #exitCode: number | undefined;
  readonly #exited: Promise<number>;
  #resolveExited!: (code: number) => void;

  /**
   * Starts the isolate: blocks until the Worker's isolate exists, not until its module ran. With
   * an isolate host ({@linkcode useIsolateHost}), asks it to start one and returns at once.
   *
   * @param where `"here"`: on this thread even with an isolate host (the host's own isolates).
   */
  constructor(where: "default" | "here" = "default") {
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
    if (host !== undefined && where === "default") {
      this.#worker = undefined;
      this.#hostId = host.start(this);
      return;
    }
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
    if (this.#worker === undefined) host?.post(this.#hostId, message, transfer);
    else this.#worker.postMessage(message, transfer);
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
    if (this.#worker === undefined) return host?.setRef(this.#hostId, refed);
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
    if (this.#worker === undefined) host?.terminate(this.#hostId);
    else this.#worker.terminate();
    this.#emit("exit", code);
    this.#resolveExited(code);
  }

  #emit(event: IsolateEvent, value: unknown): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener(value);
  }

  /** What the isolate host reports of a Worker it started for this isolate. */
  static {
    deliverFromHost = (isolate, event) => {
      if (event.t === "message") isolate.#emit("message", event.data);
      else if (event.t === "error") isolate.#emit("error", new Error(event.message));
      else isolate.#exit(event.code);
    };
  }
}

/** What the main isolate reports of an isolate it started: see {@linkcode hostSessionIsolates}. */
type HostEvent =
  | { readonly t: "message"; readonly id: number; readonly data: unknown }
  | { readonly t: "error"; readonly id: number; readonly message: string }
  | { readonly t: "exit"; readonly id: number; readonly code: number };

/** What the serving isolate asks of the main isolate: see {@linkcode useIsolateHost}. */
type HostRequest =
  | { readonly t: "start"; readonly id: number }
  | {
    readonly t: "post";
    readonly id: number;
    readonly message: unknown;
    readonly transfer: Transferable[];
  }
  | { readonly t: "ref"; readonly id: number; readonly refed: boolean }
  | { readonly t: "terminate"; readonly id: number };

/** The serving isolate's end of the isolate host's channel. */
class HostClient {
  readonly #port: MessagePort;
  readonly #isolates = new Map<number, SessionIsolate>();
  #nextId = 1;

  constructor(port: MessagePort) {
    this.#port = port;
    port.onmessage = (event: MessageEvent<HostEvent>) => {
      const isolate = this.#isolates.get(event.data.id);
      if (isolate === undefined) return;
      if (event.data.t === "exit") this.#isolates.delete(event.data.id);
      deliverFromHost(isolate, event.data);
    };
  }

  start(isolate: SessionIsolate): number {
    const id = this.#nextId++;
    this.#isolates.set(id, isolate);
    this.#send({ t: "start", id });
    return id;
  }

  /**
   * @throws {DOMException} `DataCloneError`, as `Worker.postMessage()` would (nothing is sent).
   */
  post(id: number, message: unknown, transfer: Transferable[]): void {
    this.#port.postMessage({ t: "post", id, message, transfer } satisfies HostRequest, transfer);
  }

  setRef(id: number, refed: boolean): void {
    this.#send({ t: "ref", id, refed });
  }

  terminate(id: number): void {
    if (!this.#isolates.delete(id)) return;
    this.#send({ t: "terminate", id });
  }

  #send(request: HostRequest): void {
    this.#port.postMessage(request);
  }
}

let host: HostClient | undefined;

/**
 * Makes every {@linkcode SessionIsolate} this isolate makes from now on ask the isolate host at
 * the other end of `port` ({@linkcode hostSessionIsolates}) for its Worker, instead of starting
 * one on this thread.
 *
 * @param port This isolate's end of the channel whose other end the host serves.
 * @returns A function that makes later isolates start on this thread again.
 */
export function useIsolateHost(port: MessagePort): () => void {
  const client = new HostClient(port);
  host = client;
  return () => {
    if (host === client) host = undefined;
  };
}

/**
 * Starts session isolates for another isolate (the one that serves sessions, which called
 * {@linkcode useIsolateHost} with the other end of `port`), as this isolate's Workers, and relays
 * their messages, errors and exits.
 *
 * @param port This isolate's end of the channel.
 * @returns A function that ends every isolate started here and stops listening.
 */
export function hostSessionIsolates(port: MessagePort): () => Promise<void> {
  const isolates = new Map<number, SessionIsolate>();
  const send = (event: HostEvent) => port.postMessage(event);
  port.onmessage = (event: MessageEvent<HostRequest>) => {
    const request = event.data;
    if (request.t === "start") {
      const { id } = request;
      const isolate = new SessionIsolate("here");
      isolates.set(id, isolate);
      isolate.on("message", (data: unknown) => {
        try {
          send({ t: "message", id, data });
        } catch (error) {
          send({ t: "error", id, message: `a message it posted could not be relayed: ${error}` });
        }
      });
      isolate.on("error", (error: Error) => send({ t: "error", id, message: error.message }));
      isolate.on("exit", (code: number) => {
        isolates.delete(id);
        send({ t: "exit", id, code });
      });
      return;
    }
    const isolate = isolates.get(request.id);
    if (isolate === undefined) return;
    if (request.t === "post") isolate.postMessage(request.message, request.transfer);
    else if (request.t === "ref") request.refed ? isolate.ref() : isolate.unref();
    else isolate.terminate();
  };
  return async () => {
    port.onmessage = null;
    // Their exits reach the other end before the channel closes.
    await Promise.all([...isolates.values()].map((isolate) => isolate.terminate()));
    port.close();
  };
}
