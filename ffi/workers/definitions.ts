/**
 * How a Worker finds the node definition of a processor it is asked to run.
 *
 * @module
 */

import type { NodeDefinition } from "../../core/registry/node_definition.ts";
import type { NodeRegistry } from "../../core/registry/node_registry.ts";

/**
 * Resolves node definitions by processor name inside a Worker: from the module that exports the
 * definition (`NodeDefinition.moduleUrl`, which generated files record), else from registry
 * modules (modules exporting a `NodeRegistry`). Modules are imported once.
 *
 * @example Resolve the built-in Gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerDefinitions } from "./definitions.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const definitions = new WorkerDefinitions([]);
 * const gain = await definitions.resolve("Gain", gainNode.moduleUrl);
 * assert.ok(gain === gainNode); // the same module instance in this isolate
 * ```
 */
export class WorkerDefinitions {
  readonly #registries: readonly string[];
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();

  /**
   * Creates a resolver.
   *
   * @param registries URLs of registry modules, searched in order for definitions without a
   * module URL.
   */
  constructor(registries: readonly string[]) {
    this.#registries = registries;
  }

  /**
   * Finds the definition of `processor`.
   *
   * @param processor The processor name.
   * @param moduleUrl The module exporting its definition, when known.
   * @returns The definition.
   * @throws {TypeError} When no module defines it (or a module fails to load).
   */
  async resolve(processor: string, moduleUrl: string | undefined): Promise<NodeDefinition> {
    if (moduleUrl !== undefined) {
      const exports = await this.#import(moduleUrl);
      for (const value of Object.values(exports)) {
        if (isDefinition(value) && value.descriptor.name === processor) return value;
      }
    }
    for (const url of this.#registries) {
      for (const value of Object.values(await this.#import(url))) {
        if (isRegistry(value) && value.has(processor)) return value.get(processor);
        if (isDefinition(value) && value.descriptor.name === processor) return value;
      }
    }
    const searched = [moduleUrl, ...this.#registries].filter((u) => u !== undefined);
    throw new TypeError(
      `Cannot find processor '${processor}' in the Worker: no node definition of that name is exported by ${
        searched.join(", ") || "any module (no module URL or registry was given)"
      }`,
    );
  }

  #import(url: string): Promise<Record<string, unknown>> {
    let module = this.#modules.get(url);
    if (!module) {
      module = import(url) as Promise<Record<string, unknown>>;
      this.#modules.set(url, module);
    }
    return module;
  }
}

function isDefinition(value: unknown): value is NodeDefinition {
  const d = value as NodeDefinition | undefined;
  return typeof d === "object" && d !== null && typeof d.create === "function" &&
    typeof d.descriptor?.name === "string" && typeof d.ports === "function";
}

/** Duck-typed, so registries of another copy of the library count too. */
function isRegistry(value: unknown): value is NodeRegistry {
  const r = value as NodeRegistry | undefined;
  return typeof r === "object" && r !== null && typeof r.has === "function" &&
    typeof r.get === "function" && typeof r.list === "function";
}
