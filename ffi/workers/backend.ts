/**
 * Worker placement for the runtime: the `IsolateBackend` of Worker hosts, the native transport
 * and the shared frame pool.
 *
 * @module
 */

import type { IsolateBackend, IsolateHost } from "../../core/isolates/host.ts";
import type { SharedFrameMemory } from "../../core/frames/frame_budget.ts";
import type { MediaClock } from "../../core/time/media_clock.ts";
import { FramePool } from "../transport/frame_pool.ts";
import { videoSlotBytes } from "../transport/frame_format.ts";
import { NativeTransport } from "../transport/native_transport.ts";
import { WorkerHost } from "./host.ts";

/**
 * The default pool: slots for 1920x1080 RGBA frames.
 */
export const DEFAULT_WORKER_POOL: { readonly slotBytes: number; readonly slotCount: number } = {
  slotBytes: videoSlotBytes("RGBA", 1920, 1080),
  slotCount: 64,
};

/**
 * Options of a {@linkcode WorkerBackend}.
 *
 * @example Share a pool you opened yourself
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, WorkerBackend, type WorkerBackendOptions } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 65_536, slotCount: 32 }); // closed by its owner, here
 * const options: WorkerBackendOptions = {
 *   pool,
 *   registries: [], // modules exporting a NodeRegistry, for definitions without a moduleUrl
 *   callTimeoutMs: 5_000,
 *   statsIntervalMs: 50,
 * };
 * await using backend = new WorkerBackend(options);
 * assert.ok(backend.pool === pool);
 * ```
 */
export interface WorkerBackendOptions {
  /**
   * The frame pool shared by every isolate: the size of one created at the first Worker (its
   * slots must hold the largest frame that crosses; memory is reserved but only touched pages
   * are committed), or an open pool (kept open by the caller). Default
   * {@linkcode DEFAULT_WORKER_POOL}: 64 slots of 1920x1080 RGBA.
   */
  readonly pool?: FramePool | { readonly slotBytes: number; readonly slotCount: number };
  /**
   * Modules exporting a `NodeRegistry` (or node definitions), which Workers search for
   * definitions that have no `moduleUrl` (generated definitions have one). Default none.
   */
  readonly registries?: readonly (string | URL)[];
  /** How long a lifecycle call to a Worker may take before it is declared dead. Default 10 s. */
  readonly callTimeoutMs?: number;
  /** How often Workers post their counters, in milliseconds. Default 100. */
  readonly statsIntervalMs?: number;
  /** The clock of the events hosts make themselves (a Worker's death). */
  readonly clock?: MediaClock;
}

/**
 * Places nodes on Workers: pass it as `new Runtime({ isolates })` (`createRuntime()` does so by
 * default). The host of each `{ worker: "<name>" }` is made the first time a node names it, and
 * its Worker (`node:worker_threads`) starts with that node; nodes naming the same worker share
 * it. Connections between isolates are native connections ({@linkcode NativeTransport}) whose
 * payloads live in one frame pool, created with the first Worker and attached in every Worker;
 * from then on `ctx.frames` in every isolate allocates pool slots while some are free, so the
 * frames nodes send across isolates are not copied.
 *
 * A runtime that never places a node on a Worker touches no native resource. Workers keep the
 * process alive only while the runtime runs; `close()` ends them.
 *
 * @example A Gain in a Worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { WorkerBackend } from "@streamlib/streamlib/ffi";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * await using backend = new WorkerBackend({ pool: { slotBytes: 65_536, slotCount: 32 } });
 * const rt = new Runtime({ registry: builtinRegistry, isolates: backend });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "gain", "in");
 * rt.connectByName("gain", "out", "sink", "in");
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await rt.stop();
 * assert.deepEqual(rt.describe().isolates, { main: [ "tone", "sink" ], "worker:dsp": [ "gain" ] });
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * ```
 */
export class WorkerBackend implements IsolateBackend, AsyncDisposable {
  /**
   * The main isolate's transport: what the runtime reads through `IsolateBackend.transport` to
   * open cross-isolate connections; its channels, ends and slot memory are the runtime's
   * internals, so it is left out of the published docs.
   *
   * @internal
   */
  readonly transport: NativeTransport;
  readonly #options: WorkerBackendOptions;
  readonly #hosts = new Map<string, WorkerHost>();
  #pool: FramePool | undefined;
  #frameMemory: SharedFrameMemory | undefined;

  /**
   * Creates the backend; nothing starts until a node is placed on a Worker.
   *
   * @param options Pool, registries, timeouts and clock.
   */
  constructor(options: WorkerBackendOptions = {}) {
    this.#options = options;
    this.transport = new NativeTransport({ pool: () => this.pool });
  }

  /** Hosts made up front: none; they are spawned on first use. */
  get workers(): Readonly<Record<string, IsolateHost>> {
    return Object.fromEntries(this.#hosts);
  }

  /** The shared frame pool (created by the first call, normally the first Worker's). */
  get pool(): FramePool {
    if (!this.#pool) {
      const option = this.#options.pool ?? DEFAULT_WORKER_POOL;
      this.#pool = option instanceof FramePool ? option : FramePool.create(option);
    }
    return this.#pool;
  }

  /**
   * Takes the runtime's frame budget: every Worker started from now on draws its JavaScript
   * frame memory from it (one `frameMemoryBytes` for every isolate).
   *
   * @param memory The budget's counters and the largest single frame.
   */
  shareFrameMemory(memory: SharedFrameMemory): void {
    this.#frameMemory = memory;
  }

  /** The Worker hosts made so far. */
  get hosts(): WorkerHost[] {
    return [...this.#hosts.values()];
  }

  /**
   * The host of a Worker, made on first use (the runtime calls it for `{ worker }` placements).
   *
   * @param worker The Worker's name.
   * @returns Its host.
   */
  spawn(worker: string): WorkerHost {
    let host = this.#hosts.get(worker);
    if (!host) {
      const o = this.#options;
      host = new WorkerHost({
        worker,
        transport: this.transport,
        pool: () => this.pool.share(),
        registries: o.registries,
        callTimeoutMs: o.callTimeoutMs,
        statsIntervalMs: o.statsIntervalMs,
        clock: o.clock,
        frameMemory: () => this.#frameMemory,
      });
      this.#hosts.set(worker, host);
    }
    return host;
  }

  /**
   * Ends every Worker (each first closes its channel ends). Use it when the runtime is stopped
   * and done with; a node added afterwards starts a new Worker. The pool stays open for the
   * main isolate's channel ends.
   */
  async close(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.close()));
  }

  /** Same as {@linkcode WorkerBackend.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
