/**
 * A node definition: a processor's descriptor, config schema and factory, as the generated code
 * declares it and the registry lists it.
 *
 * @module
 */

import { validateConfig } from "../config/validation.ts";
import { createNodeHandle, type NodeHandle } from "../ports/port_ref.ts";
import { PortTable } from "../ports/port_table.ts";
import type { FrameFootprint } from "../admission/footprint.ts";
import type { Processor, ProcessorInit, ProcessorTypes } from "../processor/processor.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import type { RequiredIsolate } from "../isolates/required_isolate.ts";

/**
 * Everything the runtime needs to instantiate a processor by name or by class.
 *
 * @typeParam P The processor class instance type.
 * @typeParam H The generated node handle type.
 *
 * @example Create a gain from plain JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const gain = gainNode.create({ gain: 0.5 });
 * assert.equal(gain.config.gain, 0.5);
 * ```
 */
export interface NodeDefinition<
  P extends Processor = Processor,
  H extends NodeHandle = NodeHandle,
> {
  /** The processor's descriptor, config schema included. */
  readonly descriptor: ProcessorDescriptor;
  /**
   * The processor class, so a registry can find the definition of a class; `undefined` for a
   * lazy registry entry (`lazyNode()`) until its module is loaded.
   */
  readonly processorClass: (abstract new (...args: never[]) => P) | undefined;
  /**
   * The URL of the module that exports this definition (generated files record their
   * `import.meta.url`), so a Worker can import it; `undefined` for definitions made elsewhere.
   */
  readonly moduleUrl?: string;
  /**
   * The isolate every node of this type runs in, whatever the placement (native plugin
   * processors run on their plugin's threads). Absent for ordinary processors.
   */
  readonly isolate?: RequiredIsolate;
  /**
   * Imports the processor's module, for a lazy registry entry (`lazyNode()`): resolves to the
   * definition that module exports, after which `create()` and `processorClass` work. Absent
   * on definitions whose class is loaded with them. The runtime calls it before it sets a
   * node up.
   *
   * @returns The loaded definition.
   * @throws {ProcessorNotLoadedError} When the module cannot be imported or does not define
   * the processor.
   */
  load?(): Promise<NodeDefinition<P, H>>;
  /**
   * The processor's footprint hook when its lazy registry entry carries one (the class's own
   * `static footprint` is not loaded yet); see `DeclaresFootprint`.
   */
  readonly footprint?: (config: never) => FrameFootprint | undefined;
  /**
   * Validates `config` against the schema and constructs the processor with its ports bound.
   *
   * @param config Plain JSON; missing fields take their defaults.
   * @param ports The instance's port bindings; a fresh unconnected table by default.
   * @throws {ConfigValidationError} When the config does not match the schema.
   * @throws {ProcessorNotLoadedError} When the definition is a lazy entry not loaded yet.
   */
  create(config?: unknown, ports?: PortTable): P;
  /**
   * Typed references to the ports of a node named `node`.
   *
   * @param node The node's name in the graph.
   */
  handle(node: string): H;
  /** A fresh, unconnected port table for one instance. */
  ports(): PortTable;
}

/**
 * What generated code passes to {@linkcode defineNode}.
 *
 * @example Define a typed node by hand (what the generator writes)
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type DataFrame,
 *   defineNode,
 *   type InputPort,
 *   type NodeHandle,
 *   Processor,
 *   type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import type { NodeSpec } from "./node_definition.ts";
 *
 * interface SumTypes extends ProcessorTypes {
 *   readonly inputs: { readonly in: InputPort<DataFrame<number>> };
 *   readonly outputs: Record<string, never>;
 *   readonly config: Record<string, never>;
 *   readonly handle: NodeHandle;
 * }
 * class Sum extends Processor<SumTypes> {
 *   total = 0;
 *   process(): void {
 *     for (let frame; (frame = this.inputs.in.read()) !== undefined;) this.total += frame.value;
 *   }
 * }
 * const spec: NodeSpec<SumTypes, Sum> = {
 *   descriptor: {
 *     name: "Sum",
 *     description: "Adds numbers up",
 *     tags: [],
 *     mode: "push",
 *     inputs: [{
 *       name: "in",
 *       direction: "input",
 *       portType: "DataFrame<number>",
 *       required: true,
 *       description: "Numbers",
 *     }],
 *     outputs: [],
 *     config: { type: "object", properties: {}, additionalProperties: false },
 *     source: "sum.ts",
 *   },
 *   processorClass: Sum,
 *   accessors: (ports) => ({ inputs: { in: ports.input<DataFrame<number>>("in") }, outputs: {} }),
 * };
 * const sum = defineNode(spec).create();
 * assert.equal(sum.inputs.in.portType, "DataFrame<number>");
 * ```
 */
