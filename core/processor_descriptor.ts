/**
 * What the runtime, the registry, the dashboard and MCP know about a processor without running it.
 * `deno task codegen` writes one per processor class.
 *
 * @module
 */

import type { JsonSchema } from "./json_schema.ts";

/**
 * When the runtime calls `process()`:
 *
 * - `push`: when frames arrive on an input.
 * - `loop`: repeatedly, on the processor's own thread of control (sources such as generators and
 *   capture).
 * - `pull`: when a downstream consumer asks for a frame.
 *
 * @example Tell sources from filters
 * ```ts
 * import type { SchedulingMode } from "./processor_descriptor.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const runsOnItsOwn = (mode: SchedulingMode) => mode !== "push";
 * console.log(runsOnItsOwn(builtinRegistry.describe("TestToneGenerator").mode)); // true
 * console.log(runsOnItsOwn(builtinRegistry.describe("Gain").mode)); // false
 * ```
 */
export type SchedulingMode = "push" | "loop" | "pull";

/**
 * The scheduling modes.
 *
 * @example Check a mode read from JSON
 * ```ts
 * import { SCHEDULING_MODES, type SchedulingMode } from "./processor_descriptor.ts";
 *
 * function isSchedulingMode(value: unknown): value is SchedulingMode {
 *   return SCHEDULING_MODES.includes(value as SchedulingMode);
 * }
 * console.log(isSchedulingMode("loop"), isSchedulingMode("timer")); // true false
 * ```
 */
export const SCHEDULING_MODES: readonly SchedulingMode[] = ["push", "loop", "pull"];

/**
 * Whether a port reads or writes.
 *
 * @example Port names by direction
 * ```ts
 * import { PortTable } from "@streamlib/streamlib";
 * import { type PortDirection } from "./processor_descriptor.ts";
 * import { gainNode } from "../processors/gain.gen.ts";
 *
 * function portNames(ports: PortTable, direction: PortDirection): string[] {
 *   return direction === "input" ? ports.inputNames : ports.outputNames;
 * }
 * console.log(portNames(gainNode.ports(), "output")); // [ "out" ]
 * ```
 */
export type PortDirection = "input" | "output";

/**
 * One port of a processor.
 *
 * @example The elements of an array port
 * ```ts
 * import type { PortDescriptor } from "./processor_descriptor.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const inputs: readonly PortDescriptor[] = builtinRegistry.describe("AudioMixer").inputs;
 * const port = inputs[1];
 * console.log(port.name, port.group, port.portType, port.required); // in_1 in AudioFrame<2> false
 * ```
 */
export interface PortDescriptor {
  /** The port's name, unique among the processor's ports of its direction. */
  readonly name: string;
  /** Whether the port reads or writes. */
  readonly direction: PortDirection;
  /** The port type string, such as `"AudioFrame<2>"`. */
  readonly portType: string;
  /** Whether the processor needs this input connected (always `false` for outputs). */
  readonly required: boolean;
  /** What flows through the port. */
  readonly description: string;
  /** For an element of an array port (`in_2`), the array's field name (`in`). */
  readonly group?: string;
}

/**
 * Everything static about a processor.
 *
 * @example Read a descriptor from a node definition
 * ```ts
 * import { gainNode } from "../processors/gain.gen.ts";
 *
 * const descriptor = gainNode.descriptor;
 * console.log(descriptor.mode, descriptor.inputs.map((p) => `${p.name}: ${p.portType}`));
 * ```
 */
export interface ProcessorDescriptor {
  /** The processor's name: its class name. */
  readonly name: string;
  /** One or more sentences; the first line is the summary. */
  readonly description: string;
  /** Free-form labels for search (`"audio"`, `"source"`). */
  readonly tags: readonly string[];
  /** When the runtime calls `process()`. */
  readonly mode: SchedulingMode;
  /** The inputs, in declaration order. */
  readonly inputs: readonly PortDescriptor[];
  /** The outputs, in declaration order. */
  readonly outputs: readonly PortDescriptor[];
  /** The JSON Schema of the config, with defaults. */
  readonly config: JsonSchema;
  /** The source module, relative to the folder codegen scanned (`"gain.ts"`). */
  readonly source: string;
}
