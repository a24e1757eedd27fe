/**
 * The contract between the runtime and the isolates its nodes run in.
 *
 * @module
 */

import type { SharedFrameMemory } from "../frames/frame_budget.ts";
import type { ConnectionStats } from "../transport/connection.ts";
import type { ErrorPolicy } from "../lifecycle/error_policy.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import type { NodeDefinition } from "../registry/node_definition.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import type { RuntimeEventListener } from "../lifecycle/events.ts";
import type { NodeState, NodeStats } from "../lifecycle/stats.ts";
import type { CrossIsolateTransport, TransportEndpoint } from "../transport/cross_isolate.ts";

/**
 * A node for a host to run. The runtime has validated everything in it.
 *
 * @example Add a validated node to a host
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HostedNodeSpec } from "./host.ts";
 * import { LocalIsolate } from "./local/host.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const spec: HostedNodeSpec = {
 *   id: "gain",
 *   definition: gainNode,
 *   config: { gain: 2 },
 *   onError: "restart",
 *   maxRestarts: 3,
 * };
 * const host = new LocalIsolate();
 * host.addNode(spec);
 * assert.equal(host.nodeState("gain"), "stopped"); // it is set up when the host starts
 * ```
 */
export interface HostedNodeSpec {
  /** The node's id. */
  readonly id: string;
  /**
   * The processor's definition. A host in another isolate cannot receive it: it resolves
   * `definition.descriptor.name` in its own registry.
   */
  readonly definition: NodeDefinition;
  /** The validated config, defaults filled in. */
  readonly config: JsonValue;
  /** What to do when the processor throws. */
  readonly onError: ErrorPolicy;
  /** The restart limit of the `restart` policy, per run. */
  readonly maxRestarts: number;
  /**
   * `"block"` when the node was placed with `wait: "block"`: its Worker blocks its thread while
   * waiting for frames (see `Placement`). Absent: it waits through its event loop.
   */
  readonly wait?: "block";
}

/**
 * A port of a node a host runs.
 *
 * @example Name the two ends of a connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HostedPort } from "./host.ts";
 * import { LocalIsolate } from "./local/host.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
 *
 * const policy = { onError: "stop-processor", maxRestarts: 0 } as const;
 * const host = new LocalIsolate();
 * host.addNode({ id: "gain", definition: gainNode, config: {}, ...policy });
 * host.addNode({ id: "sink", definition: nullSinkNode, config: {}, ...policy });
 * const from: HostedPort = { node: "gain", port: "out" };
 * const to: HostedPort = { node: "sink", port: "in" };
 * host.connect({ id: "conn_1", from, to, capacity: 4, policy: "fifo" });
 * assert.equal(host.connectionStats("conn_1")?.capacity, 4);
 * ```
 */
export interface HostedPort {
  /** The node's id. */
  readonly node: string;
  /** The port's name. */
  readonly port: string;
}

/**
 * A connection between two nodes of one host.
 *
 * @example Connect two nodes of one host
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HostedConnectionSpec } from "./host.ts";
 * import { LocalIsolate } from "./local/host.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
 *
 * const policy = { onError: "stop-processor", maxRestarts: 0 } as const;
 * const host = new LocalIsolate();
 * host.addNode({ id: "gain", definition: gainNode, config: {}, ...policy });
 * host.addNode({ id: "sink", definition: nullSinkNode, config: {}, ...policy });
 * const spec: HostedConnectionSpec = {
 *   id: "conn_1",
 *   from: { node: "gain", port: "out" },
 *   to: { node: "sink", port: "in" },
 *   capacity: 2,
 *   policy: "latest",
 * };
 * host.connect(spec);
 * assert.equal(host.connectionStats("conn_1")?.policy, "latest");
 * host.disconnect("conn_1");
 * assert.equal(host.connectionStats("conn_1"), undefined);
 * ```
 */
export interface HostedConnectionSpec {
  /** The connection's id. */
  readonly id: string;
  /** The output. */
  readonly from: HostedPort;
  /** The input. */
  readonly to: HostedPort;
  /** Frames the buffer holds. */
  readonly capacity: number;
  /** What a write into a full buffer does. */
  readonly policy: DeliveryPolicy;
}

