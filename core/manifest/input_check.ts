/**
 * What `validate` can check beyond the manifest itself: the files its sources would read. A
 * processor class declares `static checkInput(config)`, which opens what its `setup()` would open
 * and throws the error `setup()` would throw (a WAV file that is not WAV, an MP4 whose audio codec
 * the source cannot read), reading headers only.
 *
 * @module
 */

import type { ManifestIssue } from "./issue.ts";
import type { NodeRegistry } from "../registry/node_registry.ts";
import { isObject } from "./issue.ts";
import { validateConfig } from "../config/validation.ts";
import { excerpt } from "./limits.ts";
import type { ErrorCode } from "../errors/codes.ts";

/**
 * The static hook a processor class declares to have its input checked by `validate`.
 *
 * @example A source that checks its file
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ChecksInput } from "./input_check.ts";
 *
 * class Source {
 *   static async checkInput(config: { path: string }): Promise<void> {
 *     await Deno.stat(config.path);
 *   }
 * }
 * const hook: ChecksInput<{ path: string }> = Source;
 * await assert.rejects(hook.checkInput({ path: "/nowhere/at/all.wav" }));
 * ```
 */
export interface ChecksInput<C = never> {
  /**
   * Opens what `setup()` would open with `config` and closes it again.
   *
   * @param config The validated config, defaults filled in.
   * @throws The error `setup()` would throw for that input.
   */
  checkInput(config: C): Promise<void>;
}

/**
 * Runs each node's `checkInput` (loading the classes that declare one), for a manifest that is
 * otherwise valid: an issue per node whose input `setup()` would refuse, with the error's code.
 *
 * @param manifest A manifest `validateManifest()` found valid.
 * @param registry The registry it was validated against.
 * @returns The issues (none when every input opens).
 *
 * @example A WAV source whose file is missing
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkManifestInputs } from "./input_check.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = { version: 1, nodes: [{ id: "src", type: "WavFileSource", config: { path: "/nowhere/x.wav" } }] };
 * const issues = await checkManifestInputs(manifest, builtinRegistry);
 * assert.deepEqual(issues.map((i) => [i.path, i.node]), [["nodes[0].config", "src"]]);
 * ```
 */
export async function checkManifestInputs(
  manifest: unknown,
  registry: NodeRegistry,
): Promise<ManifestIssue[]> {
  if (!isObject(manifest) || !Array.isArray(manifest.nodes)) return [];
  const issues: ManifestIssue[] = [];
  for (const [index, node] of manifest.nodes.entries()) {
    if (!isObject(node) || typeof node.type !== "string" || !registry.has(node.type)) continue;
    let definition = registry.get(node.type);
    if (!definition.processorClass && definition.load) definition = await definition.load();
    const hook = (definition.processorClass as Partial<ChecksInput<unknown>> | undefined)
      ?.checkInput;
    if (typeof hook !== "function") continue;
    const { descriptor } = definition;
    const config = validateConfig(descriptor.config, node.config ?? {}, descriptor.name);
    try {
      await hook.call(definition.processorClass, config);
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      const code = (typeof e.code === "string" ? e.code : "invalid_config") as ErrorCode;
      const path = `nodes[${index}].config`;
      const id = typeof node.id === "string" ? node.id : "";
      issues.push({
        path,
        code,
        message: `${path}: node '${excerpt(id)}' (${descriptor.name}) would fail in setup(): ${
          String(e.message ?? error)
        }`,
        node: excerpt(id),
      });
    }
  }
  return issues;
}
