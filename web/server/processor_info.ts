/**
 * The registry as the control API lists it.
 *
 * @module
 */

import type { NodeRegistry } from "../../mod.ts";
import { liveFields } from "../../core/lifecycle/live_config.ts";
import type { ProcessorInfo } from "../shared/protocol.ts";

/**
 * Every processor of a registry, sorted by name: its descriptor (ports with types, config JSON
 * Schema with defaults) and its live-tunable fields (those its schema marks `"x-live"`).
 *
 * @param registry The registry.
 * @returns The processors.
 *
 * @example List the built-in processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { processorInfos } from "./processor_info.ts";
 * import { builtinRegistry } from "../../processors/mod.ts";
 *
 * assert.deepEqual(processorInfos(builtinRegistry).find((p) => p.name === "Gain")?.liveFields, [ "gain" ]);
 * ```
 */
export function processorInfos(registry: NodeRegistry): ProcessorInfo[] {
  return [...registry].map(({ descriptor }) => ({
    ...descriptor,
    liveFields: liveFields(descriptor),
  }));
}
