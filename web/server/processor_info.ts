/**
 * The registry as the control API lists it.
 *
 * @module
 */

import type { NodeRegistry } from "../../mod.ts";
import { liveFields } from "../../core/lifecycle/live_config.ts";
import type { ProcessorInfo } from "../shared/protocol.ts";
import type { ProcessorOrigin } from "../../core/registry/processor_origin.ts";

/**
 * Every processor of a registry, sorted by name: its descriptor (ports with types, config JSON
 * Schema with defaults) and its live-tunable fields (those its schema marks `"x-live"`).
 *
 * @param registry The registry.
 * @param origins Where each type came from, by name (`origin`); absent types have none.
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
export function processorInfos(
  registry: NodeRegistry,
  origins?: ReadonlyMap<string, ProcessorOrigin>,
): ProcessorInfo[] {
  return [...registry].map(({ descriptor }) => {
    const origin = origins?.get(descriptor.name);
    return { ...descriptor, liveFields: liveFields(descriptor), ...(origin ? { origin } : {}) };
  });
}
