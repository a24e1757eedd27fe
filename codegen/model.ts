/**
 * The model step: checks the parsed facts against each other and builds what the emitters
 * print. Pure data in, pure data out; no TypeScript compiler.
 *
 * @module
 */

import { posix } from "node:path";
import type { JsonSchema } from "../core/schema/json_schema.ts";
import { SCHEDULING_MODES, type SchedulingMode } from "../core/schema/descriptor.ts";
import type { Diagnostic, DiagnosticCode } from "./diagnostic.ts";
import { generatedPathOf, REGISTRY_FILE } from "./discover.ts";
import type { ProcessorDescriptor } from "../core/schema/descriptor.ts";
import type {
  LiteralValue,
  ParsedClass,
  ParsedFile,
  ParsedFootprint,
  ParsedOptions,
  Position,
} from "./parsed.ts";

/** One port of a processor, array ports expanded. */
export interface PortModel {
  /** The port name (`in_2` for element 2 of array field `in`). */
  readonly name: string;
  /** The field that declares it. */
  readonly field: string;
  /** The element index for array ports. */
  readonly index: number | undefined;
  /** Input or output. */
  readonly direction: "input" | "output";
  /** The port type string. */
  readonly portType: string;
  /** Whether the input must be connected. */
  readonly required: boolean;
  /** What flows through it. */
  readonly description: string;
}

/** Everything the emitter needs about one processor class. */
export interface ProcessorModel {
  /** The class (and processor) name. */
  readonly name: string;
  /** The generated node definition's name (`gainNode`). */
  readonly nodeConst: string;
  /** The generated types interface (`GainTypes`). */
  readonly typesName: string;
  /** The generated inputs accessor class (`GainInputs`). */
  readonly inputsClass: string;
  /** The generated outputs accessor class (`GainOutputs`). */
  readonly outputsClass: string;
  /** The generated handle interface (`GainHandle`). */
  readonly handleName: string;
  /** The description. */
  readonly description: string;
  /** The tags. */
  readonly tags: readonly string[];
  /** The scheduling mode. */
  readonly mode: SchedulingMode;
  /** `false` when `@processor({ needsEventLoop: false })` declared it runs without one. */
  readonly needsEventLoop?: false;
  /** The inputs. */
  readonly inputs: readonly PortModel[];
  /** The outputs. */
  readonly outputs: readonly PortModel[];
  /** The `@config()` field, if any. */
  readonly configField: string | undefined;
  /** The config's JSON Schema. */
  readonly configSchema: JsonSchema;
  /** The source file, relative to the project root. */
  readonly source: string;
  /** Its `static footprint` hook (an imported hook's specifier is as the source wrote it). */
  readonly footprint: ParsedFootprint;
  /** Where the class is. */
  readonly at: Position;
}

/** One generated `*.gen.ts` file. */
export interface GenFileModel {
  /** The source, relative to the root. */
  readonly source: string;
  /** The generated file, relative to the root. */
  readonly path: string;
  /** How the generated file imports the source (`./gain.ts`). */
  readonly sourceImport: string;
  /** Where streamlib is imported from (copied from the source). */
  readonly coreSpecifier: string;
  /** The processors, in source order. */
  readonly processors: readonly ProcessorModel[];
}

/** What a registry needs to know about one processor (cached with the file's output). */
export interface RegistryEntry {
  /** The processor name. */
  readonly name: string;
  /** The node definition's name. */
  readonly nodeConst: string;
  /** The generated file, relative to the root. */
  readonly path: string;
  /** Where the source imports streamlib from. */
  readonly coreSpecifier: string;
  /** The descriptor, as the generated file declares it. */
  readonly descriptor: ProcessorDescriptor;
  /**
   * The footprint hook: none, one the registry imports (`module` relative to the root when the
   * source imports it by a relative path, else the specifier as written), or one of the class.
   */
  readonly footprint:
    | { readonly kind: "none" }
    | {
      readonly kind: "imported";
      readonly name: string;
      readonly module: string;
      readonly relative: boolean;
    }
    | { readonly kind: "class" };
  /** Where the class is. */
  readonly at: Position;
}

