/**
 * What the main isolate knows of the nodes and connections of a Worker: the cache behind a
 * {@linkcode WorkerHost}'s synchronous reads.
 *
 * @module
 */

import { failureCode } from "../../core/errors/failure_code.ts";
import type { ConnectionStats } from "../../core/transport/connection.ts";
import { NodeNotFoundError } from "../../core/graph/errors.ts";
import type { HostedNodeSpec, NodeFailure } from "../../core/isolates/host.ts";
import { NodeCounters } from "../../core/probes/node_counters.ts";
import { nodeErrorEvent, type RuntimeEvent } from "../../core/lifecycle/events.ts";
import type { NodeState, NodeStats } from "../../core/lifecycle/stats.ts";
import type { WorkerNodeSnapshot, WorkerSnapshot } from "./protocol.ts";

/**
 * A node as the main isolate last heard of it.
 */
export interface MirroredNode {
  /** The node, as the runtime gave it. */
  readonly spec: HostedNodeSpec;
  /** The Worker it was added to (an opaque token: the host's Worker object). */
  readonly worker: object;
  /** Whether the Worker could load it (its definition imported and constructed). */
  loaded: boolean;
  /** The state. */
  state: NodeState;
  /** Why it failed. */
  failure: NodeFailure | undefined;
  /** The counters. */
  stats: NodeStats;
}

/**
 * A connection or channel end made in a Worker.
 */
export interface MirroredConnection {
  /** The Worker it was made in, or `undefined` when it was not made (a node was gone). */
  readonly worker: object | undefined;
  /** For a channel end: the node it is attached to. */
  readonly node?: string;
  /** For a connection inside the Worker: its counters. */
  stats?: ConnectionStats;
}

/**
 * The nodes and connections of one Worker host, by id, with the Worker (the host's current one,
 * or one that died) each was made in. States come from events, call replies and the host's own
 * assumptions; counters from replies and periodic snapshots. Only reports from the Worker a
 * node was added to touch it, so a Worker that died cannot overwrite its successor's nodes.
 *
 * @example Mirror a node and fail it
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerMirror } from "./mirror.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const mirror = new WorkerMirror();
 * const worker = {};
 * const spec = { id: "gain", definition: gainNode, config: {}, onError: "stop-processor", maxRestarts: 0 } as const;
 * mirror.addNode(spec, worker);
 * const events = mirror.fail(mirror.node("gain"), "process", new Error("gone"), 0);
 * assert.equal(mirror.node("gain").state, "error");
 * assert.deepEqual(events.map((e) => e.type), ["node-state", "node-error"]);
 * ```
 */
export class WorkerMirror {
  readonly #nodes = new Map<string, MirroredNode>();
  readonly #connections = new Map<string, MirroredConnection>();

