/**
 * The base class of every processor.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import type { NodeHandle } from "../ports/port_ref.ts";
import type { PortTable } from "../ports/port_table.ts";
import type { ProcessContext, SetupContext } from "./context.ts";

/**
 * The types `deno task codegen` generates for one processor (`GainTypes`): its typed accessor
 * classes, its config type and its node handle. A processor class names them once, in
 * `extends Processor<GainTypes>`.
 *
 * @example A helper generic over any processor's types
 * ```ts
 * import assert from "node:assert/strict";
 * import { Processor, type ProcessorTypes } from "@streamlib/streamlib";
 * import { processorInit } from "./processor.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * function configOf<T extends ProcessorTypes>(processor: Processor<T>): T["config"] | undefined {
 *   return processorInit(processor)?.config as T["config"] | undefined;
 * }
 * const config = configOf(gainNode.create({ gain: 0.25 })); // typed as the Gain config
 * assert.equal(config?.gain, 0.25);
 * ```
 */
export interface ProcessorTypes {
  /** The generated inputs accessor (`GainInputs`). */
  readonly inputs: object;
  /** The generated outputs accessor (`GainOutputs`). */
  readonly outputs: object;
  /** The config type (the type of the `@config()` field). */
  readonly config: unknown;
  /** The generated node handle (`GainHandle`). */
  readonly handle: NodeHandle;
}

/**
 * What the generated factory hands a processor's constructor.
 */
export interface ProcessorInit<T extends ProcessorTypes = ProcessorTypes> {
  /** The instance's port bindings; the runtime attaches connections to them. */
  readonly ports: PortTable;
  /** The typed inputs accessor. */
  readonly inputs: T["inputs"];
  /** The typed outputs accessor. */
  readonly outputs: T["outputs"];
  /** The validated config, defaults filled in. */
  readonly config: T["config"];
}

/**
 * Thrown when `inputs` or `outputs` is read on a processor built without its generated factory.
 *
 * @example Ports of a processor built directly
 * ```ts
 * import assert from "node:assert/strict";
 * import { Processor } from "@streamlib/streamlib";
 * import { PortsNotBoundError } from "./processor.ts";
 *
 * class Idle extends Processor {
 *   process(): void {}
 * }
 * try {
 *   void new Idle().inputs;
 * } catch (error) {
 *   assert.equal(error instanceof PortsNotBoundError && error.processor, "Idle");
 * }
 * ```
 */
export class PortsNotBoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "ports_not_bound";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { processor: this.processor };
  }
  /** The processor class name. */
  readonly processor: string;

  /**
   * Creates the error.
   *
   * @param processor The processor class name.
   */
  constructor(processor: string) {
    super(
      `Cannot use the ports of '${processor}': it was constructed directly, create it through its node definition (run \`deno task codegen\`)`,
    );
    this.name = "PortsNotBoundError";
    this.processor = processor;
  }
}

let readInit: (processor: Processor) => ProcessorInit | undefined;

