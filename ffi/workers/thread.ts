/**
 * One Worker of a {@linkcode WorkerHost}: the `node:worker_threads` Worker, its command queue,
 * calls with ids and timeouts, and how its death is noticed.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import type {
  WorkerCallName,
  WorkerCommand,
  WorkerInit,
  WorkerReport,
  WorkerSnapshot,
} from "./protocol.ts";
import { ringWake, WAKE_POSTED } from "../transport/channel/wake.ts";

/** Options of a {@linkcode WorkerThread}. */
export interface WorkerThreadOptions {
  /** The Worker's module (`entry.ts`). */
  readonly entry: URL;
  /** What the Worker starts with. */
  readonly init: WorkerInit;
  /**
   * The Worker's wake word (`init.wake`): bumped after every command posted, so a Worker that
   * blocks its thread wakes to receive it.
   */
  readonly wake?: Int32Array;
  /** How long a call may take before the Worker is declared dead, in milliseconds. */
  readonly callTimeoutMs: number;
  /** Receives every report but replies and `ready`. */
  readonly onReport: (report: WorkerReport) => void;
  /**
   * Called once when the Worker is gone: it exited, threw outside a processor, or a call timed
   * out (it is then terminated).
   */
  readonly onExit: (reason: string, exitCode: number | null, stack: string | undefined) => void;
}

/** The answer to a call: its value and the Worker's snapshot after it. */
export interface WorkerReply {
  /** What the call returned. */
  readonly value: unknown;
  /** Every node's state and counters when it returned. */
  readonly snapshot: WorkerSnapshot;
}

interface PendingCall {
  readonly call: WorkerCallName;
  readonly resolve: (reply: WorkerReply | undefined) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A running Worker and its protocol. Commands posted before the Worker reports `ready` are
 * queued and sent in order. A call resolves with the reply, or with `undefined` once the Worker
 * is gone, so lifecycle steps never hang on a dead Worker. The Worker keeps the process alive
 * only while `keepAlive` is set (the runtime runs) or a call is pending.
 *
 * Deaths: `node:worker_threads` reports every way a Worker ends with an `exit` event (`close()`,
 * `terminate()`, `Deno.exit()`, an uncaught error, which comes first as an `error` event); a
 * call unanswered for `callTimeoutMs` terminates the Worker and counts as its death too.
 */
export class WorkerThread {
  /** The Worker's thread id, once it is ready (-1 before). */
  threadId = -1;
  readonly #worker: Worker;
  readonly #options: WorkerThreadOptions;
  readonly #calls = new Map<number, PendingCall>();
  #outbox: WorkerCommand[] | undefined = [];
  #nextId = 1;
  #keepAlive = false;
  #exited = false;
  #error: Error | undefined;
  #timedOut: string | undefined;

  /**
   * Starts the Worker.
   *
   * @param options Module, init data, call timeout and callbacks.
   */
  constructor(options: WorkerThreadOptions) {
    this.#options = options;
    const worker = new Worker(options.entry, { workerData: options.init });
    this.#worker = worker;
    worker.on("message", (report: WorkerReport) => this.#receive(report));
    worker.on("error", (error: Error) => this.#error ??= error);
    worker.on("exit", (code: number) => this.#exit(code));
    this.#updateRef();
  }

  /** Whether the Worker is gone. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Keeps the process alive while set (the runtime runs or is paused). */
  set keepAlive(keep: boolean) {
    this.#keepAlive = keep;
    this.#updateRef();
  }

  /**
   * Sends a command; dropped once the Worker is gone.
   *
   * @param command The command.
   */
  post(command: WorkerCommand): void {
    if (this.#exited) return;
    if (this.#outbox) this.#outbox.push(command);
    else this.#send(command);
  }

  /** Posts, then rings the wake word: a Worker blocked on it goes to its event loop to read it. */
  #send(command: WorkerCommand): void {
    this.#worker.postMessage(command);
    const wake = this.#options.wake;
    if (wake === undefined) return;
    Atomics.add(wake, WAKE_POSTED, 1);
    ringWake(wake);
  }

  /**
   * Makes a call and waits for its answer.
   *
   * @param call The call.
   * @param node The node, for `removeNode`.
   * @returns The reply, or `undefined` when the Worker died first.
   */
  call(call: WorkerCallName, node?: string): Promise<WorkerReply | undefined> {
    if (this.#exited) return Promise.resolve(undefined);
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<WorkerReply | undefined>();
    const pending: PendingCall = { call, resolve, timer: undefined };
    this.#calls.set(id, pending);
    if (!this.#outbox) this.#arm(pending);
    this.#updateRef();
    this.post({ op: "call", id, call, node });
    return promise;
  }

  /**
   * Asks the Worker to close its channel ends and exit; terminates it after `graceMs`.
   *
   * @param graceMs How long to wait for it to exit on its own.
   */
  async close(graceMs = 1000): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#worker.once("exit", () => resolve()));
    this.post({ op: "close" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([exited, late]);
    clearTimeout(timer);
    if (!this.#exited) await this.#worker.terminate();
  }

  /** Terminates the Worker at once (its `exit` is reported as a death). */
  async terminate(): Promise<void> {
    if (!this.#exited) await this.#worker.terminate();
  }

  #receive(report: WorkerReport): void {
    if (report.type === "ready") {
      this.threadId = report.threadId;
      const outbox = this.#outbox ?? [];
      this.#outbox = undefined;
      for (const pending of this.#calls.values()) this.#arm(pending);
      for (const command of outbox) this.#send(command);
      return;
    }
    if (report.type !== "reply") return this.#options.onReport(report);
    const pending = this.#calls.get(report.id);
    if (!pending) return;
    this.#calls.delete(report.id);
    clearTimeout(pending.timer);
    this.#updateRef();
    pending.resolve({ value: report.value, snapshot: report.snapshot });
  }

  #arm(pending: PendingCall): void {
    const ms = this.#options.callTimeoutMs;
    pending.timer = setTimeout(() => {
      this.#timedOut ??= `it did not answer '${pending.call}' within ${ms} ms`;
      void this.#worker.terminate();
    }, ms);
  }

  #exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#outbox = undefined;
    for (const pending of this.#calls.values()) {
      clearTimeout(pending.timer);
      pending.resolve(undefined);
    }
    this.#calls.clear();
    const error = this.#error;
    const reason = this.#timedOut ??
      (error ? `it threw ${error.name}: ${error.message}` : `it exited with code ${code}`);
    this.#options.onExit(reason, this.#timedOut ? null : code, error?.stack);
  }

  #updateRef(): void {
    if (this.#exited) return;
    if (this.#keepAlive || this.#calls.size > 0) this.#worker.ref();
    else this.#worker.unref();
  }
}
