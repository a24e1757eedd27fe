/**
 * {@linkcode AppPorts}: the application inputs and outputs of one runtime, by name.
 *
 * @module
 */

import type { ConnectionOptions } from "../graph/connection_defaults.ts";
import { defaultConnectionOptions } from "../graph/connection_defaults.ts";
import { PortDirectionError } from "../graph/errors.ts";
import { splitPortEnd } from "../ports/port_end.ts";
import { portTransfer } from "../ports/port_type.ts";
import type { NodeHandle } from "../ports/port_ref.ts";
import { PortNotFoundError } from "../ports/port_table.ts";
import type { NodeDefinition } from "../registry/node_definition.ts";
import type { RuntimeEvent } from "../lifecycle/events.ts";
import { AppInput, appInputNode } from "./app_input.ts";
import { AppOutput, appOutputNode } from "./app_output.ts";
import { AppPortNameError, AppPortNotFoundError } from "./errors.ts";
import { FrameTags } from "./tags.ts";

/** The runtime calls {@linkcode AppPorts} makes (the runtime implements them). */
export interface AppPortGraph {
  /** The largest frame the runtime allocates, in bytes: what `send()` takes by default. */
  readonly maxFrameBytes: number;
  /** Adds a node from a definition. */
  add(definition: NodeDefinition, config: unknown, options: { id: string }): NodeHandle;
  /** The handle of a node by id; throws `NodeNotFoundError`. */
  node(id: string): NodeHandle;
  /** Connects two ports by name. */
  connectByName(
    fromNode: string,
    fromPort: string,
    toNode: string,
    toPort: string,
    options: ConnectionOptions,
  ): { id: string };
  /** Removes a node. */
  remove(id: string): void;
  /** Listens to the runtime's events. */
  on(listener: (event: RuntimeEvent) => void): () => void;
}

/** Options of `rt.addInput()` and `rt.addOutput()`: those of the connection made. */
export interface AppPortOptions extends ConnectionOptions {
  /**
   * The largest frame payload `send()` takes, in bytes (inputs only); never more than the
   * runtime's `maxFrameBytes`. Default: the runtime's.
   */
  readonly maxFrameBytes?: number;
}

/** The node id of an application input or output (`app_in_audio`, `app_out_audio`). */
export function appNodeId(direction: "input" | "output", name: string): string {
  return `${direction === "input" ? "app_in" : "app_out"}_${name}`;
}

/** A name of an application input or output: like a node id, at most 64 characters. */
export const APP_PORT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * The application inputs and outputs of one runtime: each is a node (`AppInput`, `AppOutput`)
 * connected to the port it names, with a connection of its own (its capacity and policy).
 */
export class AppPorts {
  readonly #graph: AppPortGraph;
  readonly #tags = new FrameTags();
  readonly #inputs = new Map<string, AppInput>();
  readonly #outputs = new Map<string, AppOutput>();

  /**
   * No inputs or outputs yet.
   *
   * @param graph The runtime.
   */
  constructor(graph: AppPortGraph) {
    this.#graph = graph;
    graph.on((event) => {
      if (event.type === "node-eos" || event.type === "node-removed") this.nodeEnded(event.node);
      else if (event.type === "runtime-state" && event.to === "stopped") this.stopped();
    });
  }

