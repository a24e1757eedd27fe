/**
 * The runtime: a live graph of processors.
 *
 * @module
 */

import { Admission } from "./admission/check.ts";
import { FilePathConflictError, filePathConflicts } from "./graph/file_path_conflicts.ts";
import type { FrameLeak } from "./frames/ledger.ts";
import { FrameBudget } from "./frames/frame_budget.ts";
import { DEFAULT_FRAME_MEMORY_BYTES } from "./frames/heap_memory.ts";
import { validateConfig } from "./config/validation.ts";
import type { ConnectionOptions } from "./graph/connection_defaults.ts";
import { Graph, type GraphConnection } from "./graph/graph.ts";
import { PortDirectionError } from "./graph/errors.ts";
import { checkGpuPlacement } from "./graph/gpu_placement.ts";
import { checkWorkerWait } from "./graph/worker_wait.ts";
import type { GpuVideoFrame } from "./gpu/gpu_video_frame.ts";
import type { VideoFrame } from "./frames/video_frame.ts";
import { capability } from "./isolates/capabilities.ts";
import { IsolateSet } from "./isolates/isolate_set.ts";
import type { JsonSchema, JsonValue } from "./schema/json_schema.ts";
import {
  type ConfigChange,
  ConfigLockedError,
  liveFields,
  NotReconfigurableError,
} from "./lifecycle/live_config.ts";
import {
  actionsFrom,
  checkAction,
  checkRuntimeTransition,
  type LifecycleAction,
} from "./lifecycle/state.ts";
import { LocalIsolate } from "./isolates/local/host.ts";
import { type MediaClock, monotonicClock } from "./time/media_clock.ts";
import { sameDefinition } from "./registry/lazy_node.ts";
import { definitionBuiltFor, type NodeDefinition } from "./registry/node_definition.ts";
import { DuplicateProcessorError, NodeRegistry } from "./registry/node_registry.ts";
import type { DynamicNodeHandle, InputRef, NodeHandle, OutputRef } from "./ports/port_ref.ts";
import type { Processor, TypesOf } from "./processor/processor.ts";
import { unconnectedRequiredInputs } from "./graph/required_inputs.ts";
import {
  Probe,
  type ProbeCallback,
  type ProbeOptions,
  probeOptions,
  ProbeOptionsError,
  ProbeUnsupportedError,
} from "./probes/probe.ts";
import { PortNotFoundError } from "./ports/port_table.ts";
import type { ConnectionInfo, GraphDescription } from "./description.ts";
import { EventHub, type RuntimeEvent, type RuntimeEventListener } from "./lifecycle/events.ts";
import { buildRuntimeNode, type RuntimeNode } from "./runtime_node.ts";
import type { AddOptions, ConfigInput, ProcessorClass, RuntimeOptions } from "./options.ts";
import { connectionInfo, describeGraph, snapshotStats } from "./snapshot.ts";
import type { RuntimeState, RuntimeStats } from "./lifecycle/stats.ts";
import { systemTimers } from "./time/timers.ts";
import { portOf, splitPortEnd } from "./ports/port_end.ts";
import { type AppPortOptions, AppPorts } from "./app/app_ports.ts";
import type { AppInput } from "./app/app_input.ts";
import type { AppOutput } from "./app/app_output.ts";
import { RuntimeArgumentError, RuntimeStateError } from "./lifecycle/errors.ts";

/**
 * A live graph of processors. Add nodes by class, definition or name, connect their ports,
 * then `start()`, `pause()`, `resume()` and `stop()`. Edits work in every state. Nodes run in
 * isolates: `"main"` (this one) and, with `new Runtime({ isolates })`, named Workers.
 *
 * @example Tone into a mixer into a sink
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { AudioMixer, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime(); // add(Class) uses the class's generated definition and registers it
 * const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3 });
 * const mix = rt.add(AudioMixer, { gains: [0.5, 0.5] });
 * const sink = rt.add(NullSink, {});
 * rt.connect(tone.outputs.audio, mix.inputs.in_0); // mismatched frame types do not compile
 * rt.connect(mix.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await rt.stop();
 * assert.ok(rt.stats().nodes[sink.name].framesIn > 0);
 * ```
 */
export class Runtime implements AsyncDisposable {
  #registry: NodeRegistry;
  /** The media clock. */
  readonly clock: MediaClock;
  readonly #graph = new Graph<RuntimeNode>();
  readonly #isolates: IsolateSet;
  readonly #main: LocalIsolate;
  #leaks: FrameLeak[] = [];
  readonly #hub = new EventHub();
  #state: RuntimeState = "stopped";
  /** Nodes that reached end of stream in this run. */
  readonly #endedNodes = new Set<string>();
  #graphEnded = false;
  #stopAfterStart = false;
  /** Open probes, by the node they watch. */
  readonly #probes = new Map<string, Set<Probe>>();
  readonly #admission: Admission;
  #app: AppPorts | undefined;

