/**
 * The topology of a graph: node ids, connections, and every rule a connection must pass.
 *
 * @module
 */

import {
  type ConnectionOptions,
  connectionOptionsProblem,
  defaultConnectionOptions,
} from "./connection_defaults.ts";
import { PortTypeMismatchError } from "./connect.ts";
import { connectionPath } from "./connection_path.ts";
import {
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  NodeNotFoundError,
  PortDirectionError,
} from "./errors.ts";
import { MAX_NODE_ID_LENGTH, NODE_ID_PATTERN, snakeCase } from "./node_id.ts";
import { PortNotFoundError } from "../ports/port_table.ts";
import { isPortTypeCompatible } from "../ports/port_type.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";

/** How many recent edits {@linkcode Graph.touchedSince} remembers (at least). */
export const GRAPH_JOURNAL_LENGTH = 4096;

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, set = new Set());
  return set;
}

/** `conn_12` → 12: connections sort in the order they were made. */
function connectionNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf("_") + 1));
}

/**
 * What a {@linkcode Graph} needs of a node.
 *
 * @example Node records that carry more than the graph needs
 * ```ts
 * import assert from "node:assert/strict";
 * import { Graph, type GraphNode } from "./graph.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * interface PlacedNode extends GraphNode {
 *   readonly isolate: string;
 * }
 * const graph = new Graph<PlacedNode>();
 * graph.addNode({ id: "gain", descriptor: gainNode.descriptor, isolate: "worker:dsp" });
 * assert.equal(graph.node("gain").isolate, "worker:dsp");
 * ```
 */
export interface GraphNode {
  /** The node's id. */
  readonly id: string;
  /** The processor's descriptor (its ports). */
  readonly descriptor: ProcessorDescriptor;
}

/**
 * One end of a connection.
 *
 * @example The ends of a connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { Graph, type GraphPort } from "./graph.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const graph = new Graph();
 * graph.addNode({ id: "a", descriptor: gainNode.descriptor });
 * graph.addNode({ id: "b", descriptor: gainNode.descriptor });
 * const from: GraphPort = graph.connect("a", "out", "b", "in").from;
 * assert.deepEqual(from, { node: "a", port: "out", portType: "AudioFrame<2>" });
 * ```
 */
export interface GraphPort {
  /** The node's id. */
  readonly node: string;
  /** The port's name. */
  readonly port: string;
  /** The port type string. */
  readonly portType: string;
}

/**
 * A connection: one output to one input through a buffer of its own.
 */
export interface GraphConnection {
  /** The connection's id (`conn_1`). */
  readonly id: string;
  /** The output. */
  readonly from: GraphPort;
  /** The input. */
  readonly to: GraphPort;
  /** Frames the buffer holds. */
  readonly capacity: number;
  /** What a write into a full buffer does. */
  readonly policy: DeliveryPolicy;
}

/**
 * Node ids and connections of one graph, checked as they are made: ids are unique, connections
 * go from an output to an input of a compatible type, an input takes one connection, and no
 * connection closes a cycle. The runtime and manifest validation share it; it holds no
 * processors and moves no frames.
 *
 * @typeParam N The node record.
 *
 * @example Refuse a cycle
 * ```ts
 * import assert from "node:assert/strict";
 * import { Graph } from "./graph.ts";
 * import { CycleError } from "./errors.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const graph = new Graph();
 * graph.addNode({ id: "a", descriptor: gainNode.descriptor });
 * graph.addNode({ id: "b", descriptor: gainNode.descriptor });
 * graph.connect("a", "out", "b", "in");
 * try {
 *   graph.connect("b", "out", "a", "in");
 * } catch (error) {
 *   assert.deepEqual(error instanceof CycleError && error.path, [ "b.out", "a.in", "a.out", "b.in" ]);
 * }
 * ```
 */
export class Graph<N extends GraphNode = GraphNode> {
  readonly #nodes = new Map<string, N>();
  readonly #removed = new Set<string>();
  readonly #connections = new Map<string, GraphConnection>();
  readonly #disconnected = new Set<string>();
  /** `node.port` of each connected input → connection id. */
  readonly #inputs = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  /** Connections out of and into each node, so no query walks the whole graph. */
  readonly #outgoing = new Map<string, Set<GraphConnection>>();
  readonly #incoming = new Map<string, Set<GraphConnection>>();
  /** The nodes each recent edit touched, oldest first (see {@linkcode Graph.touchedSince}). */
  #journal: { revision: number; node: string }[] = [];
  /** The journal holds every edit after this revision. */
  #journalFrom = 0;
  #revision = 0;
  #connectionCounter = 0;

  /**
   * A number that grows with every edit (a node added, replaced or removed, a connection made or
   * removed).
   */
  get revision(): number {
    return this.#revision;
  }