  /**
   * Adds an application input feeding `port`.
   *
   * @param name The input's name.
   * @param port The input port it feeds, `"node.port"`.
   * @param options Its connection's capacity and policy; the largest frame it takes.
   * @returns The input.
   * @throws {AppPortNameError} When the name is not a valid name or is taken.
   * @throws {NodeNotFoundError} When the node does not exist.
   * @throws {PortNotFoundError} When the node has no such input.
   * @throws {PortDirectionError} When the port is an output.
   * @throws {DestinationOccupiedError} When the input already has a connection.
   */
  addInput(name: string, port: string, options: AppPortOptions = {}): AppInput {
    this.#checkName("input", name, this.#inputs);
    const { node, portType, port: portName } = this.#find(port, "input");
    const appType = applicationSide(portType, "input");
    const policy = options.policy ?? defaultConnectionOptions(appType, portType).policy;
    const max = Math.min(options.maxFrameBytes ?? Infinity, this.#graph.maxFrameBytes);
    const input = new AppInput(name, appType, policy, this.#tags, max);
    const id = appNodeId("input", name);
    this.#graph.add(appInputNode(input), {}, { id });
    try {
      const { capacity } = options;
      this.#graph.connectByName(id, "out", node, portName, { capacity, policy });
    } catch (error) {
      this.#graph.remove(id);
      throw error;
    }
    this.#inputs.set(name, input);
    return input;
  }

  /**
   * Adds an application output reading `port`.
   *
   * @param name The output's name.
   * @param port The output port it reads, `"node.port"`.
   * @param options Its connection's capacity (also the unread frames it holds) and policy.
   * @returns The output.
   * @throws {AppPortNameError} When the name is not a valid name or is taken.
   * @throws {NodeNotFoundError} When the node does not exist.
   * @throws {PortNotFoundError} When the node has no such output.
   * @throws {PortDirectionError} When the port is an input.
   */
  addOutput(name: string, port: string, options: AppPortOptions = {}): AppOutput {
    this.#checkName("output", name, this.#outputs);
    const { node, portType, port: portName } = this.#find(port, "output");
    const appType = applicationSide(portType, "output");
    const defaults = defaultConnectionOptions(portType, appType);
    const policy = options.policy ?? defaults.policy;
    const capacity = options.capacity ?? defaults.capacity;
    const output = new AppOutput(name, appType, policy, capacity, this.#tags);
    const id = appNodeId("output", name);
    this.#graph.add(appOutputNode(output), {}, { id });
    try {
      this.#graph.connectByName(node, portName, id, "in", { capacity, policy });
    } catch (error) {
      this.#graph.remove(id);
      throw error;
    }
    this.#outputs.set(name, output);
    return output;
  }

  /**
   * An application input by name.
   *
   * @param name Its name.
   * @returns The input.
   * @throws {AppPortNotFoundError} When there is none of that name.
   */
  input(name: string): AppInput {
    const input = this.#inputs.get(name);
    if (!input) throw new AppPortNotFoundError("input", name, [...this.#inputs.keys()]);
    return input;
  }

  /**
   * An application output by name.
   *
   * @param name Its name.
   * @returns The output.
   * @throws {AppPortNotFoundError} When there is none of that name.
   */
  output(name: string): AppOutput {
    const output = this.#outputs.get(name);
    if (!output) throw new AppPortNotFoundError("output", name, [...this.#outputs.keys()]);
    return output;
  }

  /** The names of the inputs and of the outputs. */
  names(): { inputs: string[]; outputs: string[] } {
    return { inputs: [...this.#inputs.keys()], outputs: [...this.#outputs.keys()] };
  }

  /**
   * A node ended or was removed: the output it served finishes.
   *
   * @param node The node's id.
   */
  nodeEnded(node: string): void {
    for (const [name, output] of this.#outputs) {
      if (appNodeId("output", name) === node) output._finish();
    }
  }

  /** The graph stopped: every output finishes (inputs refuse sends through their nodes). */
  stopped(): void {
    for (const output of this.#outputs.values()) output._finish();
  }

  #checkName(direction: "input" | "output", name: string, taken: Map<string, unknown>): void {
    if (typeof name !== "string" || !APP_PORT_NAME.test(name)) {
      const rule = "a name is a letter or '_' then up to 63 of [A-Za-z0-9_-]";
      throw new AppPortNameError(direction, String(name), rule);
    }
    if (taken.has(name)) {
      throw new AppPortNameError(direction, name, `an ${direction} of this name already exists`);
    }
  }

  #find(
    end: string,
    direction: "input" | "output",
  ): { node: string; port: string; portType: string } {
    const { node, port } = splitPortEnd(end);
    const handle = this.#graph.node(node);
    const ports = direction === "input" ? handle.inputs : handle.outputs;
    const other = direction === "input" ? handle.outputs : handle.inputs;
    if (Object.keys(ports).includes(port)) {
      return { node, port, portType: (ports[port] as { portType: string }).portType };
    }
    if (Object.keys(other).includes(port)) throw new PortDirectionError(end, direction);
    throw new PortNotFoundError(handle.processor, direction, port, Object.keys(ports));
  }
}

/**
 * The type an application port carries for a node's port of `portType`: the application holds
 * bytes, never textures, so GPU video crosses as CPU video and the connection uploads it into
 * the node (an input) or downloads it from the node (an output), as any CPU-GPU connection does.
 */
function applicationSide(portType: string, direction: "input" | "output"): string {
  const transfer = direction === "input"
    ? portTransfer("VideoFrame", portType)
    : portTransfer(portType, "VideoFrame");
  return transfer === undefined ? portType : "VideoFrame";
}
