/**
 * Lazy node definitions: what a generated registry lists, so that importing a registry loads
 * each processor's descriptor (ports, config schema) but not its class, which is imported the
 * first time a node of it is set up.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { NodeDefinition } from "./node_definition.ts";
import type { DeclaresFootprint } from "../admission/footprint.ts";
import { createNodeHandle, type NodeHandle } from "../ports/port_ref.ts";
import { PortTable } from "../ports/port_table.ts";
import type { Processor } from "../processor/processor.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";

/**
 * Thrown when the module of a lazy registry entry cannot be imported, does not define the
 * processor it was listed for, or when a node is created from the entry before it is loaded.
 *
 * @example A registry entry whose module is gone
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyNode } from "@streamlib/streamlib";
 * import { ProcessorNotLoadedError } from "./lazy_node.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const missing = lazyNode({
 *   descriptor: { ...gainNode.descriptor, name: "Gone", source: "gone.ts" },
 *   moduleUrl: "file:///nowhere/gone.gen.ts",
 *   load: () => import("file:///nowhere/gone.gen.ts"),
 * });
 * await assert.rejects(missing.load!(), (error) => {
 *   assert.ok(error instanceof ProcessorNotLoadedError);
 *   assert.equal(error.code, "processor_not_loaded");
 *   assert.equal(error.processor, "Gone");
 *   return true;
 * });
 * ```
 */
export class ProcessorNotLoadedError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "processor_not_loaded";
  /** The processor and the module that should define it. */
  get details(): ErrorDetails {
    return { processor: this.processor, module: this.module };
  }
  /** The processor name. */
  readonly processor: string;
  /** The URL of the module that should define it. */
  readonly module: string;

  /**
   * Creates the error.
   *
   * @param processor The processor name.
   * @param module The module's URL.
   * @param problem What went wrong.
   * @param cause The import's own error, when there is one.
   */
  constructor(processor: string, module: string, problem: string, cause?: unknown) {
    super(`Cannot load processor '${processor}' from ${module}: ${problem}`, { cause });
    this.name = "ProcessorNotLoadedError";
    this.processor = processor;
    this.module = module;
  }
}

/**
 * What a generated registry passes to {@linkcode lazyNode} for one processor.
 */
export interface LazyNodeSpec {
  /**
   * The processor's descriptor, config schema included (a copy of the generated one), or its
   * JSON text, which generated registries pass: the text is parsed the first time the entry's
   * `descriptor` is read (listing, describing, adding or validating a node of it), so a registry
   * of many processors holds their descriptors as text until they are used (decision 0062).
   */
  readonly descriptor: ProcessorDescriptor | string;
  /**
   * The processor's name, which the registry files the entry under without parsing JSON text.
   * Default: the descriptor's (JSON text is then parsed at once). When given with JSON text, the
   * parsed descriptor must have this name.
   */
  readonly name?: string;
  /** The URL of the generated module that defines the processor, for Workers and errors. */
  readonly moduleUrl: string;
  /**
   * Imports that module: `() => import("./gain.gen.ts")`. The export whose descriptor has the
   * entry's name is the definition. Default: `import(moduleUrl)`, which generated registries use:
   * Deno loads the source of every module a literal `import("...")` names as soon as the
   * importing module loads (whether or not the import runs), so a registry of literal imports
   * would load every processor's source; an import by URL loads only the modules used, and needs
   * read permission for them (decision 0056).
   */
  readonly load?: () => Promise<Record<string, unknown>>;
  /**
   * The processor's footprint hook, when it declares one without its class (see
   * {@linkcode DeclaresFootprint}): admission control asks it before the class is loaded.
   */
  readonly footprint?: DeclaresFootprint<never>["footprint"];
}

/**
 * A registry entry for a processor whose class is imported the first time it is needed: its
 * descriptor, config schema, ports and handles work at once (`describe()`, manifests,
 * `add()`, `connect()`); `load()` imports the class, which the runtime does when it first sets
 * a node of it up. Generated `registry.gen.ts` files call it; authors do not.
 *
 * @param spec The descriptor, the module and how to import it.
 * @returns The entry; `processorClass` is `undefined` until `load()` resolves.
 *
 * @example List a processor without loading it, then load it
 * ```ts
 * import assert from "node:assert/strict";
 * import { lazyNode } from "@streamlib/streamlib";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const url = new URL("../../processors/transforms/gain.gen.ts", import.meta.url).href;
 * const gain = lazyNode({ descriptor: gainNode.descriptor, moduleUrl: url }); // imports url
 * assert.equal(gain.handle("g").outputs.out.port, "out");
 * assert.equal((await gain.load!()).processorClass, gainNode.processorClass);
 * assert.equal(gain.processorClass, gainNode.processorClass);
 * assert.ok(gain.create({ gain: 2 }) instanceof gainNode.processorClass!);
 * ```
 */
export function lazyNode(spec: LazyNodeSpec): NodeDefinition {
  return new LazyNode(spec);
}

/**
 * The processor name of `definition`; for a lazy entry without parsing its descriptor's JSON
 * text.
 *
 * @param definition A node definition.
 * @returns Its processor name.
 */
