/**
 * The Worker side of a {@linkcode WorkerHost}: a `LocalIsolate` driven by posted commands.
 *
 * @module
 */

import type { ConnectionStats } from "../../core/transport/connection.ts";
import { LocalIsolate } from "../../core/isolates/local/host.ts";
import { FrameBudget, type SharedFrameMemory } from "../../core/frames/frame_budget.ts";
import type { MediaClock } from "../../core/time/media_clock.ts";
import type { HostedProbeSpec } from "../../core/probes/probe.ts";
import type { RuntimeEvent } from "../../core/lifecycle/events.ts";
import type { FramePool } from "../transport/frame_pool.ts";
import { NativeTransport } from "../transport/native_transport.ts";
import { WorkerDefinitions } from "./definitions.ts";
import { BlockingLoop } from "./blocking_loop.ts";
import { WAKE_POSTED } from "../transport/channel/wake.ts";
import { type RuntimeTimers, systemTimers } from "../../core/time/timers.ts";
import type {
  WorkerCommand,
  WorkerNodeSnapshot,
  WorkerNodeSpec,
  WorkerReport,
  WorkerSnapshot,
} from "./protocol.ts";

/**
 * Options of a {@linkcode WorkerServer}.
 */
export interface WorkerServerOptions {
  /** The isolate name, `worker:<name>`. */
  readonly isolate: string;
  /** This isolate's handle of the shared frame pool (channels and `ctx.frames` use it). */
  readonly pool: FramePool;
  /** Where this isolate records its slot references (see `WorkerInit.holdings`). */
  readonly holdings?: SharedArrayBuffer;
  /** Registry module URLs, for definitions without a `moduleUrl`. */
  readonly registries: readonly string[];
  /** Sends a report to the main isolate. */
  readonly post: (report: WorkerReport) => void;
  /** The media clock; default `monotonicClock`. */
  readonly clock?: MediaClock;
  /** The timers; default `systemTimers`. */
  readonly timers?: RuntimeTimers;
  /** The runtime's frame budget, shared with every isolate (see `WorkerInit.frameMemory`). */
  readonly frameMemory?: SharedFrameMemory;
  /**
   * The Worker's wake word (`WorkerInit.wake`). With it, the Worker blocks its thread while every
   * node it runs was placed with `wait: "block"` (see {@linkcode BlockingLoop}).
   */
  readonly wake?: SharedArrayBuffer;
}

/**
 * Runs a `LocalIsolate` for a Worker host: applies commands in the order they were posted
 * (a node's definition is imported before any later command is applied), answers calls with a
 * snapshot of every node's state and counters, and forwards events with the node's state after
 * each. Cross-isolate channel ends are adopted over this isolate's handle of the shared pool,
 * and `ctx.frames` allocates slots of it, so the nodes' frames cross back without a copy.
 *
 * `entry.ts` wires it to `parentPort`; it is a class so tests can drive it in-process.
 *
 * @example Add a node and set it up
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { type WorkerReport } from "./protocol.ts";
 * import { WorkerServer } from "./server.ts";
 * import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 4 });
 * const reports: WorkerReport[] = [];
 * const server = new WorkerServer({ isolate: "worker:a", pool, registries: [], post: (r) => reports.push(r) });
 * server.handle({
 *   op: "addNode",
 *   spec: { id: "sink", processor: "NullSink", moduleUrl: nullSinkNode.moduleUrl, config: {}, onError: "stop-processor", maxRestarts: 0 },
 * });
 * server.handle({ op: "call", id: 1, call: "setup" });
 * await server.idle();
 * const reply = reports.find((r) => r.type === "reply");
 * assert.equal(reply?.type === "reply" && reply.snapshot.nodes.sink.state, "starting");
 * await server.close();
 * ```
 */
export class WorkerServer {
  readonly #isolate: LocalIsolate;
  readonly #transport: NativeTransport;
  readonly #definitions: WorkerDefinitions;
  readonly #post: (report: WorkerReport) => void;
  readonly #nodes = new Set<string>();
  /** Nodes whose definition could not be loaded: commands naming them are skipped. */
  readonly #unloaded = new Set<string>();
  readonly #local = new Set<string>();
  readonly #attached = new Set<string>();
  readonly #calls = new Set<Promise<void>>();
  /** Probes attached to outputs of this Worker, by the host's id. */
  readonly #probes = new Map<number, () => void>();
  #active = false;
  #queue: Promise<void> = Promise.resolve();
  /** Nodes placed with `wait: "block"`; the Worker blocks while it has them. */
  readonly #blockingNodes = new Set<string>();
  readonly #loop: BlockingLoop | undefined;
  readonly #wake: Int32Array | undefined;
  /** Commands received, and those not yet applied (a call counts until it has answered). */
  #received = 0;
  #unsettled = 0;

