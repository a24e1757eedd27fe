/**
 * Builds `rt.describe()` and `rt.stats()` from the graph and the isolates' hosts.
 *
 * @module
 */

import type { ConnectionStats } from "./transport/connection.ts";
import type { Graph, GraphConnection } from "./graph/graph.ts";
import type { IsolateHost } from "./isolates/host.ts";
import type {
  ConnectionDescription,
  ConnectionInfo,
  GraphDescription,
  NodeDescription,
} from "./description.ts";
import type { RuntimeNode } from "./runtime_node.ts";
import type { RuntimeState, RuntimeStats } from "./lifecycle/stats.ts";
import type { GpuStats } from "./gpu/gpu_context.ts";

/** Where a snapshot reads live state. */
export interface SnapshotSource {
  /** The host running a node. */
  host(node: string): IsolateHost;
  /** A connection's counters. */
  connectionStats(connection: GraphConnection): ConnectionStats;
  /** The main isolate's GPU counters. */
  gpu?(): GpuStats;
}

/**
 * The connection as `connect()` returns it.
 *
 * @param c The graph's connection.
 * @returns Its id, ends (`node.port`), capacity and policy.
 */
export function connectionInfo(c: GraphConnection): ConnectionInfo {
  return {
    id: c.id,
    from: `${c.from.node}.${c.from.port}`,
    to: `${c.to.node}.${c.to.port}`,
    capacity: c.capacity,
    policy: c.policy,
  };
}

/**
 * The whole graph as JSON.
 *
 * @param state The runtime's state.
 * @param graph The graph.
 * @param source Live state.
 * @returns The description.
 */
export function describeGraph(
  state: RuntimeState,
  graph: Graph<RuntimeNode>,
  source: SnapshotSource,
): GraphDescription {
  const connections = graph.connections;
  const isolates: Record<string, string[]> = {};
  const nodes = graph.nodes.map((node): NodeDescription => {
    (isolates[node.isolate] ??= []).push(node.id);
    const host = source.host(node.id);
    const mine = connections.filter((c) => c.from.node === node.id || c.to.node === node.id);
    return {
      id: node.id,
      type: node.descriptor.name,
      mode: node.descriptor.mode,
      state: host.nodeState(node.id),
      placement: node.placement,
      isolate: node.isolate,
      onError: node.onError,
      maxRestarts: node.maxRestarts,
      config: structuredClone(node.config),
      inputs: node.descriptor.inputs.map((p) => ({
        name: p.name,
        portType: p.portType,
        connection: mine.find((c) => c.to.node === node.id && c.to.port === p.name)?.id ?? null,
      })),
      outputs: node.descriptor.outputs.map((p) => ({
        name: p.name,
        portType: p.portType,
        connections: mine.filter((c) => c.from.node === node.id && c.from.port === p.name)
          .map((c) => c.id),
      })),
      failure: host.nodeFailure(node.id) ?? null,
      stats: host.nodeStats(node.id),
    };
  });
  return {
    state,
    nodes,
    connections: connections.map((c): ConnectionDescription => ({
      ...connectionInfo(c),
      fromType: c.from.portType,
      toType: c.to.portType,
      crossIsolate: graph.node(c.from.node).isolate !== graph.node(c.to.node).isolate,
      stats: source.connectionStats(c),
    })),
    isolates,
  };
}

/**
 * The counters of every node and connection.
 *
 * @param state The runtime's state.
 * @param timeNs The snapshot time.
 * @param graph The graph.
 * @param source Live state.
 * @returns The snapshot.
 */
export function snapshotStats(
  state: RuntimeState,
  timeNs: number,
  graph: Graph<RuntimeNode>,
  source: SnapshotSource,
): RuntimeStats {
  const nodes: RuntimeStats["nodes"] = {};
  for (const node of graph.nodes) {
    const host = source.host(node.id);
    nodes[node.id] = { state: host.nodeState(node.id), ...host.nodeStats(node.id) };
  }
  const connections: RuntimeStats["connections"] = {};
  for (const c of graph.connections) connections[c.id] = source.connectionStats(c);
  const gpu = source.gpu?.();
  return gpu === undefined
    ? { state, timeNs, nodes, connections }
    : { state, timeNs, nodes, connections, gpu };
}
