/**
 * The isolate host of a native plugin: runs the plugin's nodes on native threads and binds their
 * ports to the same native connections (rings, frame pool, shared counters) every other isolate
 * uses.
 *
 * @module
 */

import type { ConnectionStats } from "../../core/transport/connection.ts";
import type { CrossIsolateTransport } from "../../core/transport/cross_isolate.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  IsolateHost,
  NodeFailure,
} from "../../core/isolates/host.ts";
import type { ProbedHost } from "../../core/isolates/capabilities.ts";
import { errorAction } from "../../core/lifecycle/error_policy.ts";
import { monotonicClock } from "../../core/time/media_clock.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../../core/probes/probe.ts";
import { ProbeSampler } from "../../core/probes/sampler.ts";
import { nodeErrorEvent, type RuntimeEventListener } from "../../core/lifecycle/events.ts";
import { checkNodeTransition, type NodeState } from "../../core/lifecycle/state.ts";
import type { NodeStats } from "../../core/lifecycle/stats.ts";
import { ConnectionSharedState, COUNTER } from "../transport/connection_shared_state.ts";
import type { TransferredConnectionEnd } from "../transport/connection_transfer.ts";
import { lastNativeError } from "../native/errors.ts";
import { FramePool } from "../transport/frame_pool.ts";
import { createNativeConnection } from "../transport/native_connection.ts";
import type { NativePlugin } from "./native_plugin.ts";
import {
  NativePluginError,
  PluginPlacementError,
  pluginStatusError,
} from "./native_plugin_errors.ts";
import { NodeNotFoundError } from "../../core/graph/errors.ts";
import { PortNotFoundError } from "../../core/ports/port_table.ts";
import { NativeOutputProbe } from "./native_probe.ts";
import type { NativeTransportEndpoint } from "../transport/native_transport.ts";
import {
  ringSleepingReader,
  SIGNAL_READER_DISCARDING,
  SIGNAL_SPACE,
} from "../transport/channel/doorbell.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * How often the host polls its nodes' states and output counters while running, in ms: the most
 * a frame a native node wrote waits before its reader in another isolate is woken.
 *
 * @example Budget the wake-up latency
 * ```ts
 * import assert from "node:assert/strict";
 * import { NATIVE_POLL_MS } from "./host.ts";
 *
 * assert.equal(`native outputs wake readers within ${NATIVE_POLL_MS} ms`, "native outputs wake readers within 1 ms");
 * ```
 */
export const NATIVE_POLL_MS = 1;
/** Longest `drain()` waits for native nodes to empty their inputs, in ms. */
const DRAIN_TIMEOUT_MS = 2000;
/**
 * Index of each figure `sl_plugin_node_stats` writes, in its order
 * (`crates/streamlib_native/src/ffi.rs`).
 */
const NODE_STAT = {
  STATE: 0,
  CALLS: 1,
  FRAMES_IN: 2,
  FRAMES_OUT: 3,
  ERRORS: 4,
  PROCESS_COUNT: 5,
  P50_NS: 6,
  P99_NS: 7,
  MAX_NS: 8,
  MEAN_NS: 9,
  /** Frames waiting in the node's inputs. */
  QUEUED: 10,
} as const;
/** How many figures `sl_plugin_node_stats` writes. */
const NODE_STAT_COUNT = 11;
/** `NODE_STAT.STATE` of a node whose thread failed (0 stopped, 1 ready, 2 running, 3 paused). */
const NATIVE_FAILED = 4;
/** The pool for connections between two nodes of one plugin when the transport has none. */
const INTERNAL_POOL = { slotBytes: 64 + 1920 * 1080 * 4, slotCount: 64 } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Binding {
  readonly node: string;
  /** The node's port this end is bound to, and which way. */
  readonly port: string;
  readonly direction: "input" | "output";
  readonly id: number;
  /** Kept referenced while the native side uses it. */
  readonly shared: SharedArrayBuffer;
}