  /**
   * Creates the isolate.
   *
   * @param options Name, pool, registries, the reporting function, clock and timers.
   */
  constructor(options: WorkerServerOptions) {
    const { pool } = options;
    this.#post = options.post;
    const wake = options.wake && new Int32Array(options.wake);
    this.#wake = wake;
    const loop = wake && new BlockingLoop({
      wake,
      mayBlock: () => this.#mayBlock(),
      turnsDue: () => this.#isolate.turnsDue,
    });
    this.#loop = loop;
    const blocking = () => this.#blockingNodes.size > 0 ? loop : undefined;
    this.#transport = new NativeTransport({ pool, holdings: options.holdings, blocking });
    this.#definitions = new WorkerDefinitions(options.registries);
    const timers = options.timers ?? systemTimers;
    this.#isolate = new LocalIsolate({
      isolate: options.isolate,
      clock: options.clock,
      // While the Worker blocks, the scheduler's deferred turns run from its loop.
      timers: loop === undefined ? timers : {
        setTimeout: timers.setTimeout,
        clearTimeout: timers.clearTimeout,
        defer: (callback) => {
          if (blocking() !== undefined) loop.defer(callback);
          else if (timers.defer) timers.defer(callback);
          else timers.setTimeout(callback, 0);
        },
      },
      transport: this.#transport,
      ...(options.frameMemory && {
        frameBudget: FrameBudget.attach(options.frameMemory.budget),
        maxFrameBytes: options.frameMemory.maxFrameBytes,
      }),
    });
    this.#isolate.on((event) => {
      // A node that ended or failed has its last counters now: they go before the event, so a
      // program that reads `rt.stats()` on it (or on the graph's `end-of-stream`) reads them, not
      // the last periodic snapshot's.
      if (event.type === "node-eos" || event.type === "node-error") {
        this.#post({ type: "snapshot", snapshot: this.snapshot() });
      }
      this.#post({ type: "event", event, current: this.#current(event) });
    });
  }

  /**
   * Whether counters can change: the isolate has nodes and is between `setup` and `teardown`
   * (the entry posts periodic snapshots only then).
   */
  get active(): boolean {
    return this.#active && this.#nodes.size > 0;
  }

  /**
   * Applies a command after the ones before it. Calls start in order and answer when done.
   *
   * @param command The command.
   */
  handle(command: WorkerCommand): void {
    this.#received++;
    this.#unsettled++;
    this.#queue = this.#queue.then(() => this.#apply(command)).catch((error) => {
      this.#post({ type: "command-failed", op: command.op, message: messageOf(error) });
    }).finally(() => this.#settle());
  }

  /** One command applied (a call: answered); the loop may block again once none is left. */
  #settle(): void {
    if (--this.#unsettled === 0) this.#loop?.wakeUp();
  }

  /** No command in flight (posted, not received) nor being applied, and nodes asked to block. */
  #mayBlock(): boolean {
    return this.#blockingNodes.size > 0 && this.#unsettled === 0 &&
      Atomics.load(this.#wake!, WAKE_POSTED) === this.#received;
  }

  /** Resolves when every command so far has been applied and every call answered. */
  async idle(): Promise<void> {
    await this.#queue;
    while (this.#calls.size > 0) await Promise.all(this.#calls);
  }

  /**
   * The state, failure and counters of every node, and the counters of local connections.
   *
   * @returns The snapshot.
   */
  snapshot(): WorkerSnapshot {
    const nodes: Record<string, WorkerNodeSnapshot> = {};
    for (const id of this.#nodes) {
      nodes[id] = {
        state: this.#isolate.nodeState(id),
        failure: this.#isolate.nodeFailure(id),
        stats: this.#isolate.nodeStats(id),
      };
    }
    const connections: Record<string, ConnectionStats> = {};
    for (const id of this.#local) connections[id] = this.#isolate.connectionStats(id)!;
    const counts = this.#loop?.counts;
    return counts === undefined
      ? { nodes, connections }
      : { nodes, connections, waits: { ...counts } };
  }

  /**
   * Stops and tears down every node that is still set up (so sinks finalize), then removes every
   * connection and channel end, closing the native ends so their frame-pool slots are released:
   * for a Worker about to close on purpose.
   */
  async close(): Promise<void> {
    for (const detach of this.#probes.values()) detach();
    this.#probes.clear();
    await this.#isolate.halt();
    await this.#isolate.teardown();
    for (const id of this.#attached) this.#isolate.disconnect(id);
    this.#attached.clear();
    this.#local.clear();
  }

  async #apply(command: WorkerCommand): Promise<void> {
    const isolate = this.#isolate;
    if (this.#unloaded.size > 0 && this.#namesUnloaded(command)) return;
    switch (command.op) {
      case "addNode":
        return await this.#addNode(command.spec);
      case "connect":
        isolate.connect(command.spec);
        this.#local.add(command.spec.id);
        this.#attached.add(command.spec.id);
        return;
      case "attachWriter":
        isolate.attachWriter(command.spec);
        this.#attached.add(command.spec.connection);
        return;
      case "attachReader":
        isolate.attachReader(command.spec);
        this.#attached.add(command.spec.connection);
        return;
      case "configureNode":
        if (!this.#nodes.has(command.node)) return;
        return isolate.configureNode(command.node, command.config, command.changed, command.live);
      case "disconnect":
        this.#local.delete(command.connection);
        this.#attached.delete(command.connection);
        return isolate.disconnect(command.connection);
      case "probe":
        return this.#probe(command.id, command.spec);
      case "unprobe":
        this.#probes.get(command.id)?.();
        this.#probes.delete(command.id);
        return;
      case "keyframe":
        if (this.#nodes.has(command.node)) isolate.requestKeyframe(command.node, command.port);
        return;
      case "endNode":
        if (this.#nodes.has(command.node)) isolate.endNode(command.node);
        return;
      case "close":
        return await this.close();
      case "run":
        return isolate.run();
      case "resume":
        return isolate.resume();
      case "call": {
        const call = this.#call(command.call, command.node).then(
          (value) =>
            this.#post({ type: "reply", id: command.id, value, snapshot: this.snapshot() }),
        );
        this.#calls.add(call);
        this.#unsettled++; // until it has answered
        void call.finally(() => {
          this.#calls.delete(call);
          this.#settle();
        });
        return;
      }
    }
  }

  async #call(call: string, node: string | undefined): Promise<unknown> {
    const isolate = this.#isolate;
    switch (call) {
      case "removeNode":
        if (!this.#nodes.delete(node!)) return;
        await isolate.removeNode(node!);
        this.#blockingNodes.delete(node!);
        return;
      case "setup":
        this.#active = true;
        return await isolate.setup();
      case "pause":
        return await isolate.pause();
      case "halt":
        return await isolate.halt();
      case "drain":
        this.#transport.poll();
        return await isolate.drain();
      case "teardown":
        await isolate.teardown();
        this.#active = false;
        return;
      case "settled":
        return await isolate.settled();
      case "frameLeaks":
        return isolate.frameLeaks();
    }
  }

  #namesUnloaded(command: WorkerCommand): boolean {
    const unloaded = this.#unloaded;
    switch (command.op) {
      case "connect":
        return unloaded.has(command.spec.from.node) || unloaded.has(command.spec.to.node);
      case "attachWriter":
      case "attachReader":
        return unloaded.has(command.spec.port.node);
      case "configureNode":
      case "endNode":
        return unloaded.has(command.node);
      case "probe":
        return unloaded.has(command.spec.node);
      default:
        return false;
    }
  }

  /** Samples in this Worker; posts the summary and the transform's result, never the frame. */
  #probe(id: number, spec: HostedProbeSpec): void {
    if (!this.#nodes.has(spec.node)) return; // removed before the probe arrived
    const detach = this.#isolate.probe(spec, ({ summary, value, error }) => {
      const sample = error === undefined
        ? value === undefined ? { summary } : { summary, value }
        : { summary, error };
      this.#post({ type: "probe-sample", id, sample });
    });
    this.#probes.set(id, detach);
  }

  async #addNode(spec: WorkerNodeSpec): Promise<void> {
    this.#unloaded.delete(spec.id);
    try {
      const definition = await this.#definitions.resolve(spec.processor, spec.moduleUrl);
      this.#isolate.addNode({ ...spec, definition });
      this.#nodes.add(spec.id);
      if (spec.wait === "block") this.#blockingNodes.add(spec.id);
    } catch (error) {
      this.#unloaded.add(spec.id);
      const e = error instanceof Error ? error : new Error(String(error));
      this.#post({
        type: "node-failed",
        node: spec.id,
        name: e.name,
        message: e.message,
        stack: e.stack ?? null,
      });
    }
  }

  #current(event: RuntimeEvent) {
    if (event.type !== "node-state" && event.type !== "node-error") return undefined;
    if (!this.#nodes.has(event.node)) return undefined;
    return {
      state: this.#isolate.nodeState(event.node),
      failure: this.#isolate.nodeFailure(event.node),
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
