/**
 * `--watch`: regenerate whenever a source in a scanned folder changes, reusing one ts-morph
 * project and the cache, so each run re-parses only what changed.
 *
 * @module
 */

import { join } from "node:path";
import { generate, type GenerateOptions, type GenerateResult } from "./generate.ts";
import { loadCodegenConfig } from "./project_config.ts";
import { CodegenSession } from "./session.ts";

/**
 * Options of {@linkcode watch}.
 *
 * @example Stop watching after the first run
 * ```ts
 * import assert from "node:assert/strict";
 * import { watch, type WatchOptions } from "@streamlib/streamlib/codegen";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/nodes`);
 * const stop = new AbortController();
 * const options: WatchOptions = {
 *   root,
 *   folders: ["nodes"],
 *   cache: false,
 *   signal: stop.signal,
 *   onResult: (result) => {
 *     assert.equal(result.processors, 0);
 *     stop.abort();
 *   },
 * };
 * await watch(options);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export interface WatchOptions extends Omit<GenerateOptions, "check" | "session"> {
  /** Stops watching when aborted. */
  readonly signal?: AbortSignal;
  /** Called after every run, the first included. */
  readonly onResult?: (result: GenerateResult) => void;
  /** Called when a run fails (a bad `deno.json`, an unreadable file); watching goes on. */
  readonly onError?: (error: unknown) => void;
  /** Quiet time after the last change before a run, in ms. Default 80. */
  readonly debounceMs?: number;
}

/**
 * Generates, then regenerates on every change until `signal` aborts.
 *
 * @param options What to scan and whom to tell.
 * @returns When watching stops.
 *
 * @example Regenerate after an edit, then stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { watch } from "@streamlib/streamlib/codegen";
 *
 * // A project with one processor (`@streamlib/streamlib` mapped to this package).
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/src`);
 * await Deno.writeTextFile(
 *   `${root}/deno.json`,
 *   JSON.stringify({ imports: { "@streamlib/streamlib": import.meta.resolve("@streamlib/streamlib") } }),
 * );
 * await Deno.writeTextFile(
 *   `${root}/src/silence.ts`,
 *   `import { type AudioFrame, output, type OutputPort, Processor, processor } from "@streamlib/streamlib";
 * import type { SilenceTypes } from "./silence.gen.ts";
 *
 * @processor({ description: "Writes nothing", mode: "loop" })
 * export class Silence extends Processor<SilenceTypes> {
 *   @output({ description: "No audio" })
 *   audio!: OutputPort<AudioFrame<2>>;
 *
 *   process(): void {}
 * }
 * `,
 * );
 * const processors: number[] = [];
 * const stop = new AbortController();
 * await watch({
 *   root,
 *   folders: ["src"],
 *   signal: stop.signal,
 *   onResult: (result) => {
 *     processors.push(result.processors);
 *     if (processors.length === 1) Deno.writeTextFileSync(`${root}/src/silence.ts`, "// no processors\n");
 *     else stop.abort();
 *   },
 * });
 * assert.deepEqual(processors, [1, 0]); // the first run, then the run after the edit
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function watch(options: WatchOptions = {}): Promise<void> {
  const session = new CodegenSession();
  const config = loadCodegenConfig(options.root ?? ".", options.folders);
  const run = async () => {
    try {
      options.onResult?.(await generate({ ...options, session }));
    } catch (error) {
      (options.onError ?? console.error)(error);
    }
  };
  const paths = config.folders.map((folder) => join(config.root, folder));
  const watcher = Deno.watchFs(paths, { recursive: true });
  options.signal?.addEventListener("abort", () => watcher.close(), { once: true });
  let running: Promise<void> = run();
  let timer: ReturnType<typeof setTimeout> | undefined;
  for await (const event of watcher) {
    const relevant = event.paths.some((p) => p.endsWith(".ts") && !p.endsWith(".gen.ts"));
    if (!relevant) continue;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, options.debounceMs ?? 80);
  }
  clearTimeout(timer);
  await running;
}
