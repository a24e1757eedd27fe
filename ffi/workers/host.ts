/**
 * The `IsolateHost` of a Worker: the runtime's proxy for the nodes placed on `{ worker }`.
 *
 * @module
 */

import { holdingsBytes, reclaimHoldings } from "../transport/slot_memory.ts";
import type { ConnectionStats } from "../../core/transport/connection.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  IsolateHost,
  NodeFailure,
} from "../../core/isolates/host.ts";
import type {
  ConfigurableHost,
  EndingHost,
  FrameLeakReportingHost,
  KeyframeRequestingHost,
  ProbedHost,
} from "../../core/isolates/capabilities.ts";
import type { FrameLeak } from "../../core/frames/ledger.ts";
import { stdoutReserved } from "../../core/processor/stdout_guard.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { type MediaClock, monotonicClock } from "../../core/time/media_clock.ts";
import { isolateOf } from "../../core/graph/placement.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../../core/probes/probe.ts";
import {
  EventHub,
  type RuntimeEvent,
  type RuntimeEventListener,
} from "../../core/lifecycle/events.ts";
import type { NodeState, NodeStats, RuntimeState } from "../../core/lifecycle/stats.ts";
import type { SharedFramePool } from "../transport/frame_pool.ts";
import type { SharedFrameMemory } from "../../core/frames/frame_budget.ts";
import type { NativeTransport } from "../transport/native_transport.ts";
import { WorkerDefinitionError, WorkerExitedError } from "./errors.ts";
import { WorkerMirror } from "./mirror.ts";
import type { WorkerCallName, WorkerReport, WorkerWaitCounts } from "./protocol.ts";
import { WorkerThread } from "./thread.ts";
import { WAKE_BYTES } from "../transport/channel/wake.ts";

/**
 * Options of a {@linkcode WorkerHost}.
 */
export interface WorkerHostOptions {
  /** The Worker's name, from `{ worker: "<name>" }`. */
  readonly worker: string;
  /** The main isolate's transport: it tears channels down and polls readers before drains. */
  readonly transport: NativeTransport;
  /** The shared frame pool, as the Worker attaches it. */
  readonly pool: () => SharedFramePool;
  /** Registry module URLs, for definitions without a `moduleUrl`. Default none. */
  readonly registries?: readonly (string | URL)[];
  /** How long a lifecycle call may take before the Worker is declared dead. Default 10 s. */
  readonly callTimeoutMs?: number;
  /** How often the Worker posts its counters, in milliseconds. Default 100. */
  readonly statsIntervalMs?: number;
  /** The clock of the events the host makes itself (a death). Default `monotonicClock`. */
  readonly clock?: MediaClock;
  /**
   * The runtime's frame budget, when it shares one (`IsolateBackend.shareFrameMemory`): the
   * Worker's JavaScript frame memory draws from it. Read when the Worker starts.
   */
  readonly frameMemory?: () => SharedFrameMemory | undefined;
}

const ENTRY = new URL("./entry.ts", import.meta.url);

/**
 * Runs nodes in a Worker (`node:worker_threads`) on behalf of the runtime: every
 * {@linkcode IsolateHost} call is posted, in order, to a `LocalIsolate` in the Worker
 * (`entry.ts`), which imports each node's definition from its `moduleUrl` (or the
 * registry modules). Lifecycle steps are calls answered with a snapshot; edits are
 * fire-and-forget. The synchronous reads (`nodeState`, `nodeStats`, ...) answer from a cache fed
 * by the Worker's events, its replies and the counters it posts every `statsIntervalMs`.
 *
 * The Worker is started with the first node. When it dies (it exits, throws outside a
 * processor, or a call times out), its nodes go to `error` with a `node-error` event each
 * (a {@linkcode WorkerExitedError}), the channels to and from it are torn down, and a
 * `worker-exit` event names them; the rest of the graph keeps running. A node added later
 * starts a new Worker.
 *
 * Made by `WorkerBackend`; see `docs/workers.md`.
 *
 * @example The backend makes one host per Worker name
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerBackend } from "@streamlib/streamlib/ffi";
 *
 * await using backend = new WorkerBackend();
 * const host = backend.spawn("dsp"); // what the runtime does for `{ worker: "dsp" }`
 * assert.equal(host.isolate, "worker:dsp");
 * assert.equal(backend.spawn("dsp"), host);
 * assert.equal(host.threadId, undefined); // its Worker starts with the first node
 * ```
 */