/** One processor in a registry. */
export interface RegistryModelEntry {
  /** The processor name. */
  readonly name: string;
  /** The node definition's name. */
  readonly nodeConst: string;
  /** The generated module, relative to the registry. */
  readonly module: string;
  /** The descriptor the lazy entry carries. */
  readonly descriptor: ProcessorDescriptor;
  /** The footprint hook the registry imports, relative to the registry. */
  readonly footprint: { readonly name: string; readonly module: string } | undefined;
  /**
   * Whether the registry imports the definition itself, class included: a class whose
   * `static footprint` is its own, which admission control must be able to ask at once.
   */
  readonly eager: boolean;
}

/** One generated `registry.gen.ts`. */
export interface RegistryModel {
  /** The folder, relative to the root. */
  readonly folder: string;
  /** The registry file, relative to the root. */
  readonly path: string;
  /** How the registry imports streamlib. */
  readonly coreSpecifier: string;
  /** The node definitions, sorted by processor name, with import paths relative to the registry. */
  readonly entries: readonly RegistryModelEntry[];
}

const EMPTY_CONFIG: JsonSchema = { type: "object", properties: {}, additionalProperties: false };

/**
 * Builds the model of one parsed file.
 *
 * @param parsed The parse step's output.
 * @returns The model (when the file has processors and no diagnostics) and the diagnostics.
 */
export function buildFileModel(
  parsed: ParsedFile,
): { model: GenFileModel | undefined; diagnostics: Diagnostic[] } {
  const diagnostics = [...parsed.diagnostics];
  const processors = parsed.classes.map((c) => buildProcessor(c, parsed.source, diagnostics));
  if (parsed.classes.length > 0 && parsed.coreSpecifier === undefined) {
    const { at } = parsed.classes[0];
    push(
      diagnostics,
      at,
      "not-a-processor",
      `Cannot find where 'Processor' is imported from in ${parsed.source}`,
      'import it by name: `import { Processor, processor } from "@streamlib/streamlib";`',
    );
  }
  if (processors.length === 0 || diagnostics.length > 0) return { model: undefined, diagnostics };
  return {
    model: {
      source: parsed.source,
      path: generatedPathOf(parsed.source),
      sourceImport: `./${posix.basename(parsed.source)}`,
      coreSpecifier: parsed.coreSpecifier!,
      processors,
    },
    diagnostics,
  };
}

/**
 * The registry entries of a file model.
 *
 * @param model The file model.
 * @returns One entry per processor.
 */
export function registryEntries(model: GenFileModel): RegistryEntry[] {
  return model.processors.map((p) => ({
    name: p.name,
    nodeConst: p.nodeConst,
    path: model.path,
    coreSpecifier: model.coreSpecifier,
    // A JSON copy: what the cache stores, without the ports' absent groups.
    descriptor: JSON.parse(JSON.stringify(descriptorOf(p))),
    footprint: p.footprint.kind !== "imported" ? p.footprint : {
      kind: "imported",
      name: p.footprint.name,
      module: p.footprint.specifier.startsWith(".")
        ? posix.join(posix.dirname(model.source), p.footprint.specifier)
        : p.footprint.specifier,
      relative: p.footprint.specifier.startsWith("."),
    },
    at: p.at,
  }));
}

/**
 * The descriptor of a processor, as its generated file and its registry entry declare it.
 *
 * @param p The processor model.
 * @returns The descriptor.
 */
export function descriptorOf(p: ProcessorModel): ProcessorDescriptor {
  const port = (port: PortModel) => ({
    name: port.name,
    direction: port.direction,
    portType: port.portType,
    required: port.required,
    description: port.description,
    group: port.index === undefined ? undefined : port.field,
  });
  return {
    name: p.name,
    description: p.description,
    tags: p.tags,
    mode: p.mode,
    inputs: p.inputs.map(port),
    outputs: p.outputs.map(port),
    config: p.configSchema,
    source: p.source,
    ...(p.needsEventLoop === false ? { needsEventLoop: false as const } : {}),
  };
}

