/**
 * Changing a node's config through the runtime's public API.
 *
 * The runtime has no call that changes a running node's config, so the dashboard replaces the
 * node: it removes it and adds it again with the same id, options and connections (each with its
 * capacity and policy). The new processor is set up (and started, when the graph runs) in the
 * background; its counters start from zero.
 *
 * @module
 */

import {
  type ConnectionDescription,
  type JsonValue,
  type NodeDescription,
  NodeNotFoundError,
  type Runtime,
  RuntimeStateError,
  validateConfig,
} from "../mod.ts";
import { RecordingLockError } from "./live_fields.ts";

/**
 * What a config change did.
 *
 * @example Only the fields whose value differs count as changed
 * ```ts
 * import { changeConfig, type ConfigChange, liveFields } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", { frequency: 880 }, { id: "tone" });
 * const live = liveFields(rt.registry.describe("TestToneGenerator"));
 * const change: ConfigChange = changeConfig(rt, "tone", { frequency: 880, blockSize: 960 }, live);
 * console.log(change.changed); // [ "blockSize" ]
 * console.log(change.node.config);
 * // {
 * //   frequency: 880,
 * //   amplitude: 0.25,
 * //   sampleRate: 48000,
 * //   blockSize: 960,
 * //   waveform: "sine"
 * // }
 * ```
 */
export interface ConfigChange {
  /** The node after the change. */
  node: NodeDescription;
  /** The fields whose value changed (empty when nothing did). */
  changed: string[];
}

/**
 * Thrown when a node cannot be re-created because its processor is not in the registry.
 *
 * @example A node added from its definition to a runtime whose registry lacks it
 * ```ts
 * import { Runtime } from "@streamlib/streamlib";
 * import { gainNode } from "@streamlib/streamlib/processors";
 * import { changeConfig, NotReconfigurableError } from "@streamlib/streamlib/web";
 *
 * const rt = new Runtime(); // an empty registry
 * rt.add(gainNode, { gain: 0.5 }, { id: "gain" });
 * try {
 *   changeConfig(rt, "gain", { gain: 1 }, ["gain"]);
 * } catch (error) {
 *   console.log(error instanceof NotReconfigurableError); // true
 *   console.log((error as Error).message);
 *   // Cannot change the config of node 'gain': its processor 'Gain' is not in the runtime's registry
 * }
 * ```
 */
export class NotReconfigurableError extends Error {
  /** The node's id. */
  readonly node: string;

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param processor Its processor name.
   */
  constructor(node: string, processor: string) {
    super(
      `Cannot change the config of node '${node}': its processor '${processor}' is not in the runtime's registry`,
    );
    this.name = "NotReconfigurableError";
    this.node = node;
  }
}

/**
 * Merges `patch` into a node's config and applies it. While the graph runs, only live fields may
 * change (the recording lock); paused or stopped, any field may.
 *
 * @param rt The runtime.
 * @param id The node's id.
 * @param patch Fields to set; the others keep their value.
 * @param live The node's live-tunable fields.
 * @returns The node after the change and the fields that changed.
 * @throws {NodeNotFoundError} When there is no such node.
 * @throws {RuntimeStateError} While the runtime is starting or stopping.
 * @throws {ConfigValidationError} When the merged config does not match the schema.
 * @throws {RecordingLockError} When the graph runs and a changed field is not live.
 * @throws {NotReconfigurableError} When the node's processor is not in the registry.
 *
 * @example Retune a running tone; a field that is not live is refused until the graph stops
 * ```ts
 * import { changeConfig, liveFields, RecordingLockError } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const live = liveFields(rt.registry.describe("TestToneGenerator"));
 * const { changed } = changeConfig(rt, "tone", { frequency: 880 }, live);
 * console.log(changed); // [ "frequency" ]
 * try {
 *   changeConfig(rt, "tone", { blockSize: 960 }, live);
 * } catch (error) {
 *   console.log(error instanceof RecordingLockError); // true
 * }
 * await rt.settled(); // the re-created tone is set up and started in the background
 * console.log(rt.describe().connections.map((c) => `${c.from} -> ${c.to}`)); // [ "tone.audio -> sink.in" ]
 * await rt.stop();
 * ```
 */
export function changeConfig(
  rt: Runtime,
  id: string,
  patch: Record<string, JsonValue>,
  live: readonly string[],
): ConfigChange {
  const graph = rt.describe();
  const node = graph.nodes.find((n) => n.id === id);
  if (!node) throw new NodeNotFoundError(id, graph.nodes.map((n) => n.id), false);
  const state = rt.state;
  if (state === "starting" || state === "stopping") {
    throw new RuntimeStateError("reconfigure a node of", state, ["running", "paused", "stopped"]);
  }
  if (!rt.registry.has(node.type)) throw new NotReconfigurableError(id, node.type);
  const descriptor = rt.registry.describe(node.type);
  const current = node.config as Record<string, JsonValue>;
  const merged = validateConfig(descriptor.config, { ...current, ...patch }, node.type) as Record<
    string,
    JsonValue
  >;
  const changed = Object.keys(merged).filter((key) =>
    JSON.stringify(merged[key]) !== JSON.stringify(current[key])
  );
  if (changed.length === 0) return { node, changed };
  if (state === "running") {
    const locked = changed.filter((field) => !live.includes(field));
    if (locked.length > 0) throw new RecordingLockError(id, locked, live);
  }
  const connections = graph.connections.filter((c) => nodeOf(c.from) === id || nodeOf(c.to) === id);
  replace(rt, node, merged, connections);
  return { node: rt.describe().nodes.find((n) => n.id === id)!, changed };
}

function replace(
  rt: Runtime,
  node: NodeDescription,
  config: JsonValue,
  connections: ConnectionDescription[],
): void {
  const options = {
    id: node.id,
    placement: node.placement,
    onError: node.onError,
    maxRestarts: node.maxRestarts,
  };
  rt.remove(node.id);
  try {
    rt.add(node.type, config, options);
  } catch (error) {
    rt.add(node.type, node.config, options); // validated already: only a bug gets here
    reconnect(rt, connections);
    throw error;
  }
  reconnect(rt, connections);
}

function reconnect(rt: Runtime, connections: ConnectionDescription[]): void {
  for (const c of connections) {
    try {
      rt.connectByName(nodeOf(c.from), portOf(c.from), nodeOf(c.to), portOf(c.to), {
        capacity: c.capacity,
        policy: c.policy,
      });
    } catch (error) {
      reportError(error); // the other end went away meanwhile; the rest still reconnects
    }
  }
}

/**
 * The node id of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `node`.
 */
export function nodeOf(end: string): string {
  return end.slice(0, end.lastIndexOf("."));
}

/**
 * The port name of a `node.port` end.
 *
 * @param end `node.port`.
 * @returns `port`.
 */
export function portOf(end: string): string {
  return end.slice(end.lastIndexOf(".") + 1);
}
