/**
 * A registry of node definitions by processor name: the API behind `deno task nodes`, the
 * dashboard and MCP.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { nearMatches } from "../errors/near_matches.ts";
import { definitionName, lazyEntryFor, sameDefinition } from "./lazy_node.ts";
import type { NodeDefinition } from "./node_definition.ts";
import type { Processor } from "../processor/processor.ts";
import type { ProcessorDescriptor, SchedulingMode } from "../schema/descriptor.ts";

/**
 * Thrown when a processor name is not in a registry.
 *
 * @example Suggest the name that was meant
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessorNotFoundError } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * assert.throws(
 *   () => builtinRegistry.get("Gian"),
 *   (error) => error instanceof ProcessorNotFoundError && error.nearMatches.join() === "Gain",
 * );
 * ```
 */
export class ProcessorNotFoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "processor_not_found";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      processor: this.processor,
      nearMatches: [...this.nearMatches],
      available: [...this.available],
    };
  }
  /** The name that was asked for. */
  readonly processor: string;
  /** The names the registry has. */
  readonly available: readonly string[];
  /** Registered names close to the one asked for, nearest first (may be empty). */
  readonly nearMatches: readonly string[];

  /**
   * Creates the error.
   *
   * @param processor The missing name.
   * @param available The registered names.
   */
  constructor(processor: string, available: readonly string[]) {
    const near = nearMatches(processor, available);
    super(
      `Cannot find processor '${processor}': ${
        near.length > 0 ? `did you mean ${near.join(" or ")}? ` : ""
      }available processors: ${available.join(", ") || "none"}`,
    );
    this.name = "ProcessorNotFoundError";
    this.processor = processor;
    this.available = available;
    this.nearMatches = near;
  }
}

/**
 * Thrown when two definitions of one processor name meet in a registry.
 *
 * @example Two definitions of one name cannot share a registry
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeRegistry } from "@streamlib/streamlib";
 * import { DuplicateProcessorError } from "./node_registry.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * // A plugin's own "Gain", from another source file.
 * const myGain = { ...gainNode, descriptor: { ...gainNode.descriptor, source: "my_gain.ts" } };
 * assert.throws(
 *   () => new NodeRegistry([gainNode, myGain]),
 *   (error) => {
 *     assert.ok(error instanceof DuplicateProcessorError);
 *     assert.equal(error.processor, "Gain");
 *     assert.equal(error.sources[1], "my_gain.ts");
 *     return true;
 *   },
 * );
 * ```
 */
export class DuplicateProcessorError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "duplicate_processor";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { processor: this.processor, sources: [...this.sources] };
  }
  /** The name registered twice. */
  readonly processor: string;
  /** The source modules of the two definitions. */
  readonly sources: readonly string[];

  /**
   * Creates the error.
   *
   * @param processor The name.
   * @param sources The two source modules.
   */
  constructor(processor: string, sources: readonly string[]) {
    super(
      `Cannot register processor '${processor}' twice: defined in ${
        sources.join(" and ")
      }, rename one class`,
    );
    this.name = "DuplicateProcessorError";
    this.processor = processor;
    this.sources = sources;
  }
}

/**
 * A port in a {@linkcode ProcessorSummary}.
 */
export interface PortSummary {
  /** The port's name. */
  readonly name: string;
  /** The port type string. */
  readonly portType: string;
}

/**
 * One line of `deno task nodes list`.
 */
export interface ProcessorSummary {
  /** The processor name. */
  readonly name: string;
  /** The first line of the description. */
  readonly summary: string;
  /** The tags. */
  readonly tags: readonly string[];
  /** The scheduling mode. */
  readonly mode: SchedulingMode;
  /** The inputs. */
  readonly inputs: readonly PortSummary[];
  /** The outputs. */
  readonly outputs: readonly PortSummary[];
}

/**
 * Node definitions by processor name. Every package's generated `registry.gen.ts` exports one;
 * {@linkcode NodeRegistry.with} joins them, so a project's own processors sit beside the
 * built-in ones in one API.
 *
 * @example List and describe processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const names = builtinRegistry.list().map((p) => p.name);
 * assert.ok(names.includes("AudioMixer") && names.includes("Gain"));
 * assert.equal(builtinRegistry.describe("Gain").mode, "push");
 * ```
 */
export class NodeRegistry implements Iterable<NodeDefinition> {
  readonly #byName: Map<string, NodeDefinition>;

  /**
   * Registers `definitions` by processor name.
   *
   * @param definitions The definitions to register.
   * @throws {DuplicateProcessorError} When two definitions share a name.
   */
  constructor(definitions: Iterable<NodeDefinition> = []) {
    this.#byName = new Map();
    for (const definition of definitions) {
      const name = definitionName(definition);
      const existing = this.#byName.get(name);
      if (existing && !sameDefinition(existing, definition)) {
        throw new DuplicateProcessorError(name, [
          existing.descriptor.source,
          definition.descriptor.source,
        ]);
      }
      // A lazy entry gives way to the definition its module exports, once that is loaded.
      if (!existing || existing.processorClass === undefined) this.#byName.set(name, definition);
    }
  }

  /** Number of processors. */
  get size(): number {
    return this.#byName.size;
  }