/**
 * Builds the registry model of a folder and reports processor names used twice.
 *
 * @param folder The folder, relative to the root.
 * @param entries The entries of every file in it.
 * @returns The model (`undefined` when the folder has no processors) and the diagnostics.
 */
export function buildRegistryModel(
  folder: string,
  entries: readonly RegistryEntry[],
): { model: RegistryModel | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sorted = [...entries].sort((a, b) =>
    a.name.localeCompare(b.name) || a.path.localeCompare(b.path)
  );
  const seen = new Map<string, RegistryEntry>();
  for (const entry of sorted) {
    const first = seen.get(entry.name);
    if (first) {
      push(
        diagnostics,
        entry.at,
        "duplicate-processor",
        `Processor name '${entry.name}' is also used by ${first.at.file}:${first.at.line}:${first.at.column}`,
        "rename one of the classes; processor names are unique within a package",
      );
    } else {
      seen.set(entry.name, entry);
    }
  }
  if (sorted.length === 0 || diagnostics.length > 0) return { model: undefined, diagnostics };
  const path = folder === "." ? REGISTRY_FILE : `${folder}/${REGISTRY_FILE}`;
  const registryDir = posix.dirname(path);
  const relativeTo = (target: string) => {
    const rel = posix.relative(registryDir, target);
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  const first = sorted[0];
  const coreSpecifier = first.coreSpecifier.startsWith(".")
    ? relativeTo(posix.join(posix.dirname(first.path), first.coreSpecifier))
    : first.coreSpecifier;
  return {
    model: {
      folder,
      path,
      coreSpecifier,
      entries: sorted.map((e) => ({
        name: e.name,
        nodeConst: e.nodeConst,
        module: relativeTo(e.path),
        descriptor: e.descriptor,
        footprint: e.footprint.kind !== "imported" ? undefined : {
          name: e.footprint.name,
          module: e.footprint.relative ? relativeTo(e.footprint.module) : e.footprint.module,
        },
        eager: e.footprint.kind === "class",
      })),
    },
    diagnostics,
  };
}

function buildProcessor(
  parsed: ParsedClass,
  source: string,
  diagnostics: Diagnostic[],
): ProcessorModel {
  const { name, at } = parsed;
  const typesName = `${name}Types`;
  const genImport = `./${posix.basename(generatedPathOf(source))}`;
  const extendsHint =
    `declare it as \`export class ${name} extends Processor<${typesName}>\` with \`import type { ${typesName} } from "${genImport}";\``;
  if (parsed.defaultExport) {
    push(
      diagnostics,
      at,
      "unexported-class",
      `Processor class '${name}' is a default export`,
      `export it by name: \`export class ${name}\`; the generated module imports it by name`,
    );
  } else if (!parsed.exported) {
    push(
      diagnostics,
      at,
      "unexported-class",
      `Processor class '${name}' is not exported`,
      `write \`export class ${name}\`; the generated module imports it by name`,
    );
  }
  if (parsed.abstract) {
    push(
      diagnostics,
      at,
      "not-a-processor",
      `Processor class '${name}' is abstract`,
      "remove `abstract`, or move `@processor` to a concrete subclass",
    );
  }
  const base = parsed.base;
  if (base.kind === "none" || (base.kind === "other" && !base.reachesProcessor)) {
    push(
      diagnostics,
      at,
      "not-a-processor",
      `Processor class '${name}' does not extend Processor`,
      extendsHint,
    );
  } else if (base.kind === "processor" && base.typeArguments[0] !== typesName) {
    push(
      diagnostics,
      at,
      "not-a-processor",
      `Processor class '${name}' extends Processor without its generated types`,
      extendsHint,
    );
  } else if (
    parsed.typesSpecifier !== undefined && parsed.typesSpecifier.endsWith(".gen.ts") &&
    posix.join(posix.dirname(source), parsed.typesSpecifier) !== generatedPathOf(source)
  ) {
    // Another file's generated module (a renamed source, a copied processor): codegen writes
    // this class's types beside its own source, so the import would never resolve.
    push(
      diagnostics,
      at,
      "not-a-processor",
      `Processor class '${name}' imports ${typesName} from '${parsed.typesSpecifier}', ` +
        `but codegen writes it to '${genImport}'`,
      `write \`import type { ${typesName} } from "${genImport}";\``,
    );
  }
  if (!parsed.hasProcess) {
    push(
      diagnostics,
      at,
      "missing-process",
      `Processor class '${name}' has no process() method`,
      "add `process(ctx: ProcessContext): void { ... }`; the runtime calls it to move frames",
    );
  }
  const options = readProcessorOptions(parsed.options, diagnostics);
  const ports = expandPorts(parsed, diagnostics);
  for (const extra of parsed.configs.slice(1)) {
    push(
      diagnostics,
      extra.at,
      "duplicate-config",
      `Processor class '${name}' has more than one @config() field ('${
        parsed.configs[0].field
      }' and '${extra.field}')`,
      "keep one config field and nest the settings in its type",
    );
  }
  const configField = parsed.configs[0];
  let configSchema = configField?.schema ?? EMPTY_CONFIG;
  if (configField?.schema && configField.schema.type !== "object") {
    push(
      diagnostics,
      configField.at,
      "config-not-json",
      `Config of '${name}' must be an object type, found a schema of type ${
        JSON.stringify(configField.schema.type ?? "any")
      }`,
      "declare the config as an interface with named fields",
    );
    configSchema = EMPTY_CONFIG;
  }
  return {
    name,
    nodeConst: `${lowerFirst(name)}Node`,
    typesName,
    inputsClass: `${name}Inputs`,
    outputsClass: `${name}Outputs`,
    handleName: `${name}Handle`,
    description: options.description ?? parsed.description,
    tags: options.tags ?? [],
    mode: options.mode ?? "push",
    ...(options.needsEventLoop === false ? { needsEventLoop: false as const } : {}),
    inputs: ports.filter((p) => p.direction === "input"),
    outputs: ports.filter((p) => p.direction === "output"),
    configField: configField?.field,
    configSchema,
    source,
    footprint: parsed.footprint,
    at,
  };
}

function expandPorts(parsed: ParsedClass, diagnostics: Diagnostic[]): PortModel[] {
  const ports: PortModel[] = [];
  const seen = new Map<string, string>();
  for (const port of parsed.ports) {
    const allowed = port.direction === "input"
      ? ["description", "required", "array"]
      : ["description", "array"];
    const values = checkOptions(port.options, `@${port.direction}`, allowed, diagnostics);
    const description = str(values.description, diagnostics) ?? port.description;
    const required = port.direction === "input" && bool(values.required, diagnostics) === true;
    const arrayOption = values.array;
    let length: number | undefined;
    if (arrayOption) {
      const n = arrayOption.value;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 256) {
        push(
          diagnostics,
          arrayOption.at,
          "invalid-options",
          `Option 'array' must be an integer from 1 to 256, got ${JSON.stringify(n)}`,
          "write the number of ports, for example `array: 4`",
        );
        continue;
      }
      length = n;
    }
    if (!port.type.ok) continue;
    const wanted = port.direction === "input" ? "InputPort" : "OutputPort";
    if (port.type.array && length === undefined) {
      push(
        diagnostics,
        port.at,
        "port-type",
        `@${port.direction} field '${port.field}' is an array of ports but has no 'array' option`,
        `add the number of ports: \`@${port.direction}({ array: 4 })\``,
      );
      continue;
    }
    if (!port.type.array && length !== undefined) {
      push(
        diagnostics,
        port.at,
        "port-type",
        `@${port.direction}({ array: ${length} }) field '${port.field}' is not an array of ports`,
        `declare it as \`${port.field}!: readonly ${wanted}<${port.type.portType}>[];\``,
      );
      continue;
    }
    const names = length === undefined
      ? [{ name: port.field, index: undefined }]
      : Array.from({ length }, (_, i) => ({ name: `${port.field}_${i}`, index: i }));
    for (const { name, index } of names) {
      const key = `${port.direction}:${name}`;
      const other = seen.get(key);
      if (other !== undefined) {
        push(
          diagnostics,
          port.at,
          "duplicate-port",
          `Processor '${parsed.name}' has two ${port.direction}s named '${name}' (from fields '${other}' and '${port.field}')`,
          "rename one of the fields; array ports are named <field>_0, <field>_1, ...",
        );
        continue;
      }
      seen.set(key, port.field);
      ports.push({
        name,
        field: port.field,
        index,
        direction: port.direction,
        portType: port.type.portType,
        required,
        description,
      });
    }
  }
  return ports;
}

