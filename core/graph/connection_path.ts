/**
 * Finding a path of connections between two nodes: how a cycle is detected and reported.
 *
 * @module
 */

/**
 * A connection's two ends, as far as paths are concerned.
 *
 * @example A graph's connections are edges
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionPath, type PathEdge } from "./connection_path.ts";
 * import { Graph } from "./graph.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const graph = new Graph();
 * for (const id of ["a", "b", "c"]) graph.addNode({ id, descriptor: gainNode.descriptor });
 * graph.connect("a", "out", "b", "in");
 * graph.connect("b", "out", "c", "in");
 * const edges: PathEdge[] = graph.connections;
 * assert.deepEqual(connectionPath(edges, "a", "c"), [ "a.out", "b.in", "b.out", "c.in" ]);
 * ```
 */
export interface PathEdge {
  /** The output. */
  readonly from: { readonly node: string; readonly port: string };
  /** The input. */
  readonly to: { readonly node: string; readonly port: string };
}

/**
 * A path of connections from node `start` to node `end`, depth first.
 *
 * @param edges The connections, or a function giving the connections out of a node (a graph's
 *   index, so a check costs what it visits, not the size of the graph).
 * @param start The first node.
 * @param end The last node.
 * @returns `node.port` of each output and input along the path (empty when `start` is `end`),
 * or `undefined` when `end` cannot be reached.
 *
 * @example Would b.out -> a.in close a cycle?
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionPath } from "./connection_path.ts";
 *
 * const edges = [{ from: { node: "a", port: "out" }, to: { node: "b", port: "in" } }];
 * assert.deepEqual(connectionPath(edges, "a", "b"), [ "a.out", "b.in" ]); // yes
 * ```
 */
export function connectionPath(
  edges: Iterable<PathEdge> | ((node: string) => Iterable<PathEdge>),
  start: string,
  end: string,
): string[] | undefined {
  if (start === end) return [];
  const outgoing = typeof edges === "function" ? edges : indexByWriter(edges);
  // Iterative depth first search: each node is entered once, each edge followed once, and a
  // chain of any length uses no call stack.
  const seen = new Set([start]);
  const path: PathEdge[] = [];
  const stack: Iterator<PathEdge>[] = [outgoing(start)[Symbol.iterator]()];
  while (stack.length > 0) {
    const next = stack[stack.length - 1].next();
    if (next.done) {
      stack.pop();
      path.pop();
      continue;
    }
    const c = next.value;
    if (seen.has(c.to.node)) continue;
    path.push(c);
    if (c.to.node === end) {
      return path.flatMap((e) => [`${e.from.node}.${e.from.port}`, `${e.to.node}.${e.to.port}`]);
    }
    seen.add(c.to.node);
    stack.push(outgoing(c.to.node)[Symbol.iterator]());
  }
  return undefined;
}

function indexByWriter(edges: Iterable<PathEdge>): (node: string) => PathEdge[] {
  const out = new Map<string, PathEdge[]>();
  for (const c of edges) {
    const list = out.get(c.from.node);
    if (list) list.push(c);
    else out.set(c.from.node, [c]);
  }
  return (node) => out.get(node) ?? [];
}