  /** The processor names, sorted. */
  get names(): string[] {
    return [...this.#byName.keys()].sort();
  }

  /**
   * Whether `name` is registered.
   *
   * @param name A processor name.
   * @returns Whether it is registered.
   */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * The definition of processor `name`.
   *
   * @param name A processor name.
   * @returns The definition.
   * @throws {ProcessorNotFoundError} When it is not registered.
   */
  get(name: string): NodeDefinition {
    const definition = this.#byName.get(name);
    if (!definition) throw new ProcessorNotFoundError(name, this.names);
    return definition;
  }

  /**
   * The definition whose class is `processorClass`. A lazy entry (`lazyNode()`) whose module is
   * not loaded yet answers for a class of its name; loading it then refuses a class defined
   * elsewhere with `ProcessorNotLoadedError`.
   *
   * @param processorClass A processor class.
   * @returns The definition, or `undefined` when the class is not registered.
   */
  of<P extends Processor>(
    processorClass: abstract new (...args: never[]) => P,
  ): NodeDefinition<P> | undefined {
    for (const definition of this.#byName.values()) {
      if (definition.processorClass === processorClass) return definition as NodeDefinition<P>;
    }
    const entry = this.#byName.get(processorClass.name);
    return entry && lazyEntryFor(entry, processorClass) as NodeDefinition<P> | undefined;
  }

  /**
   * One summary per processor, sorted by name.
   *
   * @returns The summaries.
   */
  list(): ProcessorSummary[] {
    return this.names.map((name) => {
      const d = this.#byName.get(name)!.descriptor;
      const ports = (list: ProcessorDescriptor["inputs"]) =>
        list.map((p) => ({ name: p.name, portType: p.portType }));
      return {
        name,
        summary: d.description.split("\n")[0],
        tags: d.tags,
        mode: d.mode,
        inputs: ports(d.inputs),
        outputs: ports(d.outputs),
      };
    });
  }

  /**
   * The full descriptor of processor `name`: ports with types and descriptions, config schema
   * with defaults.
   *
   * @param name A processor name.
   * @returns The descriptor.
   * @throws {ProcessorNotFoundError} When it is not registered.
   */
  describe(name: string): ProcessorDescriptor {
    return this.get(name).descriptor;
  }

  /**
   * Validates `config` and constructs processor `name`.
   *
   * @param name A processor name.
   * @param config Plain JSON config.
   * @returns The processor, ports unconnected.
   * @throws {ProcessorNotFoundError} When it is not registered.
   * @throws {ConfigValidationError} When the config does not match the schema.
   * @throws {ProcessorNotLoadedError} When it is a lazy entry whose module is not loaded yet
   * (`await registry.load(name)` first).
   */
  create(name: string, config?: unknown): Processor {
    return this.get(name).create(config);
  }

  /**
   * Imports the module of processor `name` when its entry is lazy (`lazyNode()`); the runtime
   * does this itself before it sets a node up.
   *
   * @param name A processor name.
   * @returns The loaded definition.
   * @throws {ProcessorNotFoundError} When it is not registered.
   * @throws {ProcessorNotLoadedError} When its module cannot be imported or does not define it.
   */
  async load(name: string): Promise<NodeDefinition> {
    const definition = this.get(name);
    return definition.load ? await definition.load() : definition;
  }

  /**
   * A new registry with the definitions of this one and of `others`.
   *
   * @param others Registries or definitions to add.
   * @returns The joined registry.
   * @throws {DuplicateProcessorError} When two different definitions share a name.
   */
  with(...others: Iterable<NodeDefinition>[]): NodeRegistry {
    return new NodeRegistry([this, ...others].flatMap((defs) => [...defs]));
  }

  /** The definitions, sorted by name. */
  *[Symbol.iterator](): Iterator<NodeDefinition> {
    for (const name of this.names) yield this.#byName.get(name)!;
  }
}

/**
 * Thrown by `add(Class)` when the class is neither in the runtime's registry nor defined by a
 * loaded generated module: importing only the class (whose source imports its generated module
 * for types only) leaves the definition unloaded.
 *
 * @example Read the hint
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessorNotFoundError } from "@streamlib/streamlib";
 * import { ProcessorClassNotDefinedError } from "./node_registry.ts";
 *
 * const error = new ProcessorClassNotDefinedError("Brightness", []);
 * assert.ok(error instanceof ProcessorNotFoundError);
 * assert.equal(error.generatedModule, "./brightness.gen.ts");
 * assert.match(error.message, /import the generated module/);
 * ```
 */
export class ProcessorClassNotDefinedError extends ProcessorNotFoundError {
  /** The generated module of a source named after the class (`./brightness.gen.ts`). */
  readonly generatedModule: string;

  /**
   * Creates the error.
   *
   * @param processor The class name.
   * @param available The registered names.
   */
  constructor(processor: string, available: readonly string[]) {
    super(processor, available);
    const file = processor.replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").toLowerCase();
    this.generatedModule = `./${file}.gen.ts`;
    this.message = `Cannot add processor class '${processor}': its generated definition is not ` +
      `loaded and the runtime's registry lacks it; import the generated module once ` +
      `(\`import "${this.generatedModule}";\`, the *.gen.ts beside its source) or use the ` +
      `project registry (\`rt.use(registry)\` with \`registry\` from its folder's ` +
      `registry.gen.ts); available processors: ${available.join(", ") || "none"}`;
    this.name = "ProcessorClassNotDefinedError";
  }
}
