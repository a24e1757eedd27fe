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
 * import assert from "node:assert/strict";
 * import type { SchedulingMode } from "./descriptor.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const runsOnItsOwn = (mode: SchedulingMode) => mode !== "push";
 * assert.ok(runsOnItsOwn(builtinRegistry.describe("TestToneGenerator").mode));
 * assert.equal(runsOnItsOwn(builtinRegistry.describe("Gain").mode), false);
 * ```
 */
export type SchedulingMode = "push" | "loop" | "pull";

/**
 * The scheduling modes.
 */
export const SCHEDULING_MODES: readonly SchedulingMode[] = ["push", "loop", "pull"];

/**
 * Whether a port reads or writes.
 *
 * @example Port names by direction
 * ```ts
 * import assert from "node:assert/strict";
 * import { PortTable } from "@streamlib/streamlib";
 * import { type PortDirection } from "./descriptor.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * function portNames(ports: PortTable, direction: PortDirection): string[] {
 *   return direction === "input" ? ports.inputNames : ports.outputNames;
 * }
 * assert.deepEqual(portNames(gainNode.ports(), "output"), [ "out" ]);
 * ```
 */
export type PortDirection = "input" | "output";

/**
 * One port of a processor.
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
  /**
   * `false` when the processor declared it needs no event loop of its own
   * (`@processor({ needsEventLoop: false })`), so it may run in a Worker placed with
   * `wait: "block"`; absent means it needs one.
   */
  readonly needsEventLoop?: false;
}
