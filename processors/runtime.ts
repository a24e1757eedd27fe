/**
 * `createRuntime()`: a runtime that knows the built-in processors and places nodes on Workers.
 *
 * @module
 */

import { Runtime, type RuntimeOptions } from "../mod.ts";
import { LazyWorkerBackend } from "../ffi/workers/lazy_backend.ts";
import type { WorkerBackendOptions } from "../ffi/workers/backend.ts";
import { registry as builtinRegistry } from "./registry.gen.ts";

/**
 * Options of {@linkcode createRuntime}: the runtime's, and how Workers are made.
 *
 * @example Keep every node on the main isolate
 * ```ts
 * import assert from "node:assert/strict";
 * import { PlacementUnavailableError } from "@streamlib/streamlib";
 * import { createRuntime, type CreateRuntimeOptions } from "@streamlib/streamlib/processors";
 *
 * const options: CreateRuntimeOptions = { workers: false };
 * const rt = createRuntime(options);
 * rt.add("Gain", { gain: 0.5 }, { id: "gain" }); // placed on "main"
 * try {
 *   rt.add("Gain", {}, { id: "far", placement: { worker: "dsp" } });
 * } catch (error) {
 *   assert.ok(error instanceof PlacementUnavailableError);
 * }
 * ```
 */
export interface CreateRuntimeOptions extends RuntimeOptions {
  /**
   * Worker placement. `true` (the default): `{ worker: "<name>" }` placements run in Workers
   * (`WorkerBackend`, imported with the first Worker placement and started on first use), so a
   * graph that places nothing on a Worker neither loads the Worker code nor needs the native
   * library. `false`: main isolate only (a Worker placement throws
   * `PlacementUnavailableError`). An object configures the `WorkerBackend` (pool size, registry
   * modules, timeouts). Ignored when `isolates` is given.
   */
  readonly workers?: boolean | WorkerBackendOptions;
}

/**
 * A {@linkcode Runtime} whose registry holds the built-in processors, joined with
 * `options.registry` (a project's own processors) when given, and which runs nodes placed on
 * `{ worker }` in Workers connected by native rings (see `docs/workers.md`). `core/` cannot
 * import the built-in processors or `ffi/`, so `new Runtime()` starts with an empty registry
 * and the main isolate only; this is the convenience most programs want.
 *
 * @param options Runtime options; `registry` adds to the built-in processors; `workers`
 * configures Worker placement.
 * @returns A stopped runtime.
 * @throws {DuplicateProcessorError} When `options.registry` redefines a built-in name.
 *
 * @example Run a tone into a sink by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", { frequency: 220 }, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 30)); // 10 ms blocks: about 3
 * await rt.stop();
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * ```
 *
 * @example Put the gain on a Worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: { pool: { slotBytes: 65_536, slotCount: 32 } } });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "gain", "in");
 * rt.connectByName("gain", "out", "sink", "in");
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await rt.stop(); // the Worker no longer keeps the process alive
 * assert.equal(rt.describe().nodes.find((n) => n.id === "gain")?.isolate, "worker:dsp");
 * ```
 */
export function createRuntime(options: CreateRuntimeOptions = {}): Runtime {
  const { workers = true, ...rest } = options;
  const registry = rest.registry ? builtinRegistry.with(rest.registry) : builtinRegistry;
  const isolates = rest.isolates ??
    (workers === false
      ? undefined
      : new LazyWorkerBackend({ clock: rest.clock, ...(workers === true ? {} : workers) }));
  return new Runtime({ ...rest, registry, isolates });
}
