/**
 * The annotations `deno task codegen` reads: `@processor`, `@input`, `@output` and `@config`.
 *
 * They are standard (TC39) decorators. Their options are read from the source by the generator,
 * which writes the descriptor, the typed accessors and the factory; at run time the class
 * decorator records nothing, and the field decorators only bind each field to its port (or config)
 * from the init the generated factory passed in. A processor constructed directly gets
 * unconnected ports.
 *
 * Options must be literals (strings, numbers, booleans, arrays of them) so the generator can read
 * them.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { InputPort } from "../ports/input_port.ts";
import { InputBinding } from "../ports/input_binding.ts";
import type { OutputPort } from "../ports/output_port.ts";
import { OutputBinding } from "../ports/output_binding.ts";
import { type Processor, processorInit } from "./processor.ts";
import type { SchedulingMode } from "../schema/descriptor.ts";

/**
 * Options of {@linkcode processor}.
 */
export interface ProcessorOptions {
  /** What the processor does; defaults to the class's JSDoc. */
  readonly description?: string;
  /** Labels for search. */
  readonly tags?: readonly string[];
  /** When the runtime calls `process()`. Default `"push"`. */
  readonly mode?: SchedulingMode;
  /**
   * `false` declares that the processor needs no event loop of its own: no timers, I/O, message
   * ports or promises that only the event loop resolves, so it may run in a Worker placed with
   * `wait: "block"`. Default `true` (the safe assumption); read by codegen into the descriptor.
   */
  readonly needsEventLoop?: boolean;
}

/**
 * Options of {@linkcode input}.
 *
 * @example Declare an array of inputs
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   type AudioFrame,
 *   input,
 *   type InputPort,
 *   Processor,
 *   processor,
 * } from "@streamlib/streamlib";
 *
 * @processor({ description: "Mixes two stereo inputs" })
 * class Mix2 extends Processor {
 *   @input({ description: "Audio to mix", required: true, array: 2 })
 *   in!: readonly InputPort<AudioFrame<2>>[];
 *
 *   process(): void {}
 * }
 * assert.deepEqual(new Mix2().in.map((port) => port.name), [ "in_0", "in_1" ]);
 * ```
 */
export interface InputOptions {
  /** What the input reads; defaults to the field's JSDoc. */
  readonly description?: string;
  /** Whether the processor needs the input connected. Default `false`. */
  readonly required?: boolean;
  /** Declares `array` ports named `<field>_0` .. `<field>_<array-1>`; the field is an array. */
  readonly array?: number;
}

/**
 * Options of {@linkcode output}.
 *
 * @example Declare an array of outputs
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   output,
 *   type OutputPort,
 *   Processor,
 *   processor,
 *   type VideoFrame,
 * } from "@streamlib/streamlib";
 *
 * @processor({ description: "Sends every frame to three outputs" })
 * class Tee3 extends Processor {
 *   @output({ description: "Copies of the input", array: 3 })
 *   out!: readonly OutputPort<VideoFrame>[];
 *
 *   process(): void {}
 * }
 * assert.deepEqual(new Tee3().out.map((port) => port.name), [ "out_0", "out_1", "out_2" ]);
 * ```
 */
export interface OutputOptions {
  /** What the output writes; defaults to the field's JSDoc. */
  readonly description?: string;
  /** Declares `array` ports named `<field>_0` .. `<field>_<array-1>`; the field is an array. */
  readonly array?: number;
}

/**
 * A class decorator for processor classes.
 */
export type ProcessorDecorator = (
  value: abstract new (...args: never[]) => Processor,
  context: ClassDecoratorContext,
) => void;

/**
 * A field decorator for port fields of type `V`.
 */
export type PortDecorator<V> = (
  value: undefined,
  context: ClassFieldDecoratorContext<Processor, V>,
) => (this: Processor, initial: V) => V;

/**
 * Marks a class as a processor.
 *
 * @param _options Description, tags and scheduling mode (read by the generator).
 * @returns The decorator.
 *
 * @example Annotate a sink
 * ```ts
 * import assert from "node:assert/strict";
 * import { processor, Processor } from "@streamlib/streamlib";
 *
 * @processor({ description: "Counts its process() calls", tags: ["sink"], mode: "push" })
 * class Counter extends Processor {
 *   calls = 0;
 *
 *   process(): void {
 *     this.calls++;
 *   }
 * }
 *
 * const counter = new Counter(); // in a graph, the generated factory builds it
 * counter.process();
 * assert.equal(counter.calls, 1);
 * ```
 */
export function processor(_options: ProcessorOptions = {}): ProcessorDecorator {
  refuseBare("processor", arguments);
  return () => {};
}

/**
 * Marks a field as an input port. The field's type must be `InputPort<F>` (or, with `array`, an
 * array of them) where `F` is a frame type.
 *
 * @param options Description, required flag and array length.
 * @returns The decorator.
 *
 * @example Declare a stereo input and four mixer inputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, input, type InputPort, Processor, processor } from "@streamlib/streamlib";
 *
 * @processor({ mode: "push" })
 * class Mixer extends Processor {
 *   @input({ description: "Audio to scale", required: true })
 *   in!: InputPort<AudioFrame<2>>;
 *
 *   @input({ description: "Audio to mix", array: 4 })
 *   mix!: readonly InputPort<AudioFrame<2>>[];
 *
 *   process(): void {}
 * }
 *
 * // Built directly (not by its generated factory), the ports are unconnected bindings.
 * const mixer = new Mixer();
 * assert.equal(mixer.in.name, "in");
 * assert.deepEqual(mixer.mix.map((port) => port.name), ["mix_0", "mix_1", "mix_2", "mix_3"]);
 * assert.equal(mixer.in.isConnected, false);
 * ```
 */