/**
 * A processor: an annotated class whose ports, descriptor and factory `deno task codegen`
 * generates. Subclasses implement `process()` and may override `setup()` and `teardown()`.
 *
 * - `setup(ctx)` runs once before the first `process()`; it may allocate.
 * - `process(ctx)` runs according to the scheduling mode; it reads `this.inputs`, writes
 *   `this.outputs`, and should not allocate (reuse buffers, take frames from a pool).
 * - `teardown()` runs once at the end; it releases what `setup()` took.
 *
 * @typeParam T The generated types of the subclass (`GainTypes`).
 *
 * @example A processor that doubles numbers
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   connectLocal,
 *   type DataFrame,
 *   input,
 *   InputBinding,
 *   type InputPort,
 *   output,
 *   OutputBinding,
 *   type OutputPort,
 *   Processor,
 *   processor,
 * } from "@streamlib/streamlib";
 *
 * @processor({ description: "Doubles numbers", mode: "push" })
 * class Doubler extends Processor {
 *   @input({ description: "Numbers" })
 *   in!: InputPort<DataFrame<number>>;
 *   @output({ description: "Doubled numbers" })
 *   out!: OutputPort<DataFrame<number>>;
 *
 *   process(): void {
 *     let frame;
 *     while ((frame = this.in.read()) !== undefined) {
 *       this.out.write({ ...frame, value: frame.value * 2 });
 *     }
 *   }
 * }
 *
 * // In a graph, the factory `deno task codegen` generates builds it and connects its ports
 * // (typed as `this.inputs.in` with `Processor<DoublerTypes>`); built directly, they connect by hand.
 * const doubler = new Doubler();
 * const numbers = new OutputBinding<DataFrame<number>>("numbers", "DataFrame");
 * const doubled = new InputBinding<DataFrame<number>>("doubled", "DataFrame");
 * connectLocal(numbers, doubler.in as InputBinding<DataFrame<number>>);
 * connectLocal(doubler.out as OutputBinding<DataFrame<number>>, doubled);
 * numbers.write({ kind: "data", timestampNs: 0, value: 21 });
 * doubler.process();
 * assert.equal(doubled.read()?.value, 42);
 * ```
 */
export abstract class Processor<T extends ProcessorTypes = ProcessorTypes> {
  /** Type-level only: lets helpers such as `rt.add(Gain, ...)` recover `T` from a class. */
  declare protected readonly types?: T;
  readonly #init: ProcessorInit<T> | undefined;

  static {
    readInit = (processor) => processor.#init;
  }

  /**
   * Processors are built by their generated factory (`gainNode.create(config)`); authors do not
   * write constructors (allocate in `setup()`).
   *
   * @param init Ports, accessors and config from the generated factory.
   */
  constructor(init?: ProcessorInit<T>) {
    this.#init = init;
  }

