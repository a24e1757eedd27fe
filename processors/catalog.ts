/**
 * `listProcessors()` and `describeProcessor()`: the node registry API the dashboard and MCP use.
 * By default they read the same joined registry as `deno task nodes list`: the built-in processors
 * of `processors/` and the plugin processors of `plugins/` (`SubprocessProcessor`).
 *
 * @module
 */

import type { NodeRegistry, ProcessorSummary } from "../core/registry/node_registry.ts";
import type { ProcessorDescriptor } from "../core/schema/descriptor.ts";
import { registry as pluginRegistry } from "../plugins/registry.gen.ts";
import { registry as builtinRegistry } from "./registry.gen.ts";

/**
 * The package's processors: the built-in ones of `processors/` and `SubprocessProcessor` of
 * `plugins/`. It is what `listProcessors()` lists by default, and what `streamlib validate` and
 * `streamlib run` (and `deno task validate`/`run`) know, joined with a project's own, without a
 * manifest `"plugins"` entry or `--load-plugins`.
 *
 * @example A manifest with a subprocess node validates against it
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateManifest } from "@streamlib/streamlib";
 * import { packageRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [
 *     { id: "tone", type: "TestToneGenerator" },
 *     { id: "py", type: "SubprocessProcessor", config: { command: "python3", args: ["node.py"] } },
 *   ],
 *   connections: [{ from: "tone.audio", to: "py.in" }],
 * };
 * assert.deepEqual(validateManifest(manifest, packageRegistry), []);
 * ```
 */
export const packageRegistry: NodeRegistry = builtinRegistry.with(pluginRegistry);

/**
 * One summary per processor (name, one-line description, tags, mode, ports), sorted by name.
 *
 * @param registry The registry; by default the package's processors: the built-in ones and
 * `plugins/` (`SubprocessProcessor`), as `deno task nodes list` shows them. Join a project's own
 * with `builtinRegistry.with(projectRegistry)`.
 * @returns The summaries.
 *
 * @example List the package's processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { listProcessors } from "@streamlib/streamlib/processors";
 *
 * const processors = listProcessors();
 * const gain = processors.find((p) => p.name === "Gain");
 * assert.equal(gain?.summary, "Multiplies every sample of a stereo stream by a constant factor.");
 * assert.ok(processors.some((p) => p.name === "SubprocessProcessor"));
 * ```
 */
export function listProcessors(registry: NodeRegistry = packageRegistry): ProcessorSummary[] {
  return registry.list();
}

/**
 * The descriptor of one processor: ports with types and descriptions, config schema with
 * defaults.
 *
 * @param name The processor name.
 * @param registry The registry; by default the built-in processors and `plugins/`.
 * @returns The descriptor.
 * @throws {ProcessorNotFoundError} When there is no such processor; it lists the names there are.
 *
 * @example Read the mixer's inputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeProcessor } from "@streamlib/streamlib/processors";
 *
 * assert.deepEqual(describeProcessor("AudioMixer").inputs.map((p) => p.name), [ "in_0", "in_1", "in_2", "in_3", "in_4", "in_5", "in_6", "in_7" ]);
 * ```
 */
export function describeProcessor(
  name: string,
  registry: NodeRegistry = packageRegistry,
): ProcessorDescriptor {
  return registry.describe(name);
}