  /**
   * Mirrors a new node, state `stopped` with zero counters.
   *
   * @param spec The node.
   * @param worker The Worker it is added to.
   */
  addNode(spec: HostedNodeSpec, worker: object): void {
    const stats = new NodeCounters().snapshot(spec.definition.ports(), undefined);
    this.#nodes.set(spec.id, {
      spec,
      worker,
      loaded: true,
      state: "stopped",
      failure: undefined,
      stats,
    });
  }

  /**
   * Forgets a node.
   *
   * @param id The node's id.
   * @returns What was known of it.
   * @throws {NodeNotFoundError} When it is not mirrored.
   */
  removeNode(id: string): MirroredNode {
    const node = this.node(id);
    this.#nodes.delete(id);
    return node;
  }

  /**
   * A node.
   *
   * @param id The node's id.
   * @returns It.
   * @throws {NodeNotFoundError} When it is not mirrored.
   */
  node(id: string): MirroredNode {
    const node = this.#nodes.get(id);
    if (!node) throw new NodeNotFoundError(id, [...this.#nodes.keys()], false);
    return node;
  }

  /**
   * A node, if mirrored.
   *
   * @param id The node's id.
   * @returns It, or `undefined`.
   */
  find(id: string): MirroredNode | undefined {
    return this.#nodes.get(id);
  }

  /**
   * Whether a node lives in `worker` and was loaded there.
   *
   * @param id The node's id.
   * @param worker The Worker.
   * @returns Whether commands for it can go to that Worker.
   */
  alive(id: string, worker: object | undefined): boolean {
    const node = this.#nodes.get(id);
    return worker !== undefined && node?.loaded === true && node.worker === worker;
  }

  /**
   * Records a connection or channel end.
   *
   * @param id The connection's id.
   * @param connection Where it was made.
   */
  setConnection(id: string, connection: MirroredConnection): void {
    this.#connections.set(id, connection);
  }

  /**
   * Forgets a connection.
   *
   * @param id The connection's id.
   * @returns What was known of it, if anything.
   */
  deleteConnection(id: string): MirroredConnection | undefined {
    const connection = this.#connections.get(id);
    this.#connections.delete(id);
    return connection;
  }

  /**
   * The counters of a connection inside the Worker.
   *
   * @param id The connection's id.
   * @returns The counters, or `undefined` for a channel end or an unknown id.
   */
  connectionStats(id: string): ConnectionStats | undefined {
    return this.#connections.get(id)?.stats;
  }

  /**
   * The ids of the nodes added to `worker`.
   *
   * @param worker The Worker.
   * @returns The ids.
   */
  nodesOf(worker: object): string[] {
    return [...this.#nodes.values()].filter((n) => n.worker === worker).map((n) => n.spec.id);
  }

  /**
   * The ids of the connections made in `worker`, or attached to node `node` when given.
   *
   * @param worker The Worker.
   * @param node Only the channel ends of this node.
   * @returns The ids.
   */
  connectionsOf(worker: object, node?: string): string[] {
    return [...this.#connections].filter(([, c]) =>
      c.worker === worker && (node === undefined || c.node === node)
    ).map(([id]) => id);
  }

  /**
   * Takes a snapshot from `worker`: counters, and states and failures when `withStates`.
   *
   * @param worker The Worker that sent it.
   * @param snapshot The snapshot.
   * @param withStates Whether its states are current (call replies) or may predate commands
   * posted since (periodic snapshots).
   */
  applySnapshot(worker: object, snapshot: WorkerSnapshot, withStates: boolean): void {
    for (const [id, s] of Object.entries(snapshot.nodes)) {
      const node = this.#nodes.get(id);
      if (!node || node.worker !== worker) continue;
      node.stats = s.stats;
      if (withStates) this.#setCurrent(node, s);
    }
    for (const [id, stats] of Object.entries(snapshot.connections)) {
      const connection = this.#connections.get(id);
      if (connection?.worker === worker) connection.stats = stats;
    }
  }

  /**
   * Takes a node's state after an event from `worker`.
   *
   * @param worker The Worker that sent it.
   * @param node The node's id.
   * @param current Its state and failure after the event.
   */
  applyCurrent(
    worker: object,
    node: string,
    current: Omit<WorkerNodeSnapshot, "stats"> | undefined,
  ): void {
    const mirrored = this.#nodes.get(node);
    if (mirrored && current && mirrored.worker === worker) this.#setCurrent(mirrored, current);
  }

  /**
   * What `run()`/`resume()` does in the Worker to the nodes that are set up, assumed at once.
   *
   * @param worker The Worker.
   */
  assumeRunning(worker: object): void {
    for (const node of this.#nodes.values()) {
      if (node.worker !== worker) continue;
      if (node.state === "starting" || node.state === "paused") node.state = "running";
    }
  }

  /**
   * Puts a node in `error` with `error` as its failure.
   *
   * @param node The node.
   * @param phase Where it failed.
   * @param error Why.
   * @param timeNs The events' time.
   * @returns The events to emit: `node-state` (unless already in error) and `node-error`.
   */
  fail(
    node: MirroredNode,
    phase: "setup" | "process",
    error: Error,
    timeNs: number,
  ): RuntimeEvent[] {
    const from = node.state;
    node.state = "error";
    const code = failureCode(error);
    node.failure = code === undefined
      ? { phase, message: error.message }
      : { phase, message: error.message, code };
    const { id, onError: policy } = node.spec;
    const action = policy === "stop-runtime" ? "stop-runtime" : "stop-processor";
    const events: RuntimeEvent[] = [];
    if (from !== "error") events.push({ type: "node-state", timeNs, node: id, from, to: "error" });
    events.push(nodeErrorEvent({ timeNs, node: id, phase, policy, action, restarts: 0 }, error));
    return events;
  }

  #setCurrent(node: MirroredNode, current: Omit<WorkerNodeSnapshot, "stats">): void {
    node.state = current.state;
    node.failure = current.failure;
  }
}