function readProcessorOptions(options: ParsedOptions, diagnostics: Diagnostic[]) {
  const values = checkOptions(
    options,
    "@processor",
    ["description", "tags", "mode", "needsEventLoop"],
    diagnostics,
  );
  const result: {
    description?: string;
    tags?: string[];
    mode?: SchedulingMode;
    needsEventLoop?: boolean;
  } = {};
  const needsEventLoop = values.needsEventLoop;
  if (needsEventLoop) {
    if (typeof needsEventLoop.value === "boolean") {
      result.needsEventLoop = needsEventLoop.value;
    } else {
      push(
        diagnostics,
        needsEventLoop.at,
        "invalid-options",
        `Option 'needsEventLoop' must be true or false, got ${
          JSON.stringify(needsEventLoop.value)
        }`,
        "write `needsEventLoop: false` for a processor with no timers or I/O of its own",
      );
    }
  }
  result.description = str(values.description, diagnostics);
  const tags = values.tags;
  if (tags) {
    if (Array.isArray(tags.value) && tags.value.every((t) => typeof t === "string")) {
      result.tags = tags.value as string[];
    } else {
      push(
        diagnostics,
        tags.at,
        "invalid-options",
        "Option 'tags' must be an array of strings",
        'write it as `tags: ["audio", "filter"]`',
      );
    }
  }
  const mode = values.mode;
  if (mode) {
    if ((SCHEDULING_MODES as readonly LiteralValue[]).includes(mode.value)) {
      result.mode = mode.value as SchedulingMode;
    } else {
      push(
        diagnostics,
        mode.at,
        "invalid-options",
        `Option 'mode' must be one of ${SCHEDULING_MODES.join(", ")}, got ${
          JSON.stringify(mode.value)
        }`,
        'use "push" (called when input arrives), "loop" (sources) or "pull"',
      );
    }
  }
  return result;
}