  /**
   * Creates an empty, stopped runtime.
   *
   * @param options Registry, clock, timers, catch-up bound and Worker backend.
   */
  constructor(options: RuntimeOptions = {}) {
    checkRuntimeOptions(options);
    this.#registry = options.registry ?? new NodeRegistry();
    this.#admission = new Admission({
      budgetBytes: options.memoryBudgetBytes,
      maxFrameBytes: options.maxFrameBytes,
    });
    this.clock = options.clock ?? monotonicClock;
    // One budget of frame memory for every isolate: Workers draw from the main isolate's.
    const frameBytes = options.frameMemoryBytes ?? DEFAULT_FRAME_MEMORY_BYTES;
    const frameBudget = Number.isSafeInteger(frameBytes) && frameBytes >= 1
      ? FrameBudget.create(frameBytes)
      : undefined; // the main isolate's memory refuses it below, with its RangeError
    const main = new LocalIsolate({
      clock: this.clock,
      timers: options.timers ?? systemTimers,
      transport: options.isolates?.transport,
      maxCatchUp: options.maxCatchUp,
      frameMemoryBytes: options.frameMemoryBytes,
      maxFrameBytes: options.maxFrameBytes,
      gpu: options.gpu,
      gpuMemoryBytes: options.gpuMemoryBytes,
    });
    if (frameBudget) {
      options.isolates?.shareFrameMemory?.({
        budget: frameBudget.buffer,
        maxFrameBytes: options.maxFrameBytes,
      });
    }
    this.#main = main;
    // The main isolate pays for shared accounting only once another isolate exists.
    this.#isolates = new IsolateSet(
      main,
      options.isolates,
      frameBudget && (() => main.shareFrameBudget(frameBudget)),
    );
    this.#isolates.on((event) => this.#fromHost(event));
  }

  /** Where `add()` looks up processors; {@linkcode Runtime.use} joins more into it. */
  get registry(): NodeRegistry {
    return this.#registry;
  }

  /**
   * Joins a processor package's registry (its generated `registry.gen.ts` export) into this
   * runtime's, so its processors work with `add()` by name, `connectByName()` and manifests.
   * Using the same package twice is harmless. Nodes placed on Workers only see the processors
   * of the Worker backend's registry modules.
   *
   * @param registry The package's registry (or any definitions).
   * @returns This runtime, for chaining.
   * @throws {DuplicateProcessorError} When a different definition of one of its names is
   * already registered; `sources` names both modules.
   *
   * @example Use a package's processors by name
   * ```ts
   * import assert from "node:assert/strict";
   * import { Runtime } from "@streamlib/streamlib";
   * import { builtinRegistry } from "@streamlib/streamlib/processors";
   *
   * const rt = new Runtime().use(builtinRegistry);
   * assert.ok(rt.registry.has("Gain"));
   * ```
   */
  use(registry: Iterable<NodeDefinition>): this {
    if (
      typeof (registry as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function"
    ) {
      throw new RuntimeArgumentError(
        "use",
        "registry",
        registry,
        "a registry or an iterable of node definitions (a package's `registry.gen.ts` export)",
      );
    }
    for (const definition of registry) this.#checkUnclaimed(definition);
    this.#registry = this.#registry.with(registry);
    return this;
  }

  /** Throws when another definition holds `definition`'s name in the registry. */
  #checkUnclaimed(definition: NodeDefinition): void {
    const name = definition.descriptor.name;
    const existing = this.#registry.has(name) ? this.#registry.get(name) : undefined;
    if (existing && !sameDefinition(existing, definition)) {
      throw new DuplicateProcessorError(name, [sourceOf(existing), sourceOf(definition)]);
    }
  }

  /** The lifecycle state. */
  get state(): RuntimeState {
    return this.#state;
  }

  /**
   * Adds a node. Its config is validated (defaults filled in); while the runtime runs or is
   * paused, the node is set up and started in the background (`await rt.settled()` to wait).
   *
   * @param processor A processor class (looked up in the registry; a class the registry lacks
   * takes the definition its generated `*.gen.ts` module built, when that module is loaded, and
   * that definition joins the registry), its node definition, or its name (registry only).
   * @param config Plain JSON config; missing fields take their defaults.
   * @param options Id, placement and error policy.
   * @returns The node's typed handle: `handle.outputs.audio` for `connect()`.
   * @throws {ProcessorNotFoundError} When the name is not in the registry, or the class is
   * neither in it nor defined by a loaded generated module.
   * @throws {DuplicateProcessorError} When a class outside the registry has the name of another
   * processor in it.
   * @throws {InvalidNodeIdError} When the id is taken or malformed.
   * @throws {NodeOptionsError} When the placement or error policy is invalid.
   * @throws {PlacementUnavailableError} When no host was injected for the placement.
   * @throws {ConfigValidationError} When the config does not match the schema.
   * @throws {MemoryBudgetError} When the graph would pin more frame memory than
   * `memoryBudgetBytes` (admission control; nothing is added).
   * @throws {FrameTooLargeError} When the config asks for frames over `maxFrameBytes`.
   */
  add<P extends Processor>(
    processor: ProcessorClass<P>,
    config?: ConfigInput<P>,
    options?: AddOptions,
  ): TypesOf<P>["handle"];
  /**
   * Adds a node from its node definition (for processors not in the registry); see the
   * class overload for the options and errors.
   *
   * @param processor The node definition (`gainNode`).
   * @param config Plain JSON config; missing fields take their defaults.
   * @param options Id, placement and error policy.
   * @returns The node's typed handle.
   */
  add<P extends Processor, H extends NodeHandle>(
    processor: NodeDefinition<P, H>,
    config?: ConfigInput<P>,
    options?: AddOptions,
  ): H;
  /**
   * Adds a node by processor name: the string layer for manifests, the dashboard and agents;
   * see the class overload for the options and errors.
   *
   * @param processor The processor name (`"AudioMixer"`).
   * @param config Plain JSON config; missing fields take their defaults.
   * @param options Id, placement and error policy.
   * @returns The node's handle: its refs connect to any ref, port types checked at run time.
   */
  add(processor: string, config?: unknown, options?: AddOptions): DynamicNodeHandle;
  add(
    processor: string | NodeDefinition | ProcessorClass<Processor>,
    config?: unknown,
    options: AddOptions = {},
  ): DynamicNodeHandle {
    checkOptionsObject("add", options, "AddOptions: { id?, placement?, onError?, maxRestarts? }");
    const graph = this.#graph;
    const builtFor =
      typeof processor === "function" && this.#registry.of(processor)?.processorClass !== processor
        ? definitionBuiltFor(processor)
        : undefined;
    if (builtFor) this.#checkUnclaimed(builtFor);
    const node = buildRuntimeNode(this.registry, processor, config, options, {
      newId: (name) => graph.newNodeId(name),
      checkId: (id) => graph.checkNodeId(id),
      isolateFor: (id, placement, definition) => {
        checkGpuPlacement(id, placement, definition.descriptor);
        checkWorkerWait(id, placement, definition.descriptor, graph.nodes);
        return this.#isolates.hostFor(id, placement, definition.isolate).isolate;
      },
    });
    this.#admission.admitNode(graph, node);
    const { id, definition, descriptor } = node;
    if (builtFor) this.#registry = this.#registry.with([builtFor]); // add("Name") works next
    const host = this.#isolates.get(node.isolate);
    host.addNode(node);
    this.#graph.addNode(node);
    this.#emit({ type: "node-added", node: id, processor: descriptor.name, isolate: host.isolate });
    return definition.handle(id) as DynamicNodeHandle;
  }

  /**
   * The typed handle of a node, by id.
   *
   * @param id The node's id.
   * @returns Its handle.
   * @throws {NodeNotFoundError} When there is no such node.
   */
  node(id: string): DynamicNodeHandle {
    return this.#graph.node(id).definition.handle(id) as DynamicNodeHandle;
  }

  /**
   * Connects an output to an input through a new buffer of its own. Both refs must carry the
   * same frame type, so a mismatch does not compile; port types are checked again at run time.
   *
   * @param from An output ref (`tone.outputs.audio`).
   * @param to An input ref (`mix.inputs.in_0`).
   * @param options Capacity and policy; defaults depend on the frame type.
   * @returns The connection.
   * @throws {PortDirectionError} When `from` is an input or `to` an output.
   * @throws {NodeNotFoundError} When a node is not in the graph (or was removed).
   * @throws {PortNotFoundError} When a port does not exist.
   * @throws {PortTypeMismatchError} When the port types are not compatible.
   * @throws {DestinationOccupiedError} When the input already has a connection.
   * @throws {CycleError} When the connection would close a cycle.
   * @throws {ConnectionOptionsError} When the capacity or policy is invalid.
   * @throws {MemoryBudgetError} When the capacity would pin more than `memoryBudgetBytes`.
   */
  connect<T>(from: OutputRef<T>, to: InputRef<T>, options?: ConnectionOptions): ConnectionInfo;
  /**
   * Connects a CPU video output to a GPU video input: the connection uploads each frame its
   * reader reads (counted in its stats: `uploads`, `transferNs`). See `docs/gpu.md`.
   *
   * @param from A `VideoFrame` output.
   * @param to A `GpuVideoFrame` input.
   * @param options Capacity and policy.
   * @returns The connection.
   */
  connect(
    from: OutputRef<VideoFrame>,
    to: InputRef<GpuVideoFrame>,
    options?: ConnectionOptions,
  ): ConnectionInfo;
  /**
   * Connects a GPU video output to a CPU video input (or a `Frame` one): the connection
   * downloads each frame written (counted in its stats: `downloads`, `transferNs`).
   *
   * @param from A `GpuVideoFrame` output.
   * @param to A `VideoFrame` (or `Frame`) input.
   * @param options Capacity and policy.
   * @returns The connection.
   */
  connect(
    from: OutputRef<GpuVideoFrame>,
    to: InputRef<VideoFrame>,
    options?: ConnectionOptions,
  ): ConnectionInfo;
  connect<T>(from: OutputRef<T>, to: InputRef<T>, options: ConnectionOptions = {}): ConnectionInfo {
    if (from.direction !== "output") {
      throw new PortDirectionError(`${from.node}.${from.port}`, "output");
    }
    if (to.direction !== "input") throw new PortDirectionError(`${to.node}.${to.port}`, "input");
    return this.connectByName(from.node, from.port, to.node, to.port, options);
  }

  /**
   * Connects by names: the string layer for manifests, the dashboard and agents. Everything is
   * validated, with the same errors as {@linkcode Runtime.connect}.
   *
   * @param fromNode The writing node's id.
   * @param fromPort Its output.
   * @param toNode The reading node's id.
   * @param toPort Its input.
   * @param options Capacity and policy.
   * @returns The connection.
   */
  connectByName(
    fromNode: string,
    fromPort: string,
    toNode: string,
    toPort: string,
    options: ConnectionOptions = {},
  ): ConnectionInfo {
    checkOptionsObject("connect", options, "ConnectionOptions: { capacity?, policy? }");
    const c = this.#graph.connect(fromNode, fromPort, toNode, toPort, options);
    try {
      this.#admission.admitConnection(this.#graph, c);
      this.#attach(c);
    } catch (error) {
      this.#graph.disconnect(c.id);
      throw error;
    }
    const info = connectionInfo(c);
    this.#emit({ type: "connection-added", connection: c.id, ...withoutId(info) });
    return info;
  }

  /**
   * Removes a connection; frames still queued in it are dropped. Other connections are not
   * touched.
   *
   * @param connection The connection's id.
   * @throws {ConnectionNotFoundError} When there is no such connection (or it was already
   * disconnected).
   */
  disconnect(connection: string): void {
    const c = this.#graph.disconnect(connection);
    this.#detach(c);
    this.#emit({ type: "connection-removed", connection: c.id, ...withoutId(connectionInfo(c)) });
  }

  /**
   * Removes a node and its connections. A node that was set up is torn down in the background
   * (`await rt.settled()` to wait).
   *
   * @param node The node's id.
   * @throws {NodeNotFoundError} When there is no such node (or it was already removed).
   */
  remove(node: string): void {
    const record = this.#graph.node(node);
    for (const probe of this.#probes.get(node) ?? []) probe.close();
    for (const c of this.#graph.connectionsOf(node)) this.disconnect(c.id);
    this.#graph.removeNode(node);
    void this.#isolates.get(record.isolate).removeNode(node);
    this.#endedNodes.delete(node);
    this.#emit({
      type: "node-removed",
      node,
      processor: record.descriptor.name,
      isolate: record.isolate,
    });
    this.#checkEnded();
  }

  /**
   * Changes a node's config: `patch` is merged into it (fields not named keep their value) and
   * the result validated against the processor's schema. Same node, same connections, same
   * counters; no queued frame is lost. The recording lock decides how it applies:
   *
   * - Live-tunable fields (`@live` in the processor's config, `"x-live"` in its schema) change in
   *   place in any state, between two `process()` calls; a set-up node's
   *   `configChanged(changed)` recomputes what depends on them.
   * - Other fields are refused with {@linkcode ConfigLockedError} while the node is running,
   *   starting or stopping (or the runtime is starting or stopping). While it is paused, or
   *   failed, the node alone is torn down and set up again with the new config (its
   *   connections and their queued frames stay); while it is stopped, its next setup reads it.
   *
   * A node on a Worker gets the change posted in order with the other edits. Emits a
   * `node-config` event when a value changed.
   *
   * @param node The node's id.
   * @param patch The fields to change.
   * @returns The new config, the fields that changed and how the change was applied.
   * @throws {NodeNotFoundError} When there is no such node.
   * @throws {ConfigValidationError} When the patch is not an object or the merged config does
   * not match the schema (naming the field and what it expects).
   * @throws {NotReconfigurableError} When the node's isolate cannot change configs (a native
   * plugin's).
   * @throws {ConfigLockedError} When a field that is not live would change while the node runs.
   * @throws {MemoryBudgetError} When the new config would pin more than `memoryBudgetBytes` (the
   * old config stays).
   *
   * @example Retune a running tone; its block size waits for a pause
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConfigLockedError } from "@streamlib/streamlib";
   * import { createRuntime } from "@streamlib/streamlib/processors";
   *
   * await using rt = createRuntime();
   * rt.add("TestToneGenerator", {}, { id: "tone" });
   * rt.add("NullSink", {}, { id: "sink" });
   * const { id } = rt.connectByName("tone", "audio", "sink", "in");
   * await rt.start();
   * assert.equal(rt.setConfig("tone", { frequency: 880 }).applied, "live");
   * try {
   *   rt.setConfig("tone", { blockSize: 960 });
   * } catch (error) {
   *   assert.ok(error instanceof ConfigLockedError);
   * }
   * await rt.pause();
   * assert.equal(rt.setConfig("tone", { blockSize: 960 }).applied, "setup");
   * await rt.resume();
   * assert.ok(rt.describe().connections[0].id === id);
   * ```
   */
  setConfig(node: string, patch: Readonly<Record<string, unknown>>): ConfigChange {
    const record = this.#graph.node(node);
    const { descriptor } = record;
    validateConfig(PATCH_SCHEMA, patch, descriptor.name);
    const current = record.config as Record<string, JsonValue>;
    const config = validateConfig(descriptor.config, { ...current, ...patch }, descriptor.name);
    const merged = config as Record<string, JsonValue>;
    const changed = Object.keys(merged).filter((key) =>
      JSON.stringify(merged[key]) !== JSON.stringify(current[key])
    );
    if (changed.length === 0) return { node, config, changed, applied: "none" };
    const host = capability(this.#isolates.get(record.isolate), "configure");
    if (!host) throw new NotReconfigurableError(node, record.isolate);
    const live = liveFields(descriptor);
    const locked = changed.filter((field) => !live.includes(field));
    const state = host.nodeState(node);
    const busy = state === "running" || state === "starting" || state === "stopping"
      ? state
      : this.#state === "starting" || this.#state === "stopping"
      ? this.#state
      : undefined;
    if (locked.length > 0 && busy) throw new ConfigLockedError(node, busy, locked, live);
    this.#admission.admitConfig(this.#graph, node, config);
    host.configureNode(node, config, changed, locked.length === 0);
    this.#graph.replaceNode({ ...record, config });
    const applied = state === "stopped" ? "stored" : locked.length === 0 ? "live" : "setup";
    const processor = descriptor.name;
    const event = { node, processor, changed: [...changed], config: structuredClone(config) };
    this.#emit({ type: "node-config", ...event, applied });
    return { node, config: structuredClone(config), changed, applied };
  }

  /**
   * Observes an output without changing the graph (a GStreamer pad probe): every `everyMs` the
   * next frame the output writes is handed to `callback` (in a microtask after that write, so
   * never inside the writer's run; no copy, no wait, one boolean test per write between samples);
   * no node, connection or counter is added, so `describe()`, `stats()` and manifests never see
   * a probe.
   * For a node on a Worker, sampling runs in the Worker and the sample carries the frame's
   * summary and the result of `options.transform` (run there), not the frame. A native plugin's
   * node is sampled through a probe slot its thread fills without waiting (see docs/runtime.md);
   * its samples carry the frame. The probe ends at
   * `probe.close()` (or `using`) or when the node is removed. No frame is held between
   * samples, so probes cause no frame leak. With `options.everyFrame` every frame written is
   * sampled instead (a live view of an encoded stream needs them all).
   *
   * @param port The output: a ref (`pattern.outputs.video`) or `"node.port"`.
   * @param callback Called with each sample, on this isolate's event loop.
   * @param options Period (default 100 ms) or every frame, and transform.
   * @returns The probe.
   * @throws {ProbeOptionsError} When `port` is not `node.port` or the options are malformed.
   * @throws {NodeNotFoundError} When there is no such node.
   * @throws {PortNotFoundError} When the node has no output of that name.
   * @throws {PortDirectionError} When the port is an input.
   * @throws {ProbeUnsupportedError} When the node's isolate host has no probe support (a custom
   * `IsolateHost` without `probe`).
   */
  probe(
    port: string | OutputRef<unknown>,
    callback: ProbeCallback,
    options: ProbeOptions = {},
  ): Probe {
    checkOptionsObject("probe", options, "ProbeOptions: { everyMs?, everyFrame?, transform? }");
    const [node, name] = splitPort(port);
    if (typeof callback !== "function") {
      throw new ProbeOptionsError("callback", "the callback must be a function");
    }
    const spec = probeOptions(options);
    const record = this.#graph.node(node);
    const { descriptor } = record;
    if (!descriptor.outputs.some((p) => p.name === name)) {
      if (descriptor.inputs.some((p) => p.name === name)) {
        throw new PortDirectionError(`${node}.${name}`, "output");
      }
      throw new PortNotFoundError(node, "output", name, descriptor.outputs.map((p) => p.name));
    }
    const host = this.#isolates.get(record.isolate);
    const label = `${node}.${name}`;
    const probed = capability(host, "probes");
    if (!probed) throw new ProbeUnsupportedError(label, host.isolate);
    const isolate = host.isolate;
    const detach = probed.probe(
      { node, port: name, ...spec },
      (sample) => callback({ port: label, isolate, ...sample }),
    );
    let set = this.#probes.get(node);
    if (!set) this.#probes.set(node, set = new Set());
    const probes = set;
    const probe = new Probe(label, isolate, () => {
      probes.delete(probe);
      if (probes.size === 0 && this.#probes.get(node) === probes) this.#probes.delete(node);
      detach();
    }, () => capability(host, "keyframes")?.requestKeyframe(node, name));
    probes.add(probe);
    return probe;
  }

  /**
   * The open probes (what `describe()` and `stats()` leave out), for debugging and tests.
   *
   * @returns Each probe's port (`node.port`) and isolate.
   */
  probes(): { port: string; isolate: string }[] {
    return [...this.#probes.values()].flatMap((set) =>
      [...set].map(({ port, isolate }) => ({ port, isolate }))
    );
  }

  /**
   * Sets up every node (`setup()` once each), then starts them: loops run on their clocks,
   * pushes and wakes are served. A required input without a connection does not stop it: each
   * one gets a `node-warning` event (`unconnected_required_input`) first.
   *
   * @throws {RuntimeStateError} When the runtime is not stopped.
   * @throws {FilePathConflictError} When two file writers share a path, or a writer's path is a
   *   file a source of the graph reads.
   */
  async start(): Promise<void> {
    this.#expect("start");
    const conflicts = filePathConflicts(
      this.#graph.nodes.map((n) => ({ id: n.id, tags: n.descriptor.tags, config: n.config })),
    );
    if (conflicts.length > 0) throw new FilePathConflictError(conflicts);
    this.#endedNodes.clear();
    this.#graphEnded = false;
    this.#setState("starting");
    for (const { node, processor, port } of unconnectedRequiredInputs(this.#graph)) {
      const message =
        `Required input '${port}' of '${node}' (${processor}) is not connected; it gets no frames until something is connected to it`;
      this.#emit({
        type: "node-warning",
        code: "unconnected_required_input",
        node,
        processor,
        port,
        message,
      });
    }
    await this.#isolates.start();
    this.#setState("running");
    this.#checkEnded();
    if (this.#stopAfterStart) {
      this.#stopAfterStart = false;
      await this.stop();
    }
  }

  /**
   * Stops scheduling until `resume()`; frames keep queuing (and `latest` connections roll off).
   *
   * @throws {RuntimeStateError} When the runtime is not running.
   */
  async pause(): Promise<void> {
    this.#expect("pause");
    this.#setState("paused");
    await this.#isolates.pause();
  }

  /**
   * Resumes scheduling; loops restart their deadlines from now.
   *
   * @throws {RuntimeStateError} When the runtime is not paused.
   */
  // deno-lint-ignore require-await
  async resume(): Promise<void> {
    this.#expect("resume");
    this.#isolates.resume();
    this.#setState("running");
  }

  /**
   * Stops sources (loops, wakes), lets `push` nodes process what is queued, then tears every
   * node down (`teardown()` once each, sources first) so sinks can finalize.
   *
   * @throws {RuntimeStateError} When the runtime is not running or paused.
   */
  async stop(): Promise<void> {
    this.#expect("stop");
    this.#setState("stopping");
    await this.#isolates.stop();
    this.#leaks = await this.#isolates.frameLeaks();
    for (const leak of this.#leaks) {
      const node = this.#graph.hasNode(leak.node) ? this.#graph.node(leak.node) : undefined;
      const where = leak.port ? ` at '${leak.port}'` : "";
      this.#emit({
        type: "node-warning",
        code: "frame_leak",
        node: leak.node,
        processor: node?.descriptor.name ?? "",
        port: portOf(leak.port),
        message:
          `${leak.count} ${leak.kind} frame(s) held by '${leak.node}'${where} (made by '${leak.madeBy}') were never released: a ctx.frames.keep() without release()`,
      });
    }
    this.#setState("stopped");
  }

  /**
   * Ends the graph's stream, as a GStreamer application sends EOS into its pipeline: every source
   * (a node with no connected input) that has not ended ends as if its `process()` had called
   * `ctx.endOfStream()`, so the end runs down every branch after what is queued (each node still
   * processes it), each node emits `node-eos`, and `end-of-stream` follows once all have ended
   * (`streamlib run` then stops and exits 0). Nothing is torn down: that stays `stop()`'s job.
   * What a node's `ctx.endOfStream({ graph: true })` does (`VideoWindow` when its window is
   * closed). A source on a host that cannot end it (a native plugin's) makes the runtime stop
   * instead, draining as `stop()` does. Nothing when the graph has already ended.
   *
   * @throws {RuntimeStateError} When the runtime is not running or paused.
   *
   * @example End a live source's graph: it ends as a file's would
   * ```ts
   * import assert from "node:assert/strict";
   * import { createRuntime } from "@streamlib/streamlib/processors";
   *
   * const rt = createRuntime({ workers: false });
   * rt.add("TestToneGenerator", {}, { id: "tone" }); // live: it never ends by itself
   * rt.add("NullSink", {}, { id: "sink" });
   * rt.connectByName("tone", "audio", "sink", "in");
   * const ended = new Promise<void>((resolve) =>
   *   rt.on((e) => e.type === "end-of-stream" && resolve())
   * );
   * await rt.start();
   * rt.endOfStream();
   * await ended;
   * assert.ok(rt.ended);
   * await rt.stop();
   * assert.deepEqual(rt.frameLeaks(), []);
   * ```
   */
  endOfStream(): void {
    const state = this.#state;
    if (state !== "running" && state !== "paused") {
      throw new RuntimeStateError("endOfStream", state, ["running", "paused"], actionsFrom(state));
    }
    if (this.#graphEnded) return;
    const graph = this.#graph;
    for (const node of graph.nodes) {
      if (this.#endedNodes.has(node.id) || graph.incoming(node.id).length > 0) continue;
      const host = capability(this.#isolates.get(node.isolate), "endings");
      if (host === undefined) {
        this.stop().catch(reportError);
        return;
      }
      host.endNode(node.id);
    }
  }

  /**
   * The leak report of the last `stop()`: frames still alive after every node was torn down and
   * every connection drained, grouped by the node and port that hold them (the last to read,
   * write or keep them) and the node that made them. Empty when every frame was released (each one also got a `node-warning` event with code
   * `frame_leak`).
   */
  frameLeaks(): FrameLeak[] {
    return this.#leaks.map((leak) => ({ ...leak }));
  }

  /**
   * Adds an application input (GStreamer's `appsrc`): a node `app_in_<name>` connected to
   * `port`, through which `send()` puts frames into the graph. See `AppInput`.
   *
   * @param name The input's name.
   * @param port The input port it feeds, `"node.port"`.
   * @param options Its connection's capacity and policy; the largest frame it takes.
   * @returns The input.
   * @throws {AppPortNameError} When the name is malformed or taken.
   * @throws {PortNotFoundError} When the node has no such input.
   * @throws {DestinationOccupiedError} When the input already has a connection.
   */
  addInput(name: string, port: string, options?: AppPortOptions): AppInput {
    return this.#appPorts().addInput(name, port, options);
  }

  /**
   * Adds an application output (GStreamer's `appsink`): a node `app_out_<name>` reading `port`,
   * whose frames the application iterates. See `AppOutput`.
   *
   * @param name The output's name.
   * @param port The output port it reads, `"node.port"`.
   * @param options Its connection's capacity (the unread frames it holds) and policy.
   * @returns The output.
   * @throws {AppPortNameError} When the name is malformed or taken.
   * @throws {PortNotFoundError} When the node has no such output.
   */
  addOutput(name: string, port: string, options?: AppPortOptions): AppOutput {
    return this.#appPorts().addOutput(name, port, options);
  }

  /**
   * An application input by name (from `addInput()` or a manifest's `inputs`).
   *
   * @param name Its name.
   * @returns The input.
   * @throws {AppPortNotFoundError} When there is none of that name.
   */
  input(name: string): AppInput {
    return this.#appPorts().input(name);
  }

  /**
   * An application output by name (from `addOutput()` or a manifest's `outputs`).
   *
   * @param name Its name.
   * @returns The output.
   * @throws {AppPortNotFoundError} When there is none of that name.
   */
  output(name: string): AppOutput {
    return this.#appPorts().output(name);
  }

  #appPorts(): AppPorts {
    return this.#app ??= new AppPorts({
      maxFrameBytes: this.#admission.maxFrameBytes,
      add: (definition, config, options) => this.add(definition, config as never, options),
      node: (id) => this.node(id),
      connectByName: (a, b, c, d, options) => this.connectByName(a, b, c, d, options),
      remove: (id) => this.remove(id),
      on: (listener) => this.on(listener),
    });
  }

  /** Resolves when background setups and teardowns (from `add()` and `remove()`) are done. */
  settled(): Promise<void> {
    return this.#isolates.settled();
  }

  /** Stops the runtime if it is running or paused (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.settled();
    if (this.#state === "running" || this.#state === "paused") await this.stop();
  }

  /**
   * Subscribes to events: state changes, edits, errors.
   *
   * @param listener Called with each event.
   * @returns A function that unsubscribes.
   * @throws {RuntimeArgumentError} When `listener` is not a function (checked here, not at the
   * first event).
   */
  on(listener: RuntimeEventListener): () => void {
    if (typeof listener !== "function") {
      const filter = typeof listener === "string"
        ? `; to listen to one type, filter in it: rt.on((e) => { if (e.type === ${
          JSON.stringify((listener as string).slice(0, 40))
        }) ... })`
        : "";
      throw new RuntimeArgumentError(
        "on",
        "listener",
        listener,
        `one function, called with every event${filter}`,
      );
    }
    return this.#hub.on(listener);
  }

  /**
   * The whole graph as JSON: nodes with type, state, config, ports and counters; connections
   * with ends, policy, capacity and counters.
   *
   * @returns The description.
   */
  describe(): GraphDescription {
    return describeGraph(this.#state, this.#graph, this.#view);
  }

  /**
   * The counters of every node and connection.
   *
   * @returns The snapshot.
   */
  stats(): RuntimeStats {
    return snapshotStats(this.#state, this.clock.nowNs(), this.#graph, this.#view);
  }

  readonly #view = {
    host: (node: string) => this.#isolates.get(this.#graph.node(node).isolate),
    connectionStats: (c: GraphConnection) =>
      this.#isolates.connectionStats(
        c,
        this.#graph.node(c.from.node).isolate,
        this.#graph.node(c.to.node).isolate,
      ),
    gpu: () => this.#main.gpuStats(),
  };

  #attach(c: GraphConnection): void {
    const graph = this.#graph;
    this.#isolates.attach(c, graph.node(c.from.node).isolate, graph.node(c.to.node).isolate);
  }

  #detach(c: GraphConnection): void {
    const graph = this.#graph;
    this.#isolates.detach(c, graph.node(c.from.node).isolate, graph.node(c.to.node).isolate);
  }

  /** Refuses a lifecycle call the state does not allow (the graph's transition table). */
  #expect(action: LifecycleAction): void {
    checkAction(action, this.#state);
  }

  /** Moves to a state the transition table allows from this one. */
  #setState(to: RuntimeState): void {
    const from = this.#state;
    checkRuntimeTransition(from, to);
    this.#state = to;
    this.#emit({ type: "runtime-state", from, to });
  }

  /**
   * Whether every node of the graph reached end of stream in this run (an `end-of-stream` event
   * said so); `false` again at the next `start()`.
   */
  get ended(): boolean {
    return this.#graphEnded;
  }

  /** After a node ended or was removed: emits `end-of-stream` once when every node has ended. */
  #checkEnded(): void {
    if (this.#graphEnded || this.#state !== "running" && this.#state !== "paused") return;
    const nodes = this.#graph.nodes;
    if (nodes.length === 0 || !nodes.every((n) => this.#endedNodes.has(n.id))) return;
    this.#graphEnded = true;
    this.#emit({ type: "end-of-stream" });
  }

  #fromHost(event: RuntimeEvent): void {
    this.#hub.emit(event);
    if (event.type === "node-eos") {
      if (this.#graph.hasNode(event.node)) this.#endedNodes.add(event.node);
      this.#checkEnded();
      // The node asked for the whole graph to end (a window closed): send it to every source.
      if (event.graph && (this.#state === "running" || this.#state === "paused")) {
        this.endOfStream();
      }
      return;
    }
    if (event.type !== "node-error" || event.action !== "stop-runtime") return;
    if (this.#state === "starting") this.#stopAfterStart = true;
    else if (this.#state === "running" || this.#state === "paused") {
      this.stop().catch(reportError);
    }
  }

  #emit(event: DistributiveOmit<RuntimeEvent, "timeNs">): void {
    const { type, ...rest } = event;
    this.#hub.emit({ type, timeNs: this.clock.nowNs(), ...rest } as RuntimeEvent);
  }
}

/** What `setConfig()` takes as a patch: an object of fields (checked before merging). */
const PATCH_SCHEMA: JsonSchema = { type: "object" };

/** `node.port` or an output ref, as its two names. */
function splitPort(port: string | OutputRef<unknown>): [string, string] {
  if (typeof port === "object" && port !== null && typeof port.node === "string") {
    if (port.direction !== "output") {
      throw new PortDirectionError(`${port.node}.${port.port}`, "output");
    }
    return [port.node, port.port];
  }
  const { node, port: name } = splitPortEnd(typeof port === "string" ? port : "");
  if (node === "" || name === "" || node.includes(".")) {
    throw new ProbeOptionsError(
      "port",
      `the port must be "node.port", got ${JSON.stringify(port)}`,
    );
  }
  return [node, name];
}

function sourceOf(definition: NodeDefinition): string {
  return definition.moduleUrl ?? definition.descriptor.source;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function withoutId({ id: _, ...rest }: ConnectionInfo): Omit<ConnectionInfo, "id"> {
  return rest;
}

/** Throws {@linkcode RuntimeArgumentError} when `options` is not a plain options object. */
function checkOptionsObject(method: string, options: unknown, expected: string): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new RuntimeArgumentError(method, "options", options, `an object of ${expected}`);
  }
}

/** Checks what `new Runtime(options)` got, where it is given (not at `start()`). */
function checkRuntimeOptions(options: RuntimeOptions): void {
  const method = "new Runtime";
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new RuntimeArgumentError(method, "options", options, "an object of RuntimeOptions");
  }
  const { registry, clock, timers, maxCatchUp, isolates } = options;
  if (
    registry !== undefined && typeof (registry as { of?: unknown } | null)?.of !== "function"
  ) {
    throw new RuntimeArgumentError(
      method,
      "options.registry",
      registry,
      "a NodeRegistry (new NodeRegistry([...definitions]), or a package's registry.gen.ts export)",
    );
  }
  if (clock !== undefined && typeof clock?.nowNs !== "function") {
    throw new RuntimeArgumentError(method, "options.clock", clock, "a MediaClock (with nowNs())");
  }
  if (
    timers !== undefined &&
    (typeof timers?.setTimeout !== "function" || typeof timers?.clearTimeout !== "function" ||
      (timers.defer !== undefined && typeof timers.defer !== "function") ||
      (timers.guard !== undefined && typeof timers.guard !== "function"))
  ) {
    throw new RuntimeArgumentError(
      method,
      "options.timers",
      timers,
      "RuntimeTimers (with setTimeout() and clearTimeout(); defer() and guard() optional)",
    );
  }
  if (maxCatchUp !== undefined && !(Number.isInteger(maxCatchUp) && maxCatchUp >= 1)) {
    throw new RuntimeArgumentError(
      method,
      "options.maxCatchUp",
      maxCatchUp,
      "an integer of 1 or more",
    );
  }
  if (isolates !== undefined && (isolates === null || typeof isolates !== "object")) {
    throw new RuntimeArgumentError(
      method,
      "options.isolates",
      isolates,
      "an IsolateBackend (createRuntime() injects the Worker backend)",
    );
  }
}
