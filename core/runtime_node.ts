/**
 * What the runtime keeps about each node of its graph.
 *
 * @module
 */

import { validateConfig } from "./config/validation.ts";
import {
  DEFAULT_ERROR_POLICY,
  DEFAULT_MAX_RESTARTS,
  errorPolicyProblem,
} from "./lifecycle/error_policy.ts";
import type { HostedNodeSpec } from "./isolates/host.ts";
import { definitionBuiltFor, type NodeDefinition } from "./registry/node_definition.ts";
import { type NodeRegistry, ProcessorNotFoundError } from "./registry/node_registry.ts";
import { type Placement, placementProblem } from "./graph/placement.ts";
import type { Processor } from "./processor/processor.ts";
import type { ProcessorDescriptor } from "./schema/descriptor.ts";
import { NodeOptionsError } from "./lifecycle/errors.ts";
import { ProcessorClassNotDefinedError } from "./registry/node_registry.ts";
import type { AddOptions, ProcessorClass } from "./options.ts";

/**
 * A node of a runtime's graph: what its host was given, plus the descriptor and placement.
 *
 * @example The record behind `rt.add(Gain, { gain: 2 })`
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RuntimeNode } from "./runtime_node.ts";
 * import { gainNode } from "../processors/transforms/gain.gen.ts";
 *
 * const node: RuntimeNode = {
 *   id: "gain_1",
 *   definition: gainNode,
 *   descriptor: gainNode.descriptor,
 *   config: { gain: 2 },
 *   placement: "main",
 *   isolate: "main",
 *   onError: "stop-processor",
 *   maxRestarts: 3,
 * };
 * assert.equal(node.descriptor.mode, "push");
 * ```
 */
export interface RuntimeNode extends HostedNodeSpec {
  /** The processor's descriptor. */
  readonly descriptor: ProcessorDescriptor;
  /** Where it runs. */
  readonly placement: Placement;
  /** Its isolate's name. */
  readonly isolate: string;
}

/** What {@linkcode buildRuntimeNode} asks of the runtime's graph and isolates. */
export interface NodeRecordContext {
  /** A free id for a node of this processor. */
  newId(processor: string): string;
  /** Throws when the id is taken or malformed. */
  checkId(id: string): void;
  /** The isolate name for a placement; throws when there is no host for it. */
  isolateFor(id: string, placement: Placement, definition: NodeDefinition): string;
}

/**
 * Resolves and checks everything `rt.add()` was given, in the order its errors are documented:
 * the processor, the id, the options, the placement, then the config.
 *
 * @param registry Where classes and names are looked up; a class it lacks falls back to the
 * definition its generated module built (`definitionBuiltFor`), which the runtime then registers.
 * @param processor A processor class, definition or name.
 * @param config Plain JSON config.
 * @param options Id, placement and error policy.
 * @param context The graph's ids and the isolates.
 * @returns The node record, config validated with defaults filled in.
 * @throws {ProcessorNotFoundError} When the name is not registered, or the class is neither
 * registered nor defined by a loaded generated module.
 * @throws {InvalidNodeIdError} When the id is taken or malformed.
 * @throws {NodeOptionsError} When the placement or error policy is invalid.
 * @throws {PlacementUnavailableError} When no host was injected for the placement.
 * @throws {ConfigValidationError} When the config does not match the schema.
 */
export function buildRuntimeNode(
  registry: NodeRegistry,
  processor: string | NodeDefinition | ProcessorClass<Processor>,
  config: unknown,
  options: AddOptions,
  context: NodeRecordContext,
): RuntimeNode {
  const definition = typeof processor === "string"
    ? registry.get(processor)
    : typeof processor === "function"
    ? registeredOrBuilt(registry, processor)
    : processor;
  if (!definition) {
    const name = (processor as { name: string }).name;
    throw typeof processor === "function"
      ? new ProcessorClassNotDefinedError(name, registry.names)
      : new ProcessorNotFoundError(name, registry.names);
  }
  const { descriptor } = definition;
  const id = options.id ?? context.newId(descriptor.name);
  context.checkId(id);
  const placement = options.placement ?? "main";
  const placementIssue = placementProblem(placement);
  if (placementIssue) throw new NodeOptionsError(id, placementIssue, "placement");
  const onErrorIssue = errorPolicyProblem(options.onError, undefined);
  if (onErrorIssue) throw new NodeOptionsError(id, onErrorIssue, "onError");
  const restartsIssue = errorPolicyProblem(undefined, options.maxRestarts);
  if (restartsIssue) throw new NodeOptionsError(id, restartsIssue, "maxRestarts");
  if (definition.isolate && placement !== "main") {
    throw new NodeOptionsError(
      id,
      `${descriptor.name} always runs in ${definition.isolate.name} (a native plugin processor runs on its plugin's own thread), so it takes no placement; got ${
        JSON.stringify(placement)
      }`,
      "placement",
    );
  }
  const isolate = context.isolateFor(id, placement, definition);
  return {
    id,
    descriptor,
    definition,
    config: validateConfig(descriptor.config, config, descriptor.name),
    placement,
    ...(placement !== "main" && placement.wait === "block" ? { wait: "block" as const } : {}),
    isolate,
    onError: options.onError ?? DEFAULT_ERROR_POLICY,
    maxRestarts: options.maxRestarts ?? DEFAULT_MAX_RESTARTS,
  };
}

/**
 * The registry's definition of the class, else the one its loaded generated module built, else
 * the registry's lazy entry of its name (whose loading checks the class).
 */
function registeredOrBuilt(
  registry: NodeRegistry,
  processor: ProcessorClass<Processor>,
): NodeDefinition | undefined {
  const found = registry.of(processor);
  if (found?.processorClass === processor) return found;
  return definitionBuiltFor(processor) ?? found;
}