export interface NodeSpec<T extends ProcessorTypes, P extends Processor<T>> {
  /** The descriptor. */
  readonly descriptor: ProcessorDescriptor;
  /** The processor class (or give {@linkcode NodeSpec.classOf}). */
  readonly processorClass?: new (init?: ProcessorInit<T>) => P;
  /**
   * The processor class, asked for when first needed: what generated modules give, so a class's
   * module may import its `*.gen.ts` (which imports the class back) and the definition is built
   * while the class is not yet defined.
   */
  readonly classOf?: () => new (init?: ProcessorInit<T>) => P;
  /** The URL of the module that exports the definition (`import.meta.url`), for Workers. */
  readonly moduleUrl?: string;
  /** Builds the typed accessors over an instance's port table. */
  accessors(ports: PortTable): { inputs: T["inputs"]; outputs: T["outputs"] };
}

/**
 * Builds a {@linkcode NodeDefinition}. Generated `*.gen.ts` files call it; authors do not.
 *
 * @param spec The descriptor, the class and the accessor factory.
 * @returns The definition.
 *
 * @example Define a node by hand (what the generator writes)
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineNode, Processor, type PortTable, type ProcessorTypes } from "@streamlib/streamlib";
 *
 * class Idle extends Processor {
 *   process(): void {}
 * }
 * const idleNode = defineNode<ProcessorTypes, Idle>({
 *   descriptor: {
 *     name: "Idle",
 *     description: "Does nothing",
 *     tags: [],
 *     mode: "push",
 *     inputs: [],
 *     outputs: [],
 *     config: { type: "object", properties: {}, additionalProperties: false },
 *     source: "idle.ts",
 *   },
 *   processorClass: Idle,
 *   accessors: (_ports: PortTable) => ({ inputs: {}, outputs: {} }),
 * });
 * assert.ok(idleNode.create({}) instanceof Idle);
 * ```
 */
export function defineNode<T extends ProcessorTypes, P extends Processor<T>>(
  spec: NodeSpec<T, P>,
): NodeDefinition<P, T["handle"]> {
  const { descriptor, accessors, moduleUrl } = spec;
  const classOf = spec.classOf ?? (spec.processorClass && (() => spec.processorClass!));
  if (typeof classOf !== "function") {
    throw new TypeError(
      `Cannot define node '${descriptor?.name}': give its processorClass or classOf`,
    );
  }
  const definition: NodeDefinition<P, T["handle"]> = Object.freeze({
    descriptor,
    get processorClass() {
      return classOf();
    },
    moduleUrl,
    create(config?: unknown, ports: PortTable = new PortTable(descriptor)): P {
      const value = validateConfig(descriptor.config, config, descriptor.name) as T["config"];
      const { inputs, outputs } = accessors(ports);
      return new (classOf())({ ports, inputs, outputs, config: value });
    },
    handle(node: string): T["handle"] {
      return createNodeHandle(node, descriptor) as T["handle"];
    },
    ports(): PortTable {
      return new PortTable(descriptor);
    },
  });
  if (spec.processorClass) remember(spec.processorClass, definition);
  else PENDING.push(definition);
  return definition;
}

type AnyProcessorClass = abstract new (...args: never[]) => Processor;

/** The first definition {@linkcode defineNode} built for each class. */
const DEFINED = new WeakMap<AnyProcessorClass, NodeDefinition>();
/** Definitions whose class (`classOf`) was not asked for yet, oldest first. */
let PENDING: NodeDefinition[] = [];

function remember(processorClass: AnyProcessorClass, definition: NodeDefinition): void {
  if (!DEFINED.has(processorClass)) DEFINED.set(processorClass, definition);
}

/** Files the pending definitions whose class is defined by now under their class. */
function settlePending(): void {
  if (PENDING.length === 0) return;
  const waiting: NodeDefinition[] = [];
  for (const definition of PENDING) {
    let processorClass: AnyProcessorClass | undefined;
    try {
      processorClass = definition.processorClass;
    } catch {
      waiting.push(definition); // its module is still being evaluated
      continue;
    }
    if (processorClass) remember(processorClass, definition);
  }
  PENDING = waiting;
}

/**
 * The definition {@linkcode defineNode} built for `processorClass` (the first one, when there
 * were several), if its module has been evaluated: for a generated processor, once its
 * `*.gen.ts` module is loaded, which the class's own module does when it imports it
 * (`import "./gain.gen.ts";`, as the built-ins and `docs/writing_processors.md` do; importing
 * the package's `mod.ts` loads them all). Not exported
 * from `mod.ts`: `rt.add(Class)` falls back to it when its registry lacks the class.
 *
 * @param processorClass A processor class.
 * @returns Its definition, or `undefined` when none has been built.
 */
export function definitionBuiltFor<P extends Processor>(
  processorClass: abstract new (...args: never[]) => P,
): NodeDefinition<P> | undefined {
  if (!DEFINED.has(processorClass)) settlePending();
  return DEFINED.get(processorClass) as NodeDefinition<P> | undefined;
}