interface HostedConnection {
  readonly bindings: Binding[];
  readonly state: ConnectionSharedState;
  /** Doorbell of a channel whose reader is in another isolate (native output). */
  readonly bell?: Int32Array;
  /** Signal of a channel whose writer is in another isolate (native input), to say it discards. */
  readonly readerSignal?: Int32Array;
  lastWritten: number;
}

interface ProbedOutput {
  readonly node: string;
  readonly output: NativeOutputProbe;
  readonly samplers: Set<ProbeSampler>;
}

interface HostedNode {
  readonly spec: HostedNodeSpec;
  readonly handle: number;
  state: NodeState;
  failure: NodeFailure | undefined;
  restarts: number;
  restartsThisRun: number;
  lastCalls: number;
}

/**
 * Runs the nodes of one native plugin. The runtime creates it (through the plugin definitions'
 * `isolate`) the first time it adds one of the plugin's nodes; it is an {@linkcode IsolateHost}
 * like a Worker's, whose isolate is `native:<plugin>`.
 *
 * Each node has a native thread that calls the plugin's `process` when an input has a frame. The
 * threads never call into JavaScript: every {@linkcode NATIVE_POLL_MS} ms while running, this
 * host reads the nodes' states (a failed node becomes `error` with a `node-error` event and its
 * error policy applies) and the counters of their outputs, and rings the doorbell of readers in
 * other isolates.
 *
 * @example Run the example plugin's gain between two TypeScript nodes
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativePlugin } from "@streamlib/streamlib/ffi";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const path = new URL("../../crates/target/release/libstreamlib_example_plugin.so", import.meta.url);
 * const plugin = NativePlugin.load(path.pathname);
 * const rt = createRuntime().use(plugin);
 * const tone = rt.add("TestToneGenerator", { frequency: 440, amplitude: 0.5 });
 * const gain = rt.add("NativeGain", { gain: 0.5 });
 * const sink = rt.add("NullSink");
 * rt.connectByName(tone.name, "audio", gain.name, "in");
 * rt.connectByName(gain.name, "out", sink.name, "in");
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await rt.stop();
 * assert.equal(rt.describe().nodes.find((n) => n.id === gain.name)?.isolate, "native:streamlib_example_plugin");
 * plugin.close();
 * ```
 */
export class NativePluginHost implements IsolateHost, ProbedHost, Disposable {
  /** `native:<plugin name>`. */
  readonly isolate: string;
  readonly #plugin: NativePlugin;
  readonly #transport: { poll?: () => number; pool?: FramePool } | undefined;
  readonly #lib: NativeLibrary;
  readonly #nodes = new Map<string, HostedNode>();
  readonly #connections = new Map<string, HostedConnection>();
  readonly #listeners = new Set<RuntimeEventListener>();
  readonly #stats = new Float64Array(NODE_STAT_COUNT);
  /** `[framesDropped, blockedRuns]` of `sl_plugin_node_counters`. */
  readonly #counters = new Float64Array(2);
  readonly #pending = new Set<Promise<void>>();
  /** Probed outputs, by `node.port`. */
  readonly #probes = new Map<string, ProbedOutput>();
  #phase: "stopped" | "running" | "paused" = "stopped";
  #timer: ReturnType<typeof setInterval> | undefined;
  #internalPool: FramePool | undefined;

  /**
   * Creates the host of `plugin`'s nodes for one runtime.
   *
   * @param plugin The loaded plugin.
   * @param transport The runtime's transport: when it can `poll()` (a `NativeTransport`), a drain
   * polls it so the main isolate reads what the native nodes sent before the drain ends.
   */
  constructor(plugin: NativePlugin, transport?: CrossIsolateTransport) {
    this.#plugin = plugin;
    this.#transport = transport as { poll?: () => number; pool?: FramePool } | undefined;
    this.#lib = plugin.library;
    this.isolate = plugin.isolate.name;
  }