/**
 * One end of a cross-isolate channel, for the host of the node on that end.
 *
 * @example Attach the ends of a channel to nodes of two hosts
 * ```ts
 * import assert from "node:assert/strict";
 * import { type HostedEndpointSpec } from "./host.ts";
 * import { LocalIsolate } from "./local/host.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { testToneGeneratorNode } from "../../processors/sources/test_tone_generator.gen.ts";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { NativeTransport } from "../../ffi/transport/native_transport.ts";
 *
 * using pool = FramePool.create({ slotBytes: 65_536, slotCount: 16 });
 * const transport = new NativeTransport({ pool });
 * const main = new LocalIsolate({ transport });
 * const dsp = new LocalIsolate({ isolate: "worker:dsp", transport }); // a Worker's, normally
 * const policy = { onError: "stop-processor", maxRestarts: 0 } as const;
 * main.addNode({ id: "tone", definition: testToneGeneratorNode, config: {}, ...policy });
 * dsp.addNode({ id: "gain", definition: gainNode, config: {}, ...policy });
 * const channel = transport.open({
 *   connection: "conn_1",
 *   fromIsolate: "main",
 *   toIsolate: "worker:dsp",
 *   portType: "AudioFrame<2>",
 *   capacity: 8,
 *   policy: "fifo",
 * });
 * const writerEnd: HostedEndpointSpec = {
 *   connection: "conn_1",
 *   port: { node: "tone", port: "audio" },
 *   endpoint: channel.writer,
 * };
 * main.attachWriter(writerEnd);
 * dsp.attachReader({
 *   connection: "conn_1",
 *   port: { node: "gain", port: "in" },
 *   endpoint: channel.reader,
 * });
 * await dsp.setup();
 * await main.setup();
 * dsp.run();
 * main.run();
 * await new Promise((resolve) => setTimeout(resolve, 40));
 * await main.halt();
 * await dsp.halt();
 * await dsp.drain();
 * await main.teardown();
 * await dsp.teardown();
 * assert.ok(dsp.nodeStats("gain").framesIn > 0); // audio crossed the channel
 * main.disconnect("conn_1");
 * dsp.disconnect("conn_1");
 * channel.close();
 * ```
 */
export interface HostedEndpointSpec {
  /** The connection's id. */
  readonly connection: string;
  /** The output (for `attachWriter`) or input (for `attachReader`) on this host. */
  readonly port: HostedPort;
  /** The endpoint from `CrossIsolateChannel.writer` or `.reader`. */
  readonly endpoint: TransportEndpoint;
}

/**
 * Why a node is in state `error`.
 */
export interface NodeFailure {
  /** The method that threw. */
  readonly phase: "setup" | "process";
  /** The error's message. */
  readonly message: string;
  /**
   * The error's stable code, when it has one: a typed error's `code`, or `permission_denied`
   * when Deno's permissions refused what the processor did (see `failureCode`).
   */
  readonly code?: string;
}

/**
 * What every host does to the graph of its isolate: add and remove nodes, connect them, attach
 * the ends of cross-isolate channels.
 */
export interface HostGraph {
  /** Adds a node; when the host is running or paused, sets it up and starts it (in the background). */
  addNode(spec: HostedNodeSpec): void;
  /** Removes a node (its connections are already gone); tears it down when it was set up. */
  removeNode(node: string): Promise<void>;
  /** Connects two nodes of this isolate. */
  connect(spec: HostedConnectionSpec): void;
  /** Attaches the writing end of a cross-isolate channel to an output of this isolate. */
  attachWriter(spec: HostedEndpointSpec): void;
  /** Attaches the reading end of a cross-isolate channel to an input of this isolate. */
  attachReader(spec: HostedEndpointSpec): void;
  /** Removes a connection or a channel end; frames queued in it are dropped. */
  disconnect(connection: string): void;
}

/**
 * The lifecycle steps the runtime drives every host through: `setup()` every host, then `run()`
 * every host; `pause()` and `resume()`; to stop, `halt()` every host (sources stop), `drain()`
 * every host until none ran anything, then `teardown()`.
 */
export interface HostLifecycle {
  /** Sets up every node (state `starting`); resolves when all have finished or failed. */
  setup(): Promise<void>;
  /** Starts scheduling: loops run, pushes and wakes are served. */
  run(): void;
  /** Stops scheduling; resolves when no `process()` is in flight. */
  pause(): Promise<void>;
  /** Resumes scheduling; loops restart their deadlines from now. */
  resume(): void;
  /** Stops loops and wakes (sources); push nodes keep running. Resolves when none is in flight. */
  halt(): Promise<void>;
  /** Runs push nodes that have input queued; resolves to whether any `process()` ran. */
  drain(): Promise<boolean>;
  /** Tears down every node that was set up, sources first; all go to `stopped`. */
  teardown(): Promise<void>;
  /** Resolves when background setups and teardowns (from `addNode`, `removeNode`) are done. */
  settled(): Promise<void>;
}