export function definitionName(definition: NodeDefinition): string {
  return definition instanceof LazyNode ? definition.name : definition.descriptor.name;
}

/** Whether `definition` is a lazy entry whose class has not been loaded yet. */
export function isUnloaded(definition: NodeDefinition): boolean {
  return definition instanceof LazyNode && definition.processorClass === undefined;
}

/**
 * Whether two definitions are one processor: the same object, or a lazy entry and the
 * definition its module exports (same name, same module).
 *
 * @param a A definition.
 * @param b Another.
 * @returns Whether they define the same processor.
 */
export function sameDefinition(a: NodeDefinition, b: NodeDefinition): boolean {
  if (a === b) return true;
  if (!(a instanceof LazyNode) && !(b instanceof LazyNode)) return false;
  return a.moduleUrl !== undefined && a.moduleUrl === b.moduleUrl &&
    definitionName(a) === definitionName(b);
}

/**
 * The lazy entry of `definition`'s name, narrowed to `processorClass`: its `load()` refuses a
 * module whose class is another one (a class named like a registered processor but defined
 * elsewhere).
 *
 * @param definition A registry entry.
 * @param processorClass The class a caller added by.
 * @returns The narrowed entry, or `undefined` when `definition` is not an unloaded lazy entry
 * of that class's name.
 */
export function lazyEntryFor(
  definition: NodeDefinition,
  processorClass: abstract new (...args: never[]) => Processor,
): NodeDefinition | undefined {
  if (!(definition instanceof LazyNode) || definition.processorClass !== undefined) {
    return undefined;
  }
  if (definition.name !== processorClass.name) return undefined;
  return new LazyNode(definition.spec, processorClass, definition);
}

class LazyNode implements NodeDefinition {
  readonly spec: LazyNodeSpec;
  /** The processor name. */
  readonly name: string;
  readonly moduleUrl: string;
  #descriptor: ProcessorDescriptor | undefined;
  readonly #expected: (abstract new (...args: never[]) => Processor) | undefined;
  readonly #shared: LazyNode | undefined;
  #loading: Promise<NodeDefinition> | undefined;
  #loaded: NodeDefinition | undefined;

  constructor(
    spec: LazyNodeSpec,
    expected?: abstract new (...args: never[]) => Processor,
    shared?: LazyNode,
  ) {
    this.spec = spec;
    this.#expected = expected;
    this.#shared = shared;
    if (typeof spec.descriptor !== "string") this.#descriptor = spec.descriptor;
    this.name = spec.name ?? this.descriptor.name;
    this.moduleUrl = spec.moduleUrl;
    if (spec.footprint) this.footprint = spec.footprint;
  }

  readonly footprint?: DeclaresFootprint<never>["footprint"];

  /** The descriptor; JSON text is parsed on the first read (and shared with narrowed copies). */
  get descriptor(): ProcessorDescriptor {
    return this.#descriptor ??= this.#shared?.descriptor ?? this.#parse();
  }

  #parse(): ProcessorDescriptor {
    const descriptor = JSON.parse(this.spec.descriptor as string) as ProcessorDescriptor;
    if (this.spec.name !== undefined && descriptor.name !== this.spec.name) {
      throw new TypeError(
        `lazyNode(): the descriptor of '${this.spec.name}' names '${descriptor.name}' (run \`deno task codegen\`)`,
      );
    }
    return descriptor;
  }

  get processorClass(): (abstract new (...args: never[]) => Processor) | undefined {
    return this.#loaded?.processorClass;
  }

  load(): Promise<NodeDefinition> {
    this.#loading ??= (this.#shared?.load() ?? this.#import()).then((loaded) => {
      if (this.#expected && loaded.processorClass !== this.#expected) {
        throw this.#error(
          `a class named '${this.name}' was added, but the registry's is another one (rename one of them)`,
        );
      }
      return this.#loaded = loaded;
    });
    return this.#loading;
  }

  async #import(): Promise<NodeDefinition> {
    let exports: Record<string, unknown>;
    try {
      exports = await (this.spec.load?.() ?? import(this.moduleUrl));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw this.#error(`the import failed: ${message}`, error);
    }
    for (const value of Object.values(exports)) {
      const d = value as Partial<NodeDefinition> | null;
      if (
        typeof d === "object" && d !== null && d.descriptor?.name === this.name &&
        typeof d.create === "function" && !(d instanceof LazyNode)
      ) return d as NodeDefinition;
    }
    throw this.#error(
      `the module exports no node definition of that name (run \`deno task codegen\`)`,
    );
  }

  #error(problem: string, cause?: unknown): ProcessorNotLoadedError {
    return new ProcessorNotLoadedError(this.name, this.moduleUrl, problem, cause);
  }

  create(config?: unknown, ports?: PortTable): Processor {
    if (!this.#loaded) {
      throw this.#error("its module is not loaded yet (await the definition's load() first)");
    }
    return this.#loaded.create(config, ports);
  }

  handle(node: string): NodeHandle {
    return createNodeHandle(node, this.descriptor);
  }

  ports(): PortTable {
    return new PortTable(this.descriptor);
  }
}