export class WorkerHost
  implements
    IsolateHost,
    ConfigurableHost,
    ProbedHost,
    KeyframeRequestingHost,
    FrameLeakReportingHost,
    EndingHost {
  /** The isolate name, `worker:<name>`. */
  readonly isolate: string;
  /** The Worker's name. */
  readonly worker: string;
  readonly #options: WorkerHostOptions;
  readonly #clock: MediaClock;
  readonly #hub = new EventHub();
  readonly #mirror = new WorkerMirror();
  #thread: WorkerThread | undefined;
  /** The Worker's part of the graph's state (one vocabulary: core/lifecycle/state.ts). */
  #phase: RuntimeState = "stopped";
  #closing = false;
  /** The running Worker's ledger of slot references, given back when it dies. */
  #holdings: SharedArrayBuffer | undefined;
  /** Open probes' receivers, by id (posted with the probe). */
  readonly #probes = new Map<number, (sample: HostedProbeSample) => void>();
  #probeIds = 0;
  #waits: WorkerWaitCounts = { blocked: 0, ranOut: 0, eventLoop: 0 };

  /**
   * Creates the host; the Worker starts with the first node.
   *
   * @param options Name, transport, pool, registries, timeouts and clock.
   */
  constructor(options: WorkerHostOptions) {
    this.#options = options;
    this.worker = options.worker;
    this.isolate = isolateOf({ worker: options.worker });
    this.#clock = options.clock ?? monotonicClock;
  }

  /**
   * How the Worker has waited, as of its latest snapshot (every `statsIntervalMs` while it has
   * nodes, and with every call's answer): passes of its blocking loop that blocked its thread (and
   * of those, the 1 ms-bounded ones that ran out) and that went through its event loop. All 0 until nodes
   * placed with `wait: "block"` ran there.
   */
  get waits(): WorkerWaitCounts {
    return this.#waits;
  }

  /** The thread id of the running Worker, or `undefined` (none yet, or not ready). */
  get threadId(): number | undefined {
    const id = this.#thread?.threadId;
    return id === undefined || id < 0 ? undefined : id;
  }

  /** Adds a node, starting the Worker if there is none. */
  addNode(spec: HostedNodeSpec): void {
    const { moduleUrl, descriptor } = spec.definition;
    if (moduleUrl === undefined && (this.#options.registries ?? []).length === 0) {
      throw new WorkerDefinitionError(spec.id, descriptor.name, this.worker);
    }
    const thread = this.#thread ?? this.#spawn();
    this.#mirror.addNode(spec, thread);
    const { id, config, onError, maxRestarts, wait } = spec;
    thread.post({
      op: "addNode",
      spec: {
        id,
        processor: descriptor.name,
        moduleUrl,
        config,
        onError,
        maxRestarts,
        ...(wait === "block" && { wait }),
      },
    });
  }

  /** Removes a node; resolves when the Worker has torn it down. */
  async removeNode(id: string): Promise<void> {
    const node = this.#mirror.removeNode(id);
    if (node.worker === this.#thread) await this.#call(this.#thread, "removeNode", id);
  }

  /** Posts a config change to the Worker (in order with the other edits). */
  configureNode(id: string, config: JsonValue, changed: readonly string[], live: boolean): void {
    const thread = this.#thread;
    if (!this.#mirror.alive(id, thread)) return; // its Worker died: the node is in `error`
    thread!.post({ op: "configureNode", node: id, config, changed: [...changed], live });
  }

  /** Connects two nodes of this Worker. */
  connect(spec: HostedConnectionSpec): void {
    const thread = this.#thread;
    const alive = this.#mirror.alive(spec.from.node, thread) &&
      this.#mirror.alive(spec.to.node, thread);
    const { capacity, policy } = spec;
    const stats = {
      capacity,
      policy,
      queued: 0,
      written: 0,
      read: 0,
      dropped: 0,
      fullRejections: 0,
      discarded: 0,
    };
    this.#mirror.setConnection(spec.id, { worker: alive ? thread : undefined, stats });
    if (alive) thread!.post({ op: "connect", spec });
  }

  /** Attaches the writing end of a channel to an output in this Worker. */
  attachWriter(spec: HostedEndpointSpec): void {
    this.#attach("attachWriter", spec);
  }

  /** Attaches the reading end of a channel to an input in this Worker. */
  attachReader(spec: HostedEndpointSpec): void {
    this.#attach("attachReader", spec);
  }

  /** Removes a connection or channel end. */
  disconnect(connection: string): void {
    const known = this.#mirror.deleteConnection(connection);
    if (known?.worker && known.worker === this.#thread) {
      this.#thread.post({ op: "disconnect", connection });
    }
  }

  /** Sets up every node in the Worker. */
  async setup(): Promise<void> {
    this.#phase = "starting";
    if (this.#thread) this.#thread.keepAlive = true;
    await this.#call(this.#thread, "setup");
  }

  /** Starts scheduling in the Worker. */
  run(): void {
    this.#phase = "running";
    this.#post({ op: "run" });
  }

  /** Pauses the Worker's nodes. */
  async pause(): Promise<void> {
    this.#phase = "paused";
    await this.#call(this.#thread, "pause");
  }

  /** Resumes the Worker's nodes. */
  resume(): void {
    this.#phase = "running";
    this.#post({ op: "resume" });
  }

  /** Stops the Worker's sources; then looks for frames that came back to the main isolate. */
  async halt(): Promise<void> {
    this.#phase = "stopping";
    await this.#call(this.#thread, "halt");
    this.#options.transport.poll();
  }

  /** Drains the Worker; `true` when it ran a node or sent frames the main isolate must read. */
  async drain(): Promise<boolean> {
    const ran = (await this.#call(this.#thread, "drain"))?.value === true;
    return this.#options.transport.poll() > 0 || ran;
  }

  /** Tears the Worker's nodes down. */
  async teardown(): Promise<void> {
    this.#phase = "stopped";
    await this.#call(this.#thread, "teardown");
    if (this.#thread) this.#thread.keepAlive = false;
  }

  /**
   * Frames made or read in the Worker and never released (after `teardown()`, leaks), as the
   * Worker's `LocalIsolate` reports them; none when the Worker is not running.
   */
  async frameLeaks(): Promise<FrameLeak[]> {
    return ((await this.#call(this.#thread, "frameLeaks"))?.value as FrameLeak[] | undefined) ?? [];
  }

  /**
   * Attaches a probe to an output of a node in this Worker: the Worker samples it and posts the
   * summary and the transform's result (never the frame). A probe of a node whose Worker died
   * delivers nothing; a Worker started again does not bring probes back.
   */
  probe(spec: HostedProbeSpec, deliver: (sample: HostedProbeSample) => void): () => void {
    const thread = this.#thread;
    if (!this.#mirror.alive(spec.node, thread)) return () => {};
    const id = ++this.#probeIds;
    this.#probes.set(id, deliver);
    thread!.post({ op: "probe", id, spec });
    return () => {
      if (!this.#probes.delete(id)) return;
      if (thread && thread === this.#thread) thread.post({ op: "unprobe", id });
    };
  }

  /**
   * Asks the writer of an output in this Worker for a keyframe (a probe's request); nothing
   * when the node's Worker is gone.
   *
   * @param node The node's id.
   * @param port The output's name.
   */
  requestKeyframe(node: string, port: string): void {
    const thread = this.#thread;
    if (!this.#mirror.alive(node, thread)) return;
    thread!.post({ op: "keyframe", node, port });
  }

  /**
   * Ends the stream of a node in this Worker (see {@linkcode EndingHost.endNode}); nothing when
   * the node's Worker is gone.
   *
   * @param node The node's id.
   */
  endNode(node: string): void {
    const thread = this.#thread;
    if (!this.#mirror.alive(node, thread)) return;
    thread!.post({ op: "endNode", node });
  }

  /** Resolves when the Worker's background setups and teardowns are done. */
  async settled(): Promise<void> {
    await this.#call(this.#thread, "settled");
  }

  /** A node's state, as the Worker last reported it. */
  nodeState(node: string): NodeState {
    return this.#mirror.node(node).state;
  }

  /** A node's counters, as the Worker last reported them. */
  nodeStats(node: string): NodeStats {
    return this.#mirror.node(node).stats;
  }

  /** Why a node failed. */
  nodeFailure(node: string): NodeFailure | undefined {
    return this.#mirror.node(node).failure;
  }

  /** The counters of a connection inside the Worker, as last reported. */
  connectionStats(connection: string): ConnectionStats | undefined {
    return this.#mirror.connectionStats(connection);
  }

  /** Subscribes to the Worker's events and to this host's `worker-exit`. */
  on(listener: RuntimeEventListener): () => void {
    return this.#hub.on(listener);
  }

  /**
   * Terminates the Worker at once, as a crash would: its nodes go to `error` and a
   * `worker-exit` event is emitted (for tests and for killing a stuck Worker).
   */
  async terminate(): Promise<void> {
    await this.#thread?.terminate();
  }

  /** Closes the Worker on purpose (its nodes torn down, channel ends closed); no event. */
  async close(): Promise<void> {
    const thread = this.#thread;
    if (!thread) return;
    this.#closing = true;
    await thread.close();
    this.#thread = undefined;
    this.#closing = false;
  }

  #spawn(): WorkerThread {
    const options = this.#options;
    const pool = options.pool();
    const holdings = new SharedArrayBuffer(holdingsBytes(options.transport.pool.slotCount));
    this.#holdings = holdings;
    const frameMemory = options.frameMemory?.();
    // A wake word per Worker started: channels opened from now on ring it, and the thread rings
    // it after every command, so the Worker can block its thread (`wait: "block"`).
    const wake = new SharedArrayBuffer(WAKE_BYTES);
    options.transport.setWake(this.isolate, wake);
    const thread: WorkerThread = new WorkerThread({
      entry: ENTRY,
      wake: new Int32Array(wake),
      init: {
        isolate: this.isolate,
        pool,
        holdings,
        wake,
        registries: (options.registries ?? []).map(String),
        statsIntervalMs: options.statsIntervalMs ?? 100,
        ...(stdoutReserved() && { console: "stderr" as const }),
        ...(frameMemory && { frameMemory }),
      },
      callTimeoutMs: options.callTimeoutMs ?? 10_000,
      onReport: (report) => this.#receive(thread, report),
      onExit: (reason, code, stack) => this.#died(thread, reason, code, stack),
    });
    this.#thread = thread;
    // A Worker started while the runtime runs catches up, as a host spawned then would.
    const phase = this.#phase;
    if (phase === "starting" || phase === "running" || phase === "paused") {
      thread.keepAlive = true;
      void thread.call("setup");
      if (phase !== "starting") thread.post({ op: "run" });
      if (phase === "paused") void thread.call("pause");
    }
    return thread;
  }

  /** Posts `run`/`resume` and assumes at once what the Worker will do. */
  #post(command: { op: "run" | "resume" }): void {
    if (!this.#thread) return;
    this.#thread.post(command);
    this.#mirror.assumeRunning(this.#thread);
  }

  async #call(thread: WorkerThread | undefined, call: WorkerCallName, node?: string) {
    if (!thread) return undefined;
    const reply = await thread.call(call, node);
    if (reply) {
      this.#mirror.applySnapshot(thread, reply.snapshot, true);
      this.#waits = reply.snapshot.waits ?? this.#waits;
    }
    return reply;
  }

  #attach(op: "attachWriter" | "attachReader", spec: HostedEndpointSpec): void {
    const thread = this.#thread;
    if (!this.#mirror.alive(spec.port.node, thread)) {
      // Its node's Worker died (or could not load it): nobody will read or write this channel.
      this.#options.transport.tearDownConnection(spec.connection);
      return;
    }
    this.#mirror.setConnection(spec.connection, { worker: thread, node: spec.port.node });
    thread!.post({ op, spec });
  }

  #receive(thread: WorkerThread, report: WorkerReport): void {
    if (thread !== this.#thread) return;
    switch (report.type) {
      case "event": {
        const { event, current } = report;
        if ("node" in event) this.#mirror.applyCurrent(thread, event.node, current);
        return this.#hub.emit(event);
      }
      case "snapshot":
        this.#waits = report.snapshot.waits ?? this.#waits;
        return this.#mirror.applySnapshot(thread, report.snapshot, false);
      case "node-failed": {
        const node = this.#mirror.find(report.node);
        if (node?.worker !== thread) return;
        node.loaded = false;
        // Its channel ends were never adopted: nobody reads or writes them.
        for (const id of this.#mirror.connectionsOf(thread, report.node)) {
          this.#options.transport.tearDownConnection(id);
        }
        const error = Object.assign(new Error(report.message), { name: report.name });
        error.stack = report.stack ?? undefined;
        return this.#emit(this.#mirror.fail(node, "setup", error, this.#clock.nowNs()));
      }
      case "probe-sample":
        return this.#probes.get(report.id)?.(report.sample);
      case "command-failed":
        console.error(`Worker '${this.worker}' could not apply '${report.op}': ${report.message}`);
    }
  }

  #died(thread: WorkerThread, reason: string, code: number | null, stack?: string): void {
    if (thread !== this.#thread || this.#closing) return;
    this.#thread = undefined;
    const nodes = this.#mirror.nodesOf(thread);
    const transport = this.#options.transport;
    const connections = this.#mirror.connectionsOf(thread)
      .filter((id) => transport.tearDownConnection(id));
    // Give back what the dead Worker held: its channel ends (with the frames queued to it) and
    // the slot references of its frames. This runs in the Worker's exit handler, where a throw
    // would be uncaught and end the process: what cannot be given back (the native library
    // cannot be loaded, say) is said in the exit's message, and its slots stay taken.
    const lost: string[] = [];
    for (const id of connections) {
      try {
        transport.reclaimEnds(id, this.isolate);
      } catch (cause) {
        lost.push(`connection ${id}: ${(cause as Error)?.message ?? cause}`);
      }
    }
    try {
      if (this.#holdings) reclaimHoldings(transport.pool, this.#holdings);
    } catch (cause) {
      lost.push(`its frames: ${(cause as Error)?.message ?? cause}`);
    }
    this.#holdings = undefined;
    const why = lost.length === 0
      ? reason
      : `${reason} (and what it held could not be given back: ${lost.join("; ")})`;
    const error = new WorkerExitedError(this.worker, nodes, why, stack);
    const timeNs = this.#clock.nowNs();
    for (const id of nodes) {
      this.#emit(this.#mirror.fail(this.#mirror.node(id), "process", error, timeNs));
    }
    const { worker, isolate } = this;
    this.#emit([{
      type: "worker-exit",
      timeNs,
      worker,
      isolate,
      nodes,
      connections,
      message: error.message,
      exitCode: code,
    }]);
  }

  #emit(events: RuntimeEvent[]): void {
    for (const event of events) this.#hub.emit(event);
  }
}