  /**
   * The ids of the nodes whose record or connections changed after `revision`, so a reader that
   * keeps something per node (admission control's estimate) updates only those. The graph
   * remembers the last {@linkcode GRAPH_JOURNAL_LENGTH} edits.
   *
   * @param revision A {@linkcode Graph.revision} read earlier.
   * @returns The ids (removed nodes included), or `undefined` when the edits since then are
   *   no longer remembered (read everything again).
   */
  touchedSince(revision: number): Set<string> | undefined {
    if (revision === this.#revision) return new Set();
    const journal = this.#journal;
    if (revision > this.#revision || revision < this.#journalFrom) return undefined;
    const touched = new Set<string>();
    for (let i = journal.length - 1; i >= 0 && journal[i].revision > revision; i--) {
      touched.add(journal[i].node);
    }
    return touched;
  }

  /**
   * The connections out of a node.
   *
   * @param id The node's id.
   * @returns Its outgoing connections (none for an unknown id).
   */
  outgoing(id: string): readonly GraphConnection[] {
    const set = this.#outgoing.get(id);
    return set ? [...set] : [];
  }

  /**
   * The connections into a node.
   *
   * @param id The node's id.
   * @returns Its incoming connections (none for an unknown id).
   */
  incoming(id: string): readonly GraphConnection[] {
    const set = this.#incoming.get(id);
    return set ? [...set] : [];
  }

  #touch(...nodes: string[]): void {
    const revision = ++this.#revision;
    for (const node of nodes) this.#journal.push({ revision, node });
    if (this.#journal.length > 2 * GRAPH_JOURNAL_LENGTH) {
      this.#journal = this.#journal.slice(-GRAPH_JOURNAL_LENGTH);
      this.#journalFrom = this.#journal[0].revision; // that revision's first nodes may be cut
    }
  }

  /** The nodes, in the order they were added. */
  get nodes(): N[] {
    return [...this.#nodes.values()];
  }

  /** The connections, in the order they were made. */
  get connections(): GraphConnection[] {
    return [...this.#connections.values()];
  }

  /**
   * A free id for a node of processor `processor`: its snake_case name and a counter
   * (`audio_mixer_1`).
   *
   * @param processor The processor name.
   * @returns The id.
   */
  newNodeId(processor: string): string {
    const stem = snakeCase(processor);
    let n = this.#counters.get(stem) ?? 0;
    let id;
    do id = `${stem}_${++n}`; while (this.#nodes.has(id));
    this.#counters.set(stem, n);
    return id;
  }

  /**
   * Checks that `id` can name a new node.
   *
   * @param id The id.
   * @throws {InvalidNodeIdError} When it is taken, malformed or longer than
   *   `MAX_NODE_ID_LENGTH` characters.
   */
  checkNodeId(id: string): void {
    if (typeof id === "string" && id.length > MAX_NODE_ID_LENGTH) {
      throw new InvalidNodeIdError(id, "too_long");
    }
    if (typeof id !== "string" || !NODE_ID_PATTERN.test(id)) {
      throw new InvalidNodeIdError(String(id), "malformed");
    }
    if (this.#nodes.has(id)) throw new InvalidNodeIdError(id, "taken");
  }

  /**
   * Adds a node.
   *
   * @param node The node record.
   * @throws {InvalidNodeIdError} When its id is taken or malformed.
   */
  addNode(node: N): void {
    this.checkNodeId(node.id);
    this.#nodes.set(node.id, node);
    this.#removed.delete(node.id);
    this.#touch(node.id);
  }

  /**
   * Replaces the record of a node that is in the graph (same id; its connections stay).
   *
   * @param node The new record.
   * @throws {NodeNotFoundError} When there is no node with its id.
   */
  replaceNode(node: N): void {
    this.node(node.id);
    this.#nodes.set(node.id, node);
    this.#touch(node.id);
  }

  /**
   * Whether a node with this id is in the graph.
   *
   * @param id The id.
   * @returns Whether it is.
   */
  hasNode(id: string): boolean {
    return this.#nodes.has(id);
  }

  /**
   * The node with this id.
   *
   * @param id The id.
   * @returns The node record.
   * @throws {NodeNotFoundError} When there is none (saying whether it was removed).
   */
  node(id: string): N {
    const node = this.#nodes.get(id);
    if (!node) throw new NodeNotFoundError(id, [...this.#nodes.keys()], this.#removed.has(id));
    return node;
  }

  /**
   * Removes a node and its connections.
   *
   * @param id The id.
   * @returns The node and the connections that were removed with it.
   * @throws {NodeNotFoundError} When there is no such node.
   */
  removeNode(id: string): { node: N; connections: GraphConnection[] } {
    const node = this.node(id);
    const connections = this.connectionsOf(id);
    for (const c of connections) this.disconnect(c.id);
    this.#nodes.delete(id);
    this.#removed.add(id);
    this.#outgoing.delete(id);
    this.#incoming.delete(id);
    this.#touch(id);
    return { node, connections };
  }

  /**
   * Checks a connection from `fromNode.fromPort` to `toNode.toPort` without making it.
   *
   * @param fromNode The writing node's id.
   * @param fromPort Its output.
   * @param toNode The reading node's id.
   * @param toPort Its input.
   * @param options Capacity and policy; missing ones take the defaults of the frame type.
   * @returns The connection it would make, without an id.
   * @throws {NodeNotFoundError} When a node is not in the graph.
   * @throws {PortDirectionError} When an input is given as the output or the reverse.
   * @throws {PortNotFoundError} When a port does not exist.
   * @throws {ConnectionOptionsError} When the capacity or policy is invalid.
   * @throws {PortTypeMismatchError} When the frame types do not fit.
   * @throws {DestinationOccupiedError} When the input already has a connection.
   * @throws {CycleError} When the connection would close a cycle.
   */
  check(
    fromNode: string,
    fromPort: string,
    toNode: string,
    toPort: string,
    options: ConnectionOptions = {},
  ): Omit<GraphConnection, "id"> {
    const from = this.#port(fromNode, fromPort, "output");
    const to = this.#port(toNode, toPort, "input");
    const fromName = `${from.node}.${from.port}`;
    const toName = `${to.node}.${to.port}`;
    for (const field of ["capacity", "policy"] as const) {
      const problem = connectionOptionsProblem({ [field]: options[field] });
      if (problem) throw new ConnectionOptionsError(fromName, toName, problem, field);
    }
    if (!isPortTypeCompatible(from.portType, to.portType)) {
      throw new PortTypeMismatchError(fromName, from.portType, toName, to.portType);
    }
    const existing = this.#inputs.get(toName);
    if (existing !== undefined) {
      const c = this.#connections.get(existing)!;
      throw new DestinationOccupiedError(
        fromName,
        toName,
        existing,
        `${c.from.node}.${c.from.port}`,
      );
    }
    const cycle = connectionPath((node) => this.#outgoing.get(node) ?? [], to.node, from.node);
    if (cycle) throw new CycleError([fromName, toName, ...cycle]);
    const defaults = defaultConnectionOptions(from.portType, to.portType);
    return {
      from,
      to,
      capacity: options.capacity ?? defaults.capacity,
      policy: options.policy ?? defaults.policy,
    };
  }

  /**
   * Checks and makes a connection (see {@linkcode Graph.check} for the errors).
   *
   * @param fromNode The writing node's id.
   * @param fromPort Its output.
   * @param toNode The reading node's id.
   * @param toPort Its input.
   * @param options Capacity and policy.
   * @returns The connection, with a new id.
   */
  connect(
    fromNode: string,
    fromPort: string,
    toNode: string,
    toPort: string,
    options: ConnectionOptions = {},
  ): GraphConnection {
    const checked = this.check(fromNode, fromPort, toNode, toPort, options);
    const connection = { id: `conn_${++this.#connectionCounter}`, ...checked };
    this.#connections.set(connection.id, connection);
    this.#inputs.set(`${checked.to.node}.${checked.to.port}`, connection.id);
    setOf(this.#outgoing, checked.from.node).add(connection);
    setOf(this.#incoming, checked.to.node).add(connection);
    this.#touch(checked.from.node, checked.to.node);
    return connection;
  }

  /**
   * The connection with this id.
   *
   * @param id The id.
   * @returns The connection.
   * @throws {ConnectionNotFoundError} When there is none (saying whether it was disconnected).
   */
  connection(id: string): GraphConnection {
    const connection = this.#connections.get(id);
    if (!connection) {
      throw new ConnectionNotFoundError(
        id,
        [...this.#connections.keys()],
        this.#disconnected.has(id),
      );
    }
    return connection;
  }

  /**
   * Removes a connection.
   *
   * @param id The id.
   * @returns The connection that was removed.
   * @throws {ConnectionNotFoundError} When there is none.
   */
  disconnect(id: string): GraphConnection {
    const connection = this.connection(id);
    this.#connections.delete(id);
    this.#inputs.delete(`${connection.to.node}.${connection.to.port}`);
    this.#disconnected.add(id);
    this.#outgoing.get(connection.from.node)?.delete(connection);
    this.#incoming.get(connection.to.node)?.delete(connection);
    this.#touch(connection.from.node, connection.to.node);
    return connection;
  }

  /**
   * The connections into or out of a node.
   *
   * @param id The node's id.
   * @returns Its connections.
   */
  connectionsOf(id: string): GraphConnection[] {
    return [...this.outgoing(id), ...this.incoming(id)].sort((a, b) =>
      connectionNumber(a.id) - connectionNumber(b.id)
    );
  }

  #port(node: string, port: string, direction: "input" | "output"): GraphPort {
    const { descriptor } = this.node(node);
    const ports = direction === "input" ? descriptor.inputs : descriptor.outputs;
    const found = ports.find((p) => p.name === port);
    if (found) return { node, port, portType: found.portType };
    const other = direction === "input" ? descriptor.outputs : descriptor.inputs;
    if (other.some((p) => p.name === port)) {
      throw new PortDirectionError(`${node}.${port}`, direction);
    }
    throw new PortNotFoundError(node, direction, port, ports.map((p) => p.name));
  }
}