  /**
   * Adds a node (a native node without an instance); when running, sets it up and starts it.
   *
   * @param spec The node.
   */
  addNode(spec: HostedNodeSpec): void {
    const index = this.#plugin.definitions.indexOf(spec.definition);
    if (index < 0) {
      throw new PluginPlacementError(
        spec.id,
        this.isolate,
        `Cannot run '${spec.id}' in ${this.isolate}: ${spec.definition.descriptor.name} is not a processor of this plugin`,
      );
    }
    const out = new Uint32Array(1);
    this.#check(
      this.#lib.symbols.sl_plugin_node_create(this.#plugin.handle, index, out),
      `create node '${spec.id}'`,
    );
    this.#nodes.set(spec.id, {
      spec,
      handle: out[0],
      state: "stopped",
      failure: undefined,
      restarts: 0,
      restartsThisRun: 0,
      lastCalls: 0,
    });
    if (this.#phase !== "stopped") {
      this.#background(() => Promise.resolve().then(() => this.#start(spec.id)));
    }
  }

  /**
   * Removes a node: stops its thread, destroys its instance and frees it.
   *
   * @param node The node's id.
   */
  async removeNode(node: string): Promise<void> {
    const record = this.#nodes.get(node);
    if (!record) return;
    this.#nodes.delete(node);
    for (const [key, probed] of this.#probes) {
      if (probed.node !== node) continue;
      for (const sampler of probed.samplers) sampler.close();
      probed.output.close();
      this.#probes.delete(key);
    }
    this.#lib.symbols.sl_plugin_node_free(record.handle);
    // A node never started (or already torn down) is `stopped`: nothing to stop.
    if (record.state !== "error" && record.state !== "stopped") this.#setState(record, "stopping");
    this.#setState(record, "stopped");
    await Promise.resolve();
  }

  /**
   * Connects two nodes of this plugin through a native connection, in the transport's pool (a
   * `NativeTransport`'s, which every other connection uses, so frames keep travelling by handle)
   * or else in a pool of the host's own.
   *
   * @param spec The connection.
   */
  connect(spec: HostedConnectionSpec): void {
    const pool = this.#pool();
    const [writer, reader] = createNativeConnection({
      capacity: spec.capacity,
      policy: spec.policy,
      pool,
    });
    const state = writer.state;
    const writerEnd = writer.transfer();
    const readerEnd = reader.transfer();
    const bindings: Binding[] = [];
    try {
      bindings.push(this.#bind(spec.to.node, spec.to.port, "input", readerEnd));
      bindings.push(this.#bind(spec.from.node, spec.from.port, "output", writerEnd));
    } catch (error) {
      for (const b of bindings) this.#unbind(b);
      throw error;
    }
    this.#connections.set(spec.id, { bindings, state, lastWritten: 0 });
  }

  /**
   * Binds the writing end of a channel to an output of a node here.
   *
   * @param spec The channel end.
   */
  attachWriter(spec: HostedEndpointSpec): void {
    const { end, signal } = endpointOf(spec, this.isolate);
    const binding = this.#bind(spec.port.node, spec.port.port, "output", end);
    this.#connections.set(spec.connection, {
      bindings: [binding],
      state: ConnectionSharedState.from(end.shared),
      bell: new Int32Array(signal),
      lastWritten: 0,
    });
  }

  /**
   * Binds the reading end of a channel to an input of a node here.
   *
   * @param spec The channel end.
   */
  attachReader(spec: HostedEndpointSpec): void {
    const { end, signal } = endpointOf(spec, this.isolate);
    const binding = this.#bind(spec.port.node, spec.port.port, "input", end);
    const readerSignal = new Int32Array(signal);
    this.#connections.set(spec.connection, {
      bindings: [binding],
      state: ConnectionSharedState.from(end.shared),
      readerSignal,
      lastWritten: 0,
    });
    const record = this.#nodes.get(spec.port.node);
    if (record?.state === "error") discardInto(readerSignal, true);
  }

  /**
   * Removes a connection's bindings (their ring ends close).
   *
   * @param connection The connection's id.
   */
  disconnect(connection: string): void {
    const c = this.#connections.get(connection);
    if (!c) return;
    this.#connections.delete(connection);
    for (const b of c.bindings) this.#unbind(b);
  }

  /**
   * Attaches a probe to an output of a native node (the runtime checked the node and port). The
   * node's thread retains the next frame it writes after each ask into the output's probe slot,
   * without waiting for JavaScript; the host's poll (every {@linkcode NATIVE_POLL_MS} ms while
   * running) takes it and runs the sample in this isolate, frame included, then releases it. An
   * output without connections writes into the pool only while a probe asks for a frame.
   *
   * @param spec The output, period and transform.
   * @param deliver Receives each sample.
   * @returns Detaches the probe.
   */
  probe(spec: HostedProbeSpec, deliver: (sample: HostedProbeSample) => void): () => void {
    const record = this.#nodes.get(spec.node);
    const index = record?.spec.definition.descriptor.outputs.findIndex((p) => p.name === spec.port);
    if (!record) throw new NodeNotFoundError(spec.node, [...this.#nodes.keys()], false);
    if (index === undefined || index < 0) {
      const outputs = record.spec.definition.descriptor.outputs.map((p) => p.name);
      throw new PortNotFoundError(spec.node, "output", spec.port, outputs);
    }
    const key = `${spec.node}.${spec.port}`;
    let probed = this.#probes.get(key);
    if (!probed) {
      const output = new NativeOutputProbe(this.#lib, record.handle, index, this.#pool(), key);
      probed = { node: spec.node, output, samplers: new Set() };
      this.#probes.set(key, probed);
    }
    const entry = probed;
    const sampler = new ProbeSampler(entry.output, spec, deliver);
    entry.samplers.add(sampler);
    return () => {
      sampler.close();
      entry.samplers.delete(sampler);
      if (entry.samplers.size > 0 || this.#probes.get(key) !== entry) return;
      this.#probes.delete(key);
      entry.output.close();
    };
  }

  /** Creates every node's instance (state `starting`); failures become `error`. */
  async setup(): Promise<void> {
    for (const record of this.#nodes.values()) {
      record.restartsThisRun = 0;
      this.#setUp(record);
    }
    await Promise.resolve();
  }

  /** Starts every node's thread and the poll timer. */
  run(): void {
    this.#phase = "running";
    for (const record of this.#nodes.values()) this.#run(record, false);
    this.#timer ??= setInterval(() => this.#poll(), NATIVE_POLL_MS);
  }

  /** Pauses every node (their threads stop calling `process`). */
  async pause(): Promise<void> {
    this.#phase = "paused";
    for (const record of this.#nodes.values()) this.#run(record, true);
    await Promise.resolve();
  }

  /** Resumes every paused node. */
  resume(): void {
    this.#phase = "running";
    for (const record of this.#nodes.values()) this.#run(record, false);
  }

  /**
   * Stops the sources (nodes with no inputs, plugin ABI 2), as a TypeScript host stops its loops:
   * each source's thread is joined, so a block it was making is written before this returns and
   * nothing it counts as sent arrives after the drain. The other nodes are push nodes and keep
   * running until teardown, so what is queued for them is drained.
   */
  async halt(): Promise<void> {
    for (const record of this.#nodes.values()) {
      if (record.spec.definition.descriptor.inputs.length > 0) continue;
      if (record.state === "error" || record.state === "stopped") continue;
      this.#lib.symbols.sl_plugin_node_halt(record.handle);
      this.#setState(record, "stopping");
    }
    this.#poll(); // ring the readers' doorbells for what the sources wrote last
    await Promise.resolve();
  }

  /**
   * Waits until every running node's inputs are empty (at most two seconds), ringing output
   * doorbells meanwhile.
   *
   * @returns Whether any node ran `process()` since the previous drain.
   */
  async drain(): Promise<boolean> {
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (this.#queued() > 0 && performance.now() < deadline) {
      this.#poll();
      await new Promise((resolve) => setTimeout(resolve, NATIVE_POLL_MS));
    }
    this.#poll();
    let ran = (this.#transport?.poll?.() ?? 0) > 0;
    for (const record of this.#nodes.values()) {
      const calls = this.#read(record)[NODE_STAT.CALLS];
      if (calls !== record.lastCalls) ran = true;
      record.lastCalls = calls;
    }
    return ran;
  }

  /** Stops every node's thread and destroys the instances; all go to `stopped`. */
  async teardown(): Promise<void> {
    this.#phase = "stopped";
    this.#poll();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const record of this.#nodes.values()) {
      if (record.state !== "error" && record.state !== "stopped") {
        this.#setState(record, "stopping");
      }
      this.#lib.symbols.sl_plugin_node_teardown(record.handle);
      this.#setState(record, "stopped");
      record.lastCalls = 0;
    }
    await this.settled();
  }

  /** Resolves when background starts (from `addNode` while running) are done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * A node's state.
   *
   * @param node The node's id.
   * @returns The state.
   */
  nodeState(node: string): NodeState {
    return this.#nodes.get(node)?.state ?? "stopped";
  }

  /**
   * A node's counters, read from its native thread's.
   *
   * @param node The node's id.
   * @returns The counters.
   */
  nodeStats(node: string): NodeStats {
    const record = this.#nodes.get(node);
    const s = record ? this.#read(record) : new Float64Array(NODE_STAT_COUNT);
    const [framesDropped, blockedRuns] = record ? this.#readCounters(record) : [0, 0];
    const framesRefusedByOutput = this.#refusedByOutput(node, record);
    return {
      calls: s[NODE_STAT.CALLS],
      framesIn: s[NODE_STAT.FRAMES_IN],
      framesOut: s[NODE_STAT.FRAMES_OUT],
      framesDropped, // what the plugin counted (plugin ABI 2; 0 from an ABI 1 plugin)
      framesRefused: Object.values(framesRefusedByOutput).reduce((sum, n) => sum + n, 0),
      framesRefusedByOutput,
      errors: s[NODE_STAT.ERRORS] + (record?.failure?.phase === "setup" ? 1 : 0),
      restarts: record?.restarts ?? 0,
      blockedRuns, // waits of the node's thread for a full fifo output, with work to do
      processTime: {
        count: s[NODE_STAT.PROCESS_COUNT],
        p50Ns: s[NODE_STAT.P50_NS],
        p99Ns: s[NODE_STAT.P99_NS],
        maxNs: s[NODE_STAT.MAX_NS],
        meanNs: s[NODE_STAT.MEAN_NS],
      },
      lateRuns: 0,
      skippedRuns: 0,
      periodNs: null,
    };
  }

  /**
   * Pushes refused on the connections leaving each output of `node` (plugin ABI 1 counts no
   * refused writes per node, so a write refused by two connections counts twice here).
   */
  #refusedByOutput(node: string, record: HostedNode | undefined): { [output: string]: number } {
    const byOutput: { [output: string]: number } = {};
    for (const p of record?.spec.definition.descriptor.outputs ?? []) byOutput[p.name] = 0;
    for (const c of this.#connections.values()) {
      for (const b of c.bindings) {
        if (b.node !== node || b.direction !== "output") continue;
        byOutput[b.port] = (byOutput[b.port] ?? 0) + c.state.counters[COUNTER.REJECTED];
      }
    }
    return byOutput;
  }

  /**
   * Why a node failed.
   *
   * @param node The node's id.
   * @returns The failure, while in `error`.
   */
  nodeFailure(node: string): NodeFailure | undefined {
    return this.#nodes.get(node)?.failure;
  }

  /**
   * The counters of a connection between two nodes of this plugin.
   *
   * @param connection The connection's id.
   * @returns The counters, or `undefined` when it is not one.
   */
  connectionStats(connection: string): ConnectionStats | undefined {
    const c = this.#connections.get(connection);
    return c && c.bindings.length === 2 ? c.state.stats() : undefined;
  }

  /**
   * Subscribes to `node-state` and `node-error` events.
   *
   * @param listener The listener.
   * @returns An unsubscribe function.
   */
  on(listener: RuntimeEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Frees every node and the internal pool. */
  [Symbol.dispose](): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const probed of this.#probes.values()) {
      for (const sampler of probed.samplers) sampler.close();
      probed.output.close();
    }
    this.#probes.clear();
    for (const id of [...this.#connections.keys()]) this.disconnect(id);
    for (const record of this.#nodes.values()) this.#lib.symbols.sl_plugin_node_free(record.handle);
    this.#nodes.clear();
    this.#internalPool?.close();
  }

  /** The transport's pool (every connection's), or the host's own when the transport has none. */
  #pool(): FramePool {
    return this.#transport?.pool ?? (this.#internalPool ??= FramePool.create(INTERNAL_POOL));
  }

  #start(id: string): void {
    const record = this.#nodes.get(id);
    if (!record) return;
    this.#setUp(record);
    this.#run(record, this.#phase === "paused");
  }

  #setUp(record: HostedNode): void {
    record.failure = undefined;
    this.#setState(record, "starting");
    const config = encoder.encode(JSON.stringify(record.spec.config ?? {}));
    const status = this.#lib.symbols.sl_plugin_node_setup(record.handle, config, config.length);
    if (status < 0) this.#fail(record, "setup", lastNativeError(this.#lib));
  }

  #run(record: HostedNode, paused: boolean): void {
    if (record.state === "error" || record.state === "stopped") return;
    this.#check(
      this.#lib.symbols.sl_plugin_node_run(record.handle, paused ? 1 : 0),
      `run node '${record.spec.id}'`,
    );
    this.#setState(record, paused ? "paused" : "running");
  }

  #fail(record: HostedNode, phase: "setup" | "process", message: string): void {
    const { onError, maxRestarts, id } = record.spec;
    const action = errorAction(onError, record.restartsThisRun, maxRestarts);
    const restart = action === "restart";
    record.failure = { phase, message };
    const error = new NativePluginError(message, this.#plugin.path);
    this.#emitEvent(nodeErrorEvent({
      timeNs: monotonicClock.nowNs(),
      node: id,
      phase,
      policy: onError,
      action,
      restarts: record.restartsThisRun,
    }, error));
    this.#setState(record, "error");
    if (!restart) return;
    record.restarts++;
    record.restartsThisRun++;
    this.#lib.symbols.sl_plugin_node_teardown(record.handle);
    this.#setState(record, "stopped");
    if (this.#phase !== "stopped") this.#start(id);
  }

  #poll(): void {
    for (const probed of this.#probes.values()) probed.output.serve();
    for (const c of this.#connections.values()) {
      if (!c.bell) continue;
      const written = c.state.counters[COUNTER.WRITTEN];
      if (written === c.lastWritten) continue;
      c.lastWritten = written;
      // Native threads cannot ring (they hold no signal, and V8's waitAsync waiters are not on
      // an OS futex a native thread could wake): the poll rings for them, by the protocol every
      // writer uses, so a reader that is draining is not notified again.
      ringSleepingReader(c.bell);
    }
    for (const record of this.#nodes.values()) {
      if (record.state === "error" || record.state === "stopped") continue;
      if (this.#read(record)[NODE_STAT.STATE] !== NATIVE_FAILED) continue;
      const buf = new Uint8Array(4096);
      const n = this.#lib.symbols.sl_plugin_node_failure(record.handle, buf, buf.length);
      this.#fail(
        record,
        "process",
        decoder.decode(buf.subarray(0, Math.max(0, Math.min(n, buf.length)))),
      );
    }
  }

  #queued(): number {
    let queued = 0;
    for (const record of this.#nodes.values()) {
      if (record.state === "running") queued += this.#read(record)[NODE_STAT.QUEUED];
    }
    return queued;
  }

  #read(record: HostedNode): Float64Array {
    const s = this.#stats;
    if (this.#lib.symbols.sl_plugin_node_stats(record.handle, s) < 0) s.fill(0);
    return s;
  }

  #readCounters(record: HostedNode): Float64Array {
    const c = this.#counters;
    if (this.#lib.symbols.sl_plugin_node_counters(record.handle, c) < 0) c.fill(0);
    return c;
  }

  #bind(
    node: string,
    port: string,
    direction: "input" | "output",
    end: TransferredConnectionEnd,
  ): Binding {
    const record = this.#nodes.get(node);
    if (!record) throw new NodeNotFoundError(node, [...this.#nodes.keys()], false);
    const ports = direction === "input"
      ? record.spec.definition.descriptor.inputs
      : record.spec.definition.descriptor.outputs;
    const index = ports.findIndex((p) => p.name === port);
    if (index < 0) throw new PortNotFoundError(node, direction, port, ports.map((p) => p.name));
    using pool = FramePool.attach(end.pool);
    // The native side keeps this address until the binding is removed: a SharedArrayBuffer's
    // memory never moves, and `Binding.shared` keeps it alive that long.
    const state = new Uint8Array(end.shared);
    const id = this.#check(
      this.#lib.symbols.sl_plugin_node_bind(
        record.handle,
        direction === "input" ? 0 : 1,
        index,
        end.ring.handle,
        pool.share().handle,
        state,
      ),
      `connect '${node}.${port}'`,
    );
    return { node, port, direction, id, shared: end.shared };
  }

  #unbind(binding: Binding): void {
    const record = this.#nodes.get(binding.node);
    if (record) this.#lib.symbols.sl_plugin_node_unbind(record.handle, binding.id);
  }

  #check(status: number, operation: string): number {
    if (status >= 0) return status;
    const error = pluginStatusError(status, lastNativeError(this.#lib), this.#plugin.path);
    error.message = `Cannot ${operation} in ${this.isolate}: ${error.message}`;
    throw error;
  }

  /** Moves a node to a state the transition table (`NODE_TRANSITIONS`) allows from its own. */
  #setState(record: HostedNode, to: NodeState): void {
    const from = record.state;
    if (from === to) return;
    checkNodeTransition(record.spec.id, from, to);
    record.state = to;
    // A failed node reads nothing more: its writers in other isolates stop waiting for it
    // (`SIGNAL_READER_DISCARDING`) until it is set up again.
    if (to === "error" || from === "error") this.#discardInputs(record.spec.id, to === "error");
    this.#emitEvent({
      type: "node-state",
      timeNs: monotonicClock.nowNs(),
      node: record.spec.id,
      from,
      to,
    });
  }

  /**
   * Raises or lowers the discarding flag of every channel a node here reads from another isolate
   * (see `ConnectionReader.setDiscarding`): the writer stops adding to the ring and stops waiting
   * for room. The ring's reading end is the node's native thread's, which discards what is queued
   * after a failure at its own pace (it rings no room bell).
   */
  #discardInputs(node: string, discarding: boolean): void {
    for (const c of this.#connections.values()) {
      if (!c.readerSignal) continue;
      if (!c.bindings.some((b) => b.node === node && b.direction === "input")) continue;
      discardInto(c.readerSignal, discarding);
    }
  }

  #emitEvent(event: Parameters<RuntimeEventListener>[0]): void {
    for (const listener of this.#listeners) listener(event);
  }

  #background(task: () => Promise<void>): void {
    const promise = task().catch(reportError).finally(() => this.#pending.delete(promise));
    this.#pending.add(promise);
  }
}

/** Sets a channel's discarding flag; raising it wakes a writer that waits for room. */
function discardInto(signal: Int32Array, discarding: boolean): void {
  Atomics.store(signal, SIGNAL_READER_DISCARDING, discarding ? 1 : 0);
  if (!discarding) return;
  Atomics.add(signal, SIGNAL_SPACE, 1);
  Atomics.notify(signal, SIGNAL_SPACE);
}

function endpointOf(spec: HostedEndpointSpec, isolate: string): NativeTransportEndpoint {
  const e = spec.endpoint as NativeTransportEndpoint;
  if (e?.kind !== "native-transport-endpoint") {
    throw new PluginPlacementError(
      spec.connection,
      isolate,
      `Cannot attach connection '${spec.connection}' to a native plugin node: its transport is not a NativeTransport (use createRuntime() from "@streamlib/streamlib/processors")`,
    );
  }
  return e;
}
