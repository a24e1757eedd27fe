/**
 * The placement rule of GPU nodes: they run in the main isolate
 * (`docs/decisions/0041-gpu-nodes-in-the-main-isolate.md`).
 *
 * @module
 */

import { GpuPlacementError } from "../gpu/errors.ts";
import { isGpuPortType } from "../gpu/gpu_video_frame.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import { isolateOf, MAIN_ISOLATE, type Placement } from "./placement.ts";

/**
 * Refuses a Worker placement of a processor with a `GpuVideoFrame` port.
 *
 * @param node The node's id.
 * @param placement Where it was asked to run (`undefined`: the main isolate).
 * @param descriptor Its processor's descriptor.
 * @throws {GpuPlacementError} When it has GPU ports and the placement is a Worker.
 *
 * @example A GPU node on a Worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuPlacementError } from "@streamlib/streamlib";
 * import { checkGpuPlacement } from "./gpu_placement.ts";
 *
 * const descriptor = {
 *   name: "Tint", mode: "push", description: "", config: {}, isolate: undefined,
 *   inputs: [{ name: "in", portType: "GpuVideoFrame" }],
 *   outputs: [{ name: "out", portType: "GpuVideoFrame" }],
 * } as never;
 * assert.doesNotThrow(() => checkGpuPlacement("tint", "main", descriptor));
 * assert.throws(() => checkGpuPlacement("tint", { worker: "fx" }, descriptor), GpuPlacementError);
 * ```
 */
export function checkGpuPlacement(
  node: string,
  placement: Placement | undefined,
  descriptor: ProcessorDescriptor,
): void {
  if (placement === undefined) return;
  const isolate = isolateOf(placement);
  if (isolate === MAIN_ISOLATE) return;
  const ports = [...descriptor.inputs, ...descriptor.outputs]
    .filter((port) => isGpuPortType(port.portType))
    .map((port) => port.name);
  if (ports.length > 0) throw new GpuPlacementError(node, descriptor.name, isolate, ports);
}
