/**
 * The messages between a {@linkcode WorkerHost} (main isolate) and the `LocalIsolate` it runs in
 * its Worker (`entry.ts`). Everything here is structured-cloneable.
 *
 * @module
 */

import type { ConnectionStats } from "../../core/transport/connection.ts";
import type { ErrorPolicy } from "../../core/lifecycle/error_policy.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  NodeFailure,
} from "../../core/isolates/host.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../../core/probes/probe.ts";
import type { RuntimeEvent } from "../../core/lifecycle/events.ts";
import type { NodeState, NodeStats } from "../../core/lifecycle/stats.ts";
import type { SharedFramePool } from "../transport/frame_pool.ts";
import type { SharedFrameMemory } from "../../core/frames/frame_budget.ts";

/**
 * What the Worker is started with (`workerData`).
 *
 * @example The Worker's start-up data
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { type WorkerInit } from "./protocol.ts";
 *
 * using pool = FramePool.create({ slotBytes: 4096, slotCount: 8 });
 * const init: WorkerInit = {
 *   isolate: "worker:dsp",
 *   pool: pool.share(),
 *   registries: [],
 *   statsIntervalMs: 100,
 * };
 * // Structured-cloneable: it is posted as the Worker's `workerData`.
 * assert.equal(structuredClone(init).isolate, "worker:dsp");
 * ```
 */
export interface WorkerInit {
  /** The isolate name, `worker:<name>`. */
  readonly isolate: string;
  /** The frame pool every channel and pool allocator uses. */
  readonly pool: SharedFramePool;
  /**
   * Where the Worker records the slot references it holds, so the main isolate can give them back
   * if it dies (`reclaimHoldings`).
   */
  readonly holdings?: SharedArrayBuffer;
  /** URLs of modules exporting `NodeRegistry`s, for definitions without a `moduleUrl`. */
  readonly registries: readonly string[];
  /** How often the Worker posts its counters while it has nodes, in milliseconds. */
  readonly statsIntervalMs: number;
  /**
   * `"stderr"`: stdout is reserved for a protocol in the main isolate (`reserveStdout()`), so the
   * Worker prints `console.log` and its kin to stderr too. Default: where Deno prints them.
   */
  readonly console?: "stderr";
  /**
   * The runtime's frame budget (`frameMemoryBytes`, one for every isolate) and largest frame:
   * the Worker's JavaScript frame memory draws from it. Without it the Worker has a budget of its
   * own (`DEFAULT_FRAME_MEMORY_BYTES`).
   */
  readonly frameMemory?: SharedFrameMemory;
  /**
   * The Worker's wake word (`channel/wake.ts`): its channels ring it and the main isolate rings
   * it after every command, so the Worker can block its thread on it (`wait: "block"`).
   */
  readonly wake?: SharedArrayBuffer;
}

/**
 * A node as posted to a Worker: its definition by name and module.
 *
 * @example Resolve a posted node as the Worker does
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerDefinitions } from "./definitions.ts";
 * import { type WorkerNodeSpec } from "./protocol.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const spec: WorkerNodeSpec = {
 *   id: "gain",
 *   processor: gainNode.descriptor.name,
 *   moduleUrl: gainNode.moduleUrl,
 *   config: { gain: 0.5 },
 *   onError: "stop-processor",
 *   maxRestarts: 0,
 * };
 * const definition = await new WorkerDefinitions([]).resolve(spec.processor, spec.moduleUrl);
 * assert.equal(definition.descriptor.name, "Gain");
 * ```
 */
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
  /** `"block"`: placed with `wait: "block"` (the Worker blocks its thread while it has such nodes). */
  readonly wait?: "block";
}

/**
 * The `IsolateHost` calls that answer (lifecycle steps and node removal).
 *
 * @example Build call commands
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WorkerCallName, WorkerCommand } from "./protocol.ts";
 *
 * let nextId = 1;
 * function call(name: WorkerCallName, node?: string): Extract<WorkerCommand, { op: "call" }> {
 *   return { op: "call", id: nextId++, call: name, node };
 * }
 *
 * assert.deepEqual(call("setup"), { op: "call", id: 1, call: "setup", node: undefined });
 * assert.equal(call("removeNode", "gain").id, 2);
 * ```
 */
export type WorkerCallName =
  | "removeNode"
  | "setup"
  | "pause"
  | "halt"
  | "drain"
  | "teardown"
  | "settled"
  | "frameLeaks";

