/**
 * The messages between a {@linkcode WorkerHost} (main isolate) and the `LocalIsolate` it runs in
 * its Worker (`worker_entry.ts`). Everything here is structured-cloneable.
 *
 * @module
 */

import type { ConnectionStats } from "../core/connection.ts";
import type { ErrorPolicy } from "../core/error_policy.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  NodeFailure,
} from "../core/isolate_host.ts";
import type { JsonValue } from "../core/json_schema.ts";
import type { RuntimeEvent } from "../core/runtime_events.ts";
import type { NodeState, NodeStats } from "../core/runtime_stats.ts";
import type { SharedFramePool } from "./frame_pool.ts";

/** What the Worker is started with (`workerData`). */
export interface WorkerInit {
  /** The isolate name, `worker:<name>`. */
  readonly isolate: string;
  /** The frame pool every channel and pool allocator uses. */
  readonly pool: SharedFramePool;
  /** URLs of modules exporting `NodeRegistry`s, for definitions without a `moduleUrl`. */
  readonly registries: readonly string[];
  /** How often the Worker posts its counters while it has nodes, in milliseconds. */
  readonly statsIntervalMs: number;
}

/** A node as posted to a Worker: its definition by name and module. */
export interface WorkerNodeSpec {
  /** The node's id. */
  readonly id: string;
  /** The processor name (`descriptor.name`). */
  readonly processor: string;
  /** The module that exports its definition, when known. */
  readonly moduleUrl: string | undefined;
  /** The validated config. */
  readonly config: JsonValue;
  /** The error policy. */
  readonly onError: ErrorPolicy;
  /** The restart limit per run. */
  readonly maxRestarts: number;
}

/** The `IsolateHost` calls that answer (lifecycle steps and node removal). */
export type WorkerCallName =
  | "removeNode"
  | "setup"
  | "pause"
  | "halt"
  | "drain"
  | "teardown"
  | "settled";

/** A message from the main isolate to the Worker. Handled strictly in order. */
export type WorkerCommand =
  | { readonly op: "addNode"; readonly spec: WorkerNodeSpec }
  | { readonly op: "connect"; readonly spec: HostedConnectionSpec }
  | { readonly op: "attachWriter" | "attachReader"; readonly spec: HostedEndpointSpec }
  | { readonly op: "disconnect"; readonly connection: string }
  | { readonly op: "run" | "resume" | "close" }
  | {
    readonly op: "call";
    readonly id: number;
    readonly call: WorkerCallName;
    readonly node?: string;
  };

/** A node's state, failure and counters as the Worker last saw them. */
export interface WorkerNodeSnapshot {
  /** The state. */
  readonly state: NodeState;
  /** Why it failed, if it did. */
  readonly failure: NodeFailure | undefined;
  /** The counters. */
  readonly stats: NodeStats;
}

/** The Worker's counters: every node, and the connections inside the Worker. */
export interface WorkerSnapshot {
  /** By node id. */
  readonly nodes: Record<string, WorkerNodeSnapshot>;
  /** Connections between two nodes of the Worker, by id. */
  readonly connections: Record<string, ConnectionStats>;
}

/** A message from the Worker to the main isolate. */
export type WorkerReport =
  | { readonly type: "ready"; readonly threadId: number }
  | {
    readonly type: "reply";
    readonly id: number;
    readonly value: unknown;
    readonly snapshot: WorkerSnapshot;
  }
  | {
    readonly type: "event";
    readonly event: RuntimeEvent;
    /** The node's state and failure after the event (`undefined` once it was removed). */
    readonly current: Omit<WorkerNodeSnapshot, "stats"> | undefined;
  }
  | { readonly type: "snapshot"; readonly snapshot: WorkerSnapshot }
  | {
    readonly type: "node-failed";
    readonly node: string;
    readonly name: string;
    readonly message: string;
    readonly stack: string | null;
  }
  | { readonly type: "command-failed"; readonly op: string; readonly message: string };
