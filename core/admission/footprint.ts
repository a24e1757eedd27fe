/**
 * How much frame memory each node of a graph will pin, estimated from configs and connections
 * without running anything: what admission control checks against the runtime's budget.
 *
 * @module
 */

import { defaultConnectionOptions } from "../graph/connection_defaults.ts";
import { parsePortType } from "../ports/port_type.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import { topologicalOrder } from "../graph/topological_order.ts";

/**
 * What a processor declares about the frames it makes, from its config alone.
 */
export interface FrameFootprint {
  /** Bytes of the largest frame one of its outputs writes. */
  readonly frameBytes: number;
  /**
   * Frames the processor holds itself beyond the one it is making (a pool it rotates, frames it
   * keeps with `ctx.frames.keep()`). Default 0.
   */
  readonly heldFrames?: number;
}

/**
 * The static hook a processor class declares to be counted by admission control:
 * `static footprint(config)` returns the size of its frames for that config, or `undefined` when
 * the config does not tell (a capture device's own size, a file's).
 *
 * A processor that declares nothing is estimated from what it reads: when one of its outputs
 * carries the frame type of one of its inputs (a video filter, an audio effect), its frames are
 * taken to be as large as the largest frame that input receives; otherwise (a decoder, a file
 * source) it is not counted, and the frame memory's per-frame limit and budget still bound it
 * when it runs.
 *
 * @example Declare the frames of a video source
 * ```ts
 * import assert from "node:assert/strict";
 * import { videoFrameByteLength } from "../frames/video_frame.ts";
 * import type { DeclaresFootprint, FrameFootprint } from "./footprint.ts";
 *
 * class Pattern {
 *   static footprint(config: { width: number; height: number }): FrameFootprint {
 *     return { frameBytes: videoFrameByteLength("RGBA", config.width, config.height) };
 *   }
 * }
 * const hook: DeclaresFootprint<{ width: number; height: number }> = Pattern;
 * assert.equal(hook.footprint({ width: 2, height: 2 })?.frameBytes, 16);
 * ```
 */
export interface DeclaresFootprint<C = never> {
  /**
   * The frames the processor makes with `config`.
   *
   * @param config The validated config, defaults filled in.
   * @returns The footprint, or `undefined` when the config does not tell.
   */
  footprint(config: C): FrameFootprint | undefined;
}

/** One node's estimate. */
export interface NodeFootprint {
  /** The node's id. */
  readonly node: string;
  /** Its processor. */
  readonly processor: string;
  /** Bytes of one frame it makes (0 when unknown). */
  readonly frameBytes: number;
  /** Frames of that size it may pin at once. */
  readonly slots: number;
  /** `frameBytes * slots`. */
  readonly bytes: number;
  /** Index signature, so the estimate is JSON details of an error. */
  readonly [key: string]: string | number;
}

/** The parts of a graph an estimate reads. */
export interface FootprintGraph {
  /** The nodes, with the class that may declare a footprint and the config. */
  readonly nodes: readonly {
    readonly id: string;
    readonly descriptor: ProcessorDescriptor;
    readonly definition: { readonly processorClass: unknown; readonly footprint?: unknown };
    readonly config: unknown;
  }[];
  /** The connections, with their capacities. */
  readonly connections: readonly {
    readonly from: { readonly node: string; readonly port: string };
    readonly to: { readonly node: string; readonly port: string };
    readonly capacity: number;
  }[];
}

/**
 * Estimates what every node pins: `frameBytes * slots`, where the slots are the frame being made,
 * the frames the processor holds itself (`heldFrames`), and for each connection of its outputs
 * the frames it can queue (`capacity`) and the one its reader holds while it runs; an output with
 * no connection yet counts one of the default capacity of its frame type, so adding a node
 * reserves what its first connection will hold.
 * Frame sizes come from each processor's `static footprint(config)` (or the hook its lazy
 * registry entry carries) or, for a processor without one, from the frames it reads (see {@linkcode DeclaresFootprint}).
 *
 * @param graph The nodes and connections.
 * @returns Each node's estimate, by id.
 *
 * @example A pattern feeding a filter that declares nothing
 * ```ts
 * import assert from "node:assert/strict";
 * import { graphFootprint } from "./footprint.ts";
 * import { testPatternNode } from "../../processors/sources/test_pattern.gen.ts";
 * import { colorConvertNode } from "../../processors/transforms/color_convert.gen.ts";
 *
 * const pattern = { id: "p", definition: testPatternNode, descriptor: testPatternNode.descriptor, config: { width: 64, height: 32, pixelFormat: "RGBA" } };
 * const convert = { id: "c", definition: colorConvertNode, descriptor: colorConvertNode.descriptor, config: {} };
 * const connection = { from: { node: "p", port: "video" }, to: { node: "c", port: "in" }, capacity: 2 };
 * const footprint = graphFootprint({ nodes: [pattern, convert], connections: [connection] });
 * assert.deepEqual([footprint.get("p")?.frameBytes, footprint.get("p")?.slots], [8192, 4]); // 1 + 2 + 1
 * assert.deepEqual([footprint.get("c")?.frameBytes, footprint.get("c")?.slots], [8192, 5]); // 1 + default capacity 3 + 1
 * ```
 */
export function graphFootprint(graph: FootprintGraph): Map<string, NodeFootprint> {
  const view = indexFootprintGraph(graph);
  const order = topologicalOrder(
    graph.nodes.map((n) => n.id),
    graph.connections.map((c) => ({ from: c.from.node, to: c.to.node })),
  );
  const result = new Map<string, NodeFootprint>();
  const frameBytesOf = (id: string) => result.get(id)?.frameBytes ?? 0;
  for (const id of order) result.set(id, nodeFootprint(view, view.node(id), frameBytesOf));
  return result;
}