/**
 * A message from the main isolate to the Worker. Handled strictly in order.
 *
 * @example Describe commands
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WorkerCommand } from "./protocol.ts";
 *
 * function describe(command: WorkerCommand): string {
 *   switch (command.op) {
 *     case "addNode":
 *       return `add ${command.spec.id}`;
 *     case "call":
 *       return `call ${command.call} #${command.id}`;
 *     case "disconnect":
 *       return `disconnect ${command.connection}`;
 *     default:
 *       return command.op;
 *   }
 * }
 *
 * const commands: WorkerCommand[] = [
 *   { op: "run" },
 *   { op: "call", id: 1, call: "pause" },
 *   { op: "disconnect", connection: "conn_1" },
 * ];
 * assert.deepEqual(commands.map(describe), [ "run", "call pause #1", "disconnect conn_1" ]);
 * ```
 */
export type WorkerCommand =
  | { readonly op: "addNode"; readonly spec: WorkerNodeSpec }
  | { readonly op: "connect"; readonly spec: HostedConnectionSpec }
  | { readonly op: "attachWriter" | "attachReader"; readonly spec: HostedEndpointSpec }
  | { readonly op: "disconnect"; readonly connection: string }
  | {
    readonly op: "configureNode";
    readonly node: string;
    readonly config: JsonValue;
    readonly changed: readonly string[];
    readonly live: boolean;
  }
  | { readonly op: "run" | "resume" | "close" }
  /** Attach a probe (`id` chosen by the host) to an output of the Worker. */
  | { readonly op: "probe"; readonly id: number; readonly spec: HostedProbeSpec }
  /** Detach a probe. */
  | { readonly op: "unprobe"; readonly id: number }
  /** Ask an output's writer for a keyframe (a probe's request). */
  | { readonly op: "keyframe"; readonly node: string; readonly port: string }
  /** End a node's stream from outside (`rt.endOfStream()` sent to a source). */
  | { readonly op: "endNode"; readonly node: string }
  | {
    readonly op: "call";
    readonly id: number;
    readonly call: WorkerCallName;
    readonly node?: string;
  };

/**
 * A node's state, failure and counters as the Worker last saw them.
 *
 * @example Apply a node's snapshot to the mirror
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerMirror } from "./mirror.ts";
 * import { type WorkerNodeSnapshot } from "./protocol.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const mirror = new WorkerMirror();
 * const worker = {};
 * mirror.addNode(
 *   { id: "gain", definition: gainNode, config: {}, onError: "stop-processor", maxRestarts: 0 },
 *   worker,
 * );
 * const gain: WorkerNodeSnapshot = {
 *   state: "running",
 *   failure: undefined,
 *   stats: mirror.node("gain").stats,
 * };
 * mirror.applySnapshot(worker, { nodes: { gain }, connections: {} }, true);
 * assert.equal(mirror.node("gain").state, "running");
 * ```
 */
export interface WorkerNodeSnapshot {
  /** The state. */
  readonly state: NodeState;
  /** Why it failed, if it did. */
  readonly failure: NodeFailure | undefined;
  /** The counters. */
  readonly stats: NodeStats;
}

/**
 * The Worker's counters: every node, and the connections inside the Worker.
 *
 * @example Snapshot a Worker with no nodes
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool } from "@streamlib/streamlib/ffi";
 * import { type WorkerSnapshot } from "./protocol.ts";
 * import { WorkerServer } from "./server.ts";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * const server = new WorkerServer({ isolate: "worker:a", pool, registries: [], post: () => {} });
 * const snapshot: WorkerSnapshot = server.snapshot();
 * assert.deepEqual(snapshot, { nodes: {}, connections: {} });
 * await server.close();
 * ```
 */
export interface WorkerSnapshot {
  /** By node id. */
  readonly nodes: Record<string, WorkerNodeSnapshot>;
  /** Connections between two nodes of the Worker, by id. */
  readonly connections: Record<string, ConnectionStats>;
  /**
   * How the Worker waited so far: passes of its blocking loop that blocked the thread and that
   * went through the event loop (both 0 unless nodes were placed with `wait: "block"`).
   */
  readonly waits?: WorkerWaitCounts;
}

/** Passes of a Worker's blocking loop (see `WorkerSnapshot.waits`). */
export interface WorkerWaitCounts {
  /** Passes that blocked the thread (`Atomics.wait`). */
  readonly blocked: number;
  /**
   * Of those, the blocks bounded to 1 ms (a writer waiting for room) that ran out: nothing rang
   * within the bound, because the reader had taken nothing yet (back-pressure) or its ring was
   * missed.
   */
  readonly ranOut: number;
  /** Passes that went through the event loop (a task let through, or a command handled). */
  readonly eventLoop: number;
}

/**
 * A message from the Worker to the main isolate.
 */
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
  | { readonly type: "command-failed"; readonly op: string; readonly message: string }
  /** A probe's sample: summary and transform result, never the frame. */
  | {
    readonly type: "probe-sample";
    readonly id: number;
    readonly sample: Omit<HostedProbeSample, "frame">;
  };
