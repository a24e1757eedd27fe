/**
 * The port bindings of one processor instance, by name.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { nearMatches } from "../errors/near_matches.ts";
import type { Frame } from "../frames/frame.ts";
import { InputBinding } from "./input_binding.ts";
import { OutputBinding } from "./output_binding.ts";
import type { PortDescriptor, PortDirection } from "../schema/descriptor.ts";

/**
 * Thrown when a port name is not one of a processor's ports.
 *
 * @example Ask for a port that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { PortNotFoundError, PortTable } from "@streamlib/streamlib";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * assert.throws(
 *   () => new PortTable(gainNode.descriptor).input("input"),
 *   (error) => {
 *     assert.ok(error instanceof PortNotFoundError);
 *     assert.equal(error.direction, "input");
 *     assert.deepEqual(error.available, ["in"]);
 *     return true;
 *   },
 * );
 * ```
 */
export class PortNotFoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "port_not_found";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      processor: this.processor,
      port: this.port,
      direction: this.direction,
      nearMatches: [...this.nearMatches],
      available: [...this.available],
    };
  }
  /** The processor name. */
  readonly processor: string;
  /** The name that was asked for. */
  readonly port: string;
  /** Whether an input or an output was asked for. */
  readonly direction: PortDirection;
  /** The names that exist in that direction. */
  readonly available: readonly string[];
  /** Existing names close to the one asked for, nearest first (may be empty). */
  readonly nearMatches: readonly string[];

  /**
   * Creates the error.
   *
   * @param processor The processor name (or the node id).
   * @param direction Input or output.
   * @param port The missing name.
   * @param available The names that exist.
   */
  constructor(
    processor: string,
    direction: PortDirection,
    port: string,
    available: readonly string[],
  ) {
    const list = available.length > 0 ? available.join(", ") : "none";
    const near = nearMatches(port, available);
    const guess = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
    super(
      `Cannot find ${direction} '${port}' on '${processor}': ${guess}available ${direction}s: ${list}`,
    );
    this.name = "PortNotFoundError";
    this.nearMatches = near;
    this.processor = processor;
    this.direction = direction;
    this.port = port;
    this.available = available;
  }
}

/**
 * The ports a {@linkcode PortTable} is built from.
 */
export interface PortTableSpec {
  /** The processor name, for error messages. */
  readonly name: string;
  /** The inputs. */
  readonly inputs: readonly PortDescriptor[];
  /** The outputs. */
  readonly outputs: readonly PortDescriptor[];
}

/**
 * One {@linkcode InputBinding} per input and one {@linkcode OutputBinding} per output of a
 * processor instance, created unconnected. The generated accessor classes read their ports from
 * it once, at construction; the runtime attaches connections to it.
 *
 * @example Look up ports by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { PortTable } from "@streamlib/streamlib";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const ports = new PortTable(gainNode.descriptor);
 * assert.equal(ports.input("in").portType, "AudioFrame<2>");
 * assert.equal(ports.output("out").isConnected, false);
 * ```
 */
export class PortTable {
  /** The processor name. */
  readonly processor: string;
  readonly #inputs: Map<string, InputBinding<unknown>>;
  readonly #outputs: Map<string, OutputBinding<unknown>>;
  #outputList: OutputBinding<unknown>[] | undefined;

  /**
   * Creates one unconnected binding per port of `spec`.
   *
   * @param spec The processor name and its port descriptors.
   */
  constructor(spec: PortTableSpec) {
    this.processor = spec.name;
    this.#inputs = new Map(spec.inputs.map((p) => [p.name, new InputBinding(p.name, p.portType)]));
    this.#outputs = new Map(
      spec.outputs.map((p) => [p.name, new OutputBinding(p.name, p.portType)]),
    );
  }

  /** The input names, in declaration order. */
  get inputNames(): string[] {
    return [...this.#inputs.keys()];
  }

  /** The output names, in declaration order. */
  get outputNames(): string[] {
    return [...this.#outputs.keys()];
  }

  /** The input bindings, in declaration order. */
  get inputBindings(): InputBinding<unknown>[] {
    return [...this.#inputs.values()];
  }

  /** The output bindings, in declaration order (the same array every time; do not modify it). */
  get outputBindings(): readonly OutputBinding<unknown>[] {
    return this.#outputList ??= [...this.#outputs.values()];
  }

  /**
   * The binding of input `name`. The frame type `T` is the caller's claim; the generated accessors
   * make it from the port's declared type.
   *
   * @param name The input's name.
   * @returns The binding.
   * @throws {PortNotFoundError} When there is no such input.
   */
  input<T = Frame>(name: string): InputBinding<T> {
    const binding = this.#inputs.get(name);
    if (!binding) throw new PortNotFoundError(this.processor, "input", name, this.inputNames);
    return binding as InputBinding<T>;
  }

  /**
   * The binding of output `name`.
   *
   * @param name The output's name.
   * @returns The binding.
   * @throws {PortNotFoundError} When there is no such output.
   */
  output<T = Frame>(name: string): OutputBinding<T> {
    const binding = this.#outputs.get(name);
    if (!binding) throw new PortNotFoundError(this.processor, "output", name, this.outputNames);
    return binding as OutputBinding<T>;
  }
}
