/**
 * `createRuntime()`: a runtime that knows the built-in processors.
 *
 * @module
 */

import { Runtime, type RuntimeOptions } from "../mod.ts";
import { registry as builtinRegistry } from "./registry.gen.ts";

/**
 * A {@linkcode Runtime} whose registry holds the built-in processors, joined with
 * `options.registry` (a project's own processors) when given. `core/` cannot import the
 * built-in processors, so `new Runtime()` starts with an empty registry; this is the
 * convenience most programs want.
 *
 * @param options Runtime options; `registry` adds to the built-in processors.
 * @returns A stopped runtime.
 * @throws {DuplicateProcessorError} When `options.registry` redefines a built-in name.
 *
 * @example Run a tone into a sink by name
 * ```ts
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", { frequency: 220 }, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 30)); // 10 ms blocks: about 3
 * await rt.stop();
 * console.log(rt.stats().nodes.sink.framesIn > 0); // true
 * ```
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  const registry = options.registry ? builtinRegistry.with(options.registry) : builtinRegistry;
  return new Runtime({ ...options, registry });
}