/** What every host reports: states, counters, failures and events. */
export interface HostReadout {
  /** A node's state. */
  nodeState(node: string): NodeState;
  /** A node's counters. */
  nodeStats(node: string): NodeStats;
  /** Why a node failed, while it is in state `error` (and after, until the next start). */
  nodeFailure(node: string): NodeFailure | undefined;
  /** The counters of a connection inside this isolate, or `undefined`. */
  connectionStats(connection: string): ConnectionStats | undefined;
  /** Subscribes to the host's `node-state` and `node-error` events; returns an unsubscribe. */
  on(listener: RuntimeEventListener): () => void;
}

/**
 * Runs the nodes of one isolate: instantiates processors, makes the connections inside the
 * isolate, schedules `process()` calls and reports events. The runtime (in the main isolate)
 * keeps the graph and validates every edit, then tells each isolate's host what to do.
 *
 * This is what every host must do; what a host may do besides (change configs in place, probe
 * outputs, pass keyframe requests, report frame leaks) is an optional capability of
 * `capabilities.ts`, which the runtime asks for through `capability(host, name)`.
 *
 * `LocalIsolate` (`local/host.ts`) implements it for the runtime's own isolate. A Worker's host
 * (`ffi/workers/host.ts`) posts these calls to a `LocalIsolate` inside the Worker (commands are
 * fire-and-forget: failures come back as `node-error` events; state and stats are the latest the
 * Worker reported); a native plugin's host (`ffi/plugins/host.ts`) runs its nodes on native
 * threads.
 */
export interface IsolateHost extends HostGraph, HostLifecycle, HostReadout {
  /** The isolate's name (`main`, `worker:<name>`). */
  readonly isolate: string;
}

/**
 * What `new Runtime({ isolates })` takes to place nodes on Workers: the transport for
 * connections between isolates, and one host per Worker name.
 *
 * @example Place a node on a second host in this isolate
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { LocalIsolate } from "./local/host.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { NativeTransport } from "../../ffi/transport/native_transport.ts";
 *
 * using pool = FramePool.create({ slotBytes: 65_536, slotCount: 32 });
 * const transport = new NativeTransport({ pool });
 * // createRuntime() injects a WorkerBackend; any host with the right isolate name works.
 * const dsp = new LocalIsolate({ isolate: "worker:dsp", transport });
 * const rt = new Runtime({ registry: builtinRegistry, isolates: { transport, workers: { dsp } } });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "gain", "in");
 * rt.connectByName("gain", "out", "sink", "in");
 * assert.deepEqual(rt.describe().isolates, { main: [ "tone", "sink" ], "worker:dsp": [ "gain" ] });
 * await rt.start();
 * // Frames cross both ways between the hosts; on a loaded machine the first takes a while.
 * const deadline = Date.now() + 10_000;
 * while (rt.stats().nodes.sink.framesIn === 0 && Date.now() < deadline) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 * }
 * await rt.stop();
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * ```
 */
export interface IsolateBackend {
  /** Makes the connections between isolates. */
  readonly transport: CrossIsolateTransport;
  /** The host of each Worker, by the name used in `{ worker: "<name>" }` placements. */
  readonly workers: Readonly<Record<string, IsolateHost>>;
  /**
   * Creates the host of a Worker that is not in `workers`, the first time a placement names
   * it (so any worker name works without declaring it). Optional; `undefined` when it cannot.
   *
   * @param worker The name from `{ worker: "<name>" }`.
   * @returns A host whose isolate is `worker:<name>`, or `undefined`.
   */
  spawn?(worker: string): IsolateHost | undefined;
  /**
   * Hands the runtime's frame budget (`frameMemoryBytes`, shared memory) to the backend before
   * any node is placed, so that every isolate it starts draws its JavaScript frame memory from
   * the same budget as the main isolate. Optional: a backend without it gives each isolate a
   * budget of its own.
   *
   * @param memory The budget's counters and the largest single frame.
   */
  shareFrameMemory?(memory: SharedFrameMemory): void;
}
