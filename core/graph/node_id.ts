/**
 * Node ids: what they may look like, and the default ones.
 *
 * @module
 */

/**
 * What a node id looks like: a letter or `_`, then letters, digits, `_` or `-` (no dots).
 *
 * @example Check ids before adding nodes
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_ID_PATTERN } from "./node_id.ts";
 *
 * const ids = ["tone_1", "mixer-left", "2nd", "a.b"];
 * assert.deepEqual(ids.filter((id) => NODE_ID_PATTERN.test(id)), [ "tone_1", "mixer-left" ]);
 * ```
 */
export const NODE_ID_PATTERN: RegExp = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Most characters a node id may have: one bound for `rt.add()`, manifests (`validate`, `run`),
 * the control API and MCP, all of which check ids through the graph or this constant.
 */
export const MAX_NODE_ID_LENGTH = 64;

/**
 * The snake_case form of a processor name, the stem of default node ids (`audio_mixer_1`).
 *
 * @param name A PascalCase processor name.
 * @returns Its snake_case form.
 *
 * @example Name ids after processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { snakeCase } from "./node_id.ts";
 *
 * assert.equal(snakeCase("TestToneGenerator"), "test_tone_generator");
 * assert.equal(snakeCase("Y4mFileSource"), "y4m_file_source");
 * ```
 */
export function snakeCase(name: string): string {
  return name.replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase();
}