  /**
   * The typed inputs (`this.inputs.audio.readLatest()`).
   *
   * @throws {PortsNotBoundError} When the processor was constructed without its factory.
   */
  get inputs(): T["inputs"] {
    if (!this.#init) throw new PortsNotBoundError(this.constructor.name);
    return this.#init.inputs;
  }

  /**
   * The typed outputs (`this.outputs.video.write(frame)`).
   *
   * @throws {PortsNotBoundError} When the processor was constructed without its factory.
   */
  get outputs(): T["outputs"] {
    if (!this.#init) throw new PortsNotBoundError(this.constructor.name);
    return this.#init.outputs;
  }

  /**
   * Prepares for processing; may allocate. The default does nothing.
   *
   * @param _ctx The node's name and the graph clock.
   */
  setup(_ctx: SetupContext): void | Promise<void> {}

  /**
   * Does one unit of work: reads inputs, writes outputs.
   *
   * @param ctx The node's name and the graph clock.
   */
  abstract process(ctx: ProcessContext): void | Promise<void>;

  /** Releases what `setup()` took. The default does nothing. */
  teardown(): void | Promise<void> {}

  /**
   * Writes what the processor still holds when its stream ends (GStreamer's drain on EOS): an
   * encoder's delayed frames, a filter's tail, a partial block. Optional. The runtime calls it,
   * in place of `process()`, once every connected input has ended and every frame queued before
   * the end has been read; the node's outputs carry the end after what it writes here. Return
   * `true` when there is more to write and an output was full or `ctx.frames` found no memory:
   * it is called again when there is room (back-pressure, as for `process()`). Anything else
   * ends the node. Not called when the graph is stopped (`stop()` tears down without draining;
   * `rt.endOfStream()` first drains), nor after the node failed or called `ctx.endOfStream()`.
   * What it throws is handled like an error in `process()`.
   *
   * @param _ctx The node's frames and clock, as in `process()`.
   * @returns `true` to be called again when an output has room.
   *
   * @example A filter whose tail takes three runs when its reader takes one block a run
   * ```ts
   * import assert from "node:assert/strict";
   * import { Processor, processor } from "@streamlib/streamlib";
   *
   * @processor({ mode: "push" })
   * class Tail extends Processor {
   *   left = 3; // blocks of the tail still to write
   *   roomForOne = () => true; // in a graph: this.outputs.out.space > 0
   *   process(): void {}
   *   override drain(): boolean {
   *     if (this.roomForOne()) this.left--; // ... and write one block
   *     return this.left > 0; // more to write: call again when the reader made room
   *   }
   * }
   *
   * const tail = new Tail();
   * assert.deepEqual([tail.drain(), tail.drain(), tail.drain()], [true, true, false]);
   * ```
   */
  drain?(_ctx: ProcessContext): boolean | void | Promise<boolean | void>;

  /**
   * The processor's own counters (a network sink's connection and peers, bit rate, losses),
   * reported under `processor` in its node's `rt.stats()`. Optional; called on control paths
   * only (a snapshot may allocate); keep it cheap. A processor whose `reportStats()` throws
   * reports none.
   *
   * @returns JSON-compatible counters, or `undefined` for none now.
   *
   * @example Count something of the processor's own
   * ```ts
   * import assert from "node:assert/strict";
   * import { Processor, processor } from "@streamlib/streamlib";
   *
   * @processor({ mode: "push" })
   * class Counter extends Processor {
   *   seen = 0;
   *   process(): void {
   *     this.seen++;
   *   }
   *   override reportStats(): { seen: number } {
   *     return { seen: this.seen };
   *   }
   * }
   *
   * const counter = new Counter();
   * counter.process();
   * assert.deepEqual(counter.reportStats(), { seen: 1 });
   * ```
   */
  reportStats?(): { [key: string]: JsonValue } | undefined;

  /**
   * Hears that live-tunable config fields (those marked `@live`) changed in place while the
   * node is set up: `rt.setConfig()` has already written the new values into `this.config`.
   * Recompute what `setup()` derived from them here; it runs between two `process()` calls
   * (after an async one in flight settles), never during one, and should not allocate much (it
   * is on the live path). Not called for a node
   * that is not set up (its next `setup()` reads the new config) nor for fields without `@live`
   * (the node is set up again for those). What it throws is handled like an error in
   * `process()`. The default does nothing.
   *
   * @param _changed The names of the fields whose value changed.
   *
   * @example Recompute a phase step when the frequency changes
   * ```ts
   * import assert from "node:assert/strict";
   * import { config, Processor, processor } from "@streamlib/streamlib";
   *
   * @processor({ mode: "loop" })
   * class Tone extends Processor {
   *   @config()
   *   config = { frequency: 440 };
   *   readonly sampleRate = 48_000;
   *   step = this.config.frequency / this.sampleRate;
   *
   *   override configChanged(changed: readonly string[]): void {
   *     if (changed.includes("frequency")) this.step = this.config.frequency / this.sampleRate;
   *   }
   *
   *   process(): void {}
   * }
   *
   * const tone = new Tone();
   * tone.config.frequency = 960; // what rt.setConfig("tone", { frequency: 960 }) does, then it calls:
   * tone.configChanged(["frequency"]);
   * assert.equal(tone.step, 0.02);
   * ```
   */
  configChanged(_changed: readonly string[]): void {}
}

/**
 * The init a processor was constructed with, or `undefined` when it was constructed directly.
 * The port decorators use it to bind fields.
 *
 * @param processor The processor.
 * @returns Its ports, accessors and config.
 *
 * @example Built directly, a processor has no init
 * ```ts
 * import assert from "node:assert/strict";
 * import { Processor } from "@streamlib/streamlib";
 * import { processorInit } from "./processor.ts";
 *
 * class Idle extends Processor {
 *   process(): void {}
 * }
 * assert.equal(processorInit(new Idle()), undefined);
 * ```
 */
export function processorInit(processor: Processor): ProcessorInit | undefined {
  return readInit(processor);
}

/**
 * The generated types of a processor class instance: `TypesOf<Gain>` is `GainTypes`.
 */
export type TypesOf<P> = P extends Processor<infer T> ? T : never;
