/**
 * The contract between the runtime and the isolates its nodes run in.
 *
 * @module
 */

import type { ConnectionStats } from "./connection.ts";
import type { ErrorPolicy } from "./error_policy.ts";
import type { FrameAllocator } from "./frame_allocator.ts";
import type { JsonValue } from "./json_schema.ts";
import type { NodeDefinition } from "./node_definition.ts";
import type { DeliveryPolicy } from "./ring_contract.ts";
import type { RuntimeEventListener } from "./runtime_events.ts";
import type { NodeState, NodeStats } from "./runtime_stats.ts";
import type { CrossIsolateTransport, TransportEndpoint } from "./cross_isolate_transport.ts";

/** A node for a host to run. The runtime has validated everything in it. */
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
}

/** A port of a node a host runs. */
export interface HostedPort {
  /** The node's id. */
  readonly node: string;
  /** The port's name. */
  readonly port: string;
}

/** A connection between two nodes of one host. */
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

/** One end of a cross-isolate channel, for the host of the node on that end. */
export interface HostedEndpointSpec {
  /** The connection's id. */
  readonly connection: string;
  /** The output (for `attachWriter`) or input (for `attachReader`) on this host. */
  readonly port: HostedPort;
  /** The endpoint from `CrossIsolateChannel.writer` or `.reader`. */
  readonly endpoint: TransportEndpoint;
}

/** Why a node is in state `error`. */
export interface NodeFailure {
  /** The method that threw. */
  readonly phase: "setup" | "process";
  /** The error's message. */
  readonly message: string;
}

/**
 * Runs the nodes of one isolate: instantiates processors, makes the connections inside the
 * isolate, schedules `process()` calls and reports events. The runtime (in the main isolate)
 * keeps the graph and validates every edit, then tells each isolate's host what to do.
 *
 * `LocalIsolate` implements it for the runtime's own isolate. A Worker host implements it by
 * posting these calls to a `LocalIsolate` inside the Worker (commands are fire-and-forget:
 * failures come back as `node-error` events; state and stats are the latest the Worker
 * reported).
 *
 * Lifecycle, driven by the runtime: `setup()` every host, then `run()` every host; `pause()`
 * and `resume()`; to stop, `halt()` every host (sources stop), `drain()` every host until none
 * ran anything, then `teardown()`.
 */
export interface IsolateHost {
  /** The isolate's name (`main`, `worker:<name>`). */
  readonly isolate: string;
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
 * What `new Runtime({ isolates })` takes to place nodes on Workers: the transport for
 * connections between isolates, and one host per Worker name.
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
   * Where nodes of the main isolate get output video frames (`SetupContext.frameAllocator`):
   * frames that cross to Workers without a copy. Optional; plain memory without it.
   *
   * @param hold Frames that stay valid (see `FrameAllocator`).
   * @returns An allocator the node owns.
   */
  frameAllocator?(hold: number): FrameAllocator;
}
