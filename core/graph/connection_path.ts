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
 * @param edges The connections.
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
  edges: Iterable<PathEdge>,
  start: string,
  end: string,
): string[] | undefined {
  if (start === end) return [];
  const all = [...edges];
  const seen = new Set([start]);
  const walk = (node: string): string[] | undefined => {
    for (const c of all) {
      if (c.from.node !== node || seen.has(c.to.node)) continue;
      const hop = [`${c.from.node}.${c.from.port}`, `${c.to.node}.${c.to.port}`];
      if (c.to.node === end) return hop;
      seen.add(c.to.node);
      const rest = walk(c.to.node);
      if (rest) return [...hop, ...rest];
    }
    return undefined;
  };
  return walk(start);
}