type OptionValue = { value: LiteralValue; at: Position } | undefined;

function checkOptions(
  options: ParsedOptions,
  decorator: string,
  allowed: readonly string[],
  diagnostics: Diagnostic[],
): Record<string, OptionValue> {
  const values: Record<string, OptionValue> = {};
  for (const [key, entry] of Object.entries(options.values)) {
    if (allowed.includes(key)) values[key] = entry;
    else {push(
        diagnostics,
        entry.at,
        "invalid-options",
        `Unknown option '${key}' of ${decorator}`,
        `the options are ${allowed.join(", ")}`,
      );}
  }
  return values;
}

function str(entry: OptionValue, diagnostics: Diagnostic[]): string | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === "string") return entry.value;
  push(
    diagnostics,
    entry.at,
    "invalid-options",
    `Option 'description' must be a string, got ${JSON.stringify(entry.value)}`,
    "write a string literal",
  );
  return undefined;
}

function bool(entry: OptionValue, diagnostics: Diagnostic[]): boolean | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === "boolean") return entry.value;
  push(
    diagnostics,
    entry.at,
    "invalid-options",
    `Option 'required' must be true or false, got ${JSON.stringify(entry.value)}`,
    "write `required: true`",
  );
  return undefined;
}

function push(
  diagnostics: Diagnostic[],
  at: Position,
  code: DiagnosticCode,
  message: string,
  hint: string,
): void {
  diagnostics.push({ code, message, hint, ...at });
}

function lowerFirst(name: string): string {
  const match = /^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]/.exec(name);
  return match ? match[0].toLowerCase() + name.slice(match[0].length) : name;
}