/** One node of a {@linkcode FootprintGraph}. */
export type FootprintNode = FootprintGraph["nodes"][number];
/** One connection of a {@linkcode FootprintGraph}. */
export type FootprintConnection = FootprintGraph["connections"][number];

/**
 * A graph indexed by node, so an estimate reads only the connections of the nodes it estimates.
 * The runtime's `Graph` is one; {@linkcode indexFootprintGraph} makes one from plain arrays.
 */
export interface IndexedFootprintGraph {
  /** Whether the node is in the graph. */
  hasNode(id: string): boolean;
  /** The node (only asked for ids {@linkcode IndexedFootprintGraph.hasNode} answers for). */
  node(id: string): FootprintNode;
  /** The connections out of a node. */
  outgoing(id: string): readonly FootprintConnection[];
  /** The connections into a node. */
  incoming(id: string): readonly FootprintConnection[];
}

/**
 * Indexes plain arrays of nodes and connections by node.
 *
 * @param graph The nodes and connections.
 * @returns The indexed graph.
 */
export function indexFootprintGraph(graph: FootprintGraph): IndexedFootprintGraph {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const outgoing = new Map<string, FootprintConnection[]>();
  const incoming = new Map<string, FootprintConnection[]>();
  for (const c of graph.connections) {
    listOf(outgoing, c.from.node).push(c);
    listOf(incoming, c.to.node).push(c);
  }
  return {
    hasNode: (id) => nodes.has(id),
    node: (id) => nodes.get(id)!,
    outgoing: (id) => outgoing.get(id) ?? [],
    incoming: (id) => incoming.get(id) ?? [],
  };
}

function listOf<V>(map: Map<string, V[]>, key: string): V[] {
  let list = map.get(key);
  if (!list) map.set(key, list = []);
  return list;
}

/**
 * Whether a node's frame size is its own (a declaration that answers for its config) rather
 * than the size of what it reads.
 *
 * @param node The node.
 * @returns Whether it declares its frames.
 */
export function declaresOwnFrames(node: FootprintNode): boolean {
  return declaredOf(node) !== undefined;
}

/**
 * One node's estimate (see {@linkcode graphFootprint} for what it counts).
 *
 * @param graph The graph, for the node's connections.
 * @param node The node (its config may differ from the graph's record: a config being checked).
 * @param frameBytesOf The frame size of each node that writes into it.
 * @returns The estimate.
 */
export function nodeFootprint(
  graph: IndexedFootprintGraph,
  node: FootprintNode,
  frameBytesOf: (id: string) => number,
): NodeFootprint {
  const { descriptor, id } = node;
  const declared = declaredOf(node);
  const frameBytes = declared?.frameBytes ?? inheritedFrameBytes(node, graph, frameBytesOf);
  let slots = 1 + (declared?.heldFrames ?? 0);
  const outgoing = graph.outgoing(id);
  for (const output of descriptor.outputs) {
    let connected = false;
    for (const c of outgoing) {
      if (c.from.port !== output.name) continue;
      // Each connection queues `capacity` frames, and its reader holds one more while it runs.
      slots += c.capacity + 1;
      connected = true;
    }
    if (!connected) {
      slots += defaultConnectionOptions(output.portType, output.portType).capacity + 1;
    }
  }
  if (descriptor.outputs.length === 0) slots = 0; // a sink makes no frames
  const bytes = frameBytes * slots;
  return { node: id, processor: descriptor.name, frameBytes, slots, bytes };
}

function declaredOf(node: FootprintNode): FrameFootprint | undefined {
  const { definition } = node;
  // A lazy registry entry carries its hook (its class is not loaded yet).
  return typeof definition.footprint === "function"
    ? declaredFootprint({ footprint: definition.footprint }, node.config)
    : declaredFootprint(definition.processorClass, node.config);
}

/** The processor's own declaration, when its class has one and it answers for this config. */
function declaredFootprint(processorClass: unknown, config: unknown): FrameFootprint | undefined {
  const hook = (processorClass as Partial<DeclaresFootprint<unknown>> | undefined)?.footprint;
  if (typeof hook !== "function") return undefined;
  const footprint = hook.call(processorClass, config);
  if (footprint === undefined) return undefined;
  const { frameBytes, heldFrames = 0 } = footprint;
  if (!Number.isFinite(frameBytes) || frameBytes < 0 || !Number.isFinite(heldFrames)) {
    return undefined; // a broken declaration counts as none; allocation still bounds the node
  }
  return { frameBytes, heldFrames: Math.max(0, heldFrames) };
}

/**
 * For a node that declares nothing: the largest frame it receives on an input whose frame type
 * one of its outputs also carries; 0 when there is none.
 */
function inheritedFrameBytes(
  node: FootprintNode,
  graph: IndexedFootprintGraph,
  frameBytesOf: (id: string) => number,
): number {
  const { descriptor } = node;
  const outputKinds = new Set(descriptor.outputs.map((p) => parsePortType(p.portType)?.name));
  let largest = 0;
  for (const c of graph.incoming(node.id)) {
    const input = descriptor.inputs.find((p) => p.name === c.to.port);
    const kind = input && parsePortType(input.portType)?.name;
    if (kind === undefined || (!outputKinds.has(kind) && !outputKinds.has("Frame"))) continue;
    largest = Math.max(largest, frameBytesOf(c.from.node));
  }
  return largest;
}