export function input<V extends InputPort<unknown> | readonly InputPort<unknown>[]>(
  options: InputOptions = {},
): PortDecorator<V> {
  refuseBare("input", arguments);
  return (_value, context) => {
    const name = portFieldName(context, "input");
    return function (this: Processor): V {
      const ports = processorInit(this)?.ports;
      const make = (port: string): InputPort<unknown> =>
        ports?.input(port) ?? new InputBinding(port, "unknown");
      return (options.array === undefined
        ? make(name)
        : Array.from({ length: options.array }, (_, i) => make(`${name}_${i}`))) as unknown as V;
    };
  };
}

/**
 * Marks a field as an output port. The field's type must be `OutputPort<F>` (or, with `array`, an
 * array of them) where `F` is a frame type.
 *
 * @param options Description and array length.
 * @returns The decorator.
 *
 * @example Declare a video output
 * ```ts
 * import assert from "node:assert/strict";
 * import { output, type OutputPort, Processor, processor, type VideoFrame } from "@streamlib/streamlib";
 *
 * @processor({ mode: "loop" })
 * class Camera extends Processor {
 *   @output({ description: "Camera frames" })
 *   video!: OutputPort<VideoFrame>;
 *
 *   process(): void {}
 * }
 *
 * const camera = new Camera();
 * assert.equal(camera.video.name, "video");
 * assert.equal(camera.video.connectionCount, 0);
 * ```
 */
export function output<V extends OutputPort<never> | readonly OutputPort<never>[]>(
  options: OutputOptions = {},
): PortDecorator<V> {
  refuseBare("output", arguments);
  return (_value, context) => {
    const name = portFieldName(context, "output");
    return function (this: Processor): V {
      const ports = processorInit(this)?.ports;
      const make = (port: string): OutputPort<never> =>
        ports?.output(port) ?? new OutputBinding(port, "unknown");
      return (options.array === undefined
        ? make(name)
        : Array.from({ length: options.array }, (_, i) => make(`${name}_${i}`))) as unknown as V;
    };
  };
}

/**
 * Marks the field that holds the processor's config. Its type becomes the config's JSON Schema;
 * JSDoc tags on the type's properties (`@minimum`, `@maximum`, `@default`, `@integer`, ...) refine
 * it. The generated factory validates a plain JSON config and puts the result, defaults filled in,
 * in this field. A processor constructed directly keeps the field's initializer.
 *
 * @returns The decorator.
 *
 * @example Declare a config field
 * ```ts
 * import assert from "node:assert/strict";
 * import { config, Processor, processor } from "@streamlib/streamlib";
 *
 * interface GainConfig {
 *   // A JSDoc comment here with `@minimum 0 @default 1` bounds and defaults the field.
 *   gain: number;
 * }
 *
 * @processor({ mode: "push" })
 * class Gain extends Processor {
 *   @config()
 *   config: GainConfig = { gain: 1 };
 *
 *   process(): void {}
 * }
 *
 * // The generated factory (`gainNode.create({ gain: 2 })`) validates a config and puts it here;
 * // a processor built directly keeps the initializer.
 * assert.deepEqual(new Gain().config, { gain: 1 });
 * ```
 */
export function config<V>(): (
  value: undefined,
  context: ClassFieldDecoratorContext<Processor, V>,
) => (this: Processor, initial: V) => V {
  refuseBare("config", arguments);
  return () =>
    function (this: Processor, initial: V): V {
      const init = processorInit(this);
      return init ? init.config as V : initial;
    };
}

/**
 * Thrown when `@processor`, `@input`, `@output` or `@config` is written without its call
 * parentheses: each is a decorator factory, so the bare form would run the factory as the
 * decorator (a class replaced by a function, a field initializer that reads an undefined context,
 * or a config that is silently left unset).
 *
 * @example The bare form named in the message
 * ```ts
 * import assert from "node:assert/strict";
 * import { BareDecoratorError } from "./decorators.ts";
 *
 * const error = new BareDecoratorError("input", "video");
 * assert.equal(error.code, "bare_decorator");
 * assert.match(error.message, /write '@input\(\)'/);
 * ```
 */
export class BareDecoratorError extends TypeError {
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { decorator: this.decorator, target: this.target };
  }
  /** A stable machine code. */
  readonly code: ErrorCode = "bare_decorator";
  /** The decorator: `processor`, `input`, `output` or `config`. */
  readonly decorator: string;
  /** The class or field it was applied to. */
  readonly target: string;

  /**
   * Creates the error.
   *
   * @param decorator The decorator's name.
   * @param target The class or field name.
   */
  constructor(decorator: string, target: string) {
    super(
      `Cannot apply '@${decorator}' to '${target}': it is used without parentheses, write '@${decorator}()'`,
    );
    this.name = "BareDecoratorError";
    this.decorator = decorator;
    this.target = target;
  }
}

/** Throws when a factory is being run as the decorator itself (its 2nd argument a context). */
function refuseBare(decorator: string, args: IArguments): void {
  const context = args[1] as { kind?: unknown; name?: unknown } | undefined;
  if (args.length < 2 || typeof context !== "object" || context === null) return;
  if (typeof context.kind !== "string") return;
  const name = context.name;
  throw new BareDecoratorError(
    decorator,
    typeof name === "symbol" ? String(name) : String(name ?? "(anonymous class)"),
  );
}

function portFieldName(
  context: ClassFieldDecoratorContext<Processor, unknown>,
  kind: string,
): string {
  if (context.private || context.static || typeof context.name !== "string") {
    throw new TypeError(
      `Cannot declare ${kind} port '${String(context.name)}': ports must be public instance fields`,
    );
  }
  return context.name;
}
