/**
 * The `@example` blocks of generated files: short programs that type-check and run under
 * `deno test --doc` in this package and in a user's, with no hardware, files or started graph,
 * so each runs in milliseconds and leaves nothing behind.
 *
 * @module
 */

import { NODE_ID_PATTERN } from "../core/node_id.ts";
import {
  builtinsSpecifier,
  ImportSet,
  type PackageExports,
  publicName,
  publicSpecifier,
} from "./example_imports.ts";
import { literal, propertyKey } from "./emit_support.ts";
import type { JsonValue } from "../core/json_schema.ts";
import type { PortModel, ProcessorModel, RegistryModel } from "./model.ts";
import { type SampleConfig, sampleConfig } from "./sample_config.ts";

/** The examples of one processor's five generated exports. */
export interface ProcessorExamples {
  /** Of the inputs accessor class. */
  readonly inputs: string;
  /** Of the outputs accessor class. */
  readonly outputs: string;
  /** Of the node handle interface. */
  readonly handle: string;
  /** Of the types interface. */
  readonly types: string;
  /** Of the node definition. */
  readonly node: string;
}

/** Where a generated file is and how it imports streamlib. */
export interface ExampleSite {
  /** The package's entry points. */
  readonly pkg: PackageExports;
  /** The generated file, relative to the root. */
  readonly file: string;
  /** How the file imports streamlib (`../mod.ts`, `@streamlib/streamlib`). */
  readonly coreSpecifier: string;
}

/**
 * Built-in nodes the handle examples connect to: a sink that takes every frame, and a source
 * for each input port type one of them writes.
 */
const SINK = { node: "nullSinkNode", input: "in" };
const SOURCES: Readonly<Record<string, { node: string; output: string }>> = {
  "Frame": { node: "testToneGeneratorNode", output: "audio" },
  "AudioFrame": { node: "testToneGeneratorNode", output: "audio" },
  "AudioFrame<2>": { node: "testToneGeneratorNode", output: "audio" },
  "VideoFrame": { node: "testPatternNode", output: "video" },
};

/**
 * Writes the examples of one processor.
 *
 * @param p The processor.
 * @param site Where its generated file is.
 * @returns One `@example` block per generated export.
 */
export function processorExamples(p: ProcessorModel, site: ExampleSite): ProcessorExamples {
  const sample = sampleConfig(p.configSchema, p.name);
  return {
    inputs: accessorExample(p, site, "input"),
    outputs: accessorExample(p, site, "output"),
    handle: handleExample(p, site, sample),
    types: typesExample(p, site, sample),
    node: nodeExample(p, site, sample),
  };
}

/**
 * Writes the example of a registry.
 *
 * @param registry The registry.
 * @param pkg The package's entry points.
 * @returns The `@example` block.
 */
export function registryExample(registry: RegistryModel, pkg: PackageExports): string {
  const imports = new ImportSet();
  imports.add(publicSpecifier(pkg, registry.path, registry.coreSpecifier), "Runtime");
  const { from, name } = publicName(pkg, registry.path, "registry");
  const local = imports.add(from, name);
  const first = registry.entries[0].name;
  return example(`Add these processors to a runtime`, imports, [
    `const rt = new Runtime().use(${local});`,
    `console.log(${local}.size, rt.registry.has(${
      JSON.stringify(first)
    })); // ${registry.entries.length} true`,
  ]);
}

function accessorExample(p: ProcessorModel, site: ExampleSite, direction: "input" | "output") {
  const imports = new ImportSet();
  const ports = direction === "input" ? p.inputs : p.outputs;
  const cls = importGenerated(
    imports,
    site,
    direction === "input" ? p.inputsClass : p.outputsClass,
  );
  const v = freeName(`${direction}s`, imports);
  if (ports.length === 0) {
    return example(`${p.name} has no ${direction}s`, imports, [
      `const ${v} = new ${cls}();`,
      `console.log(Object.keys(${v}).length); // 0`,
    ]);
  }
  const node = importGenerated(imports, site, p.nodeConst);
  const body = [`const ${v} = new ${cls}(${node}.ports());`];
  for (const port of ports.slice(0, 3)) {
    const ref = member(v, port.name);
    body.push(`console.log(${ref}.name, ${ref}.portType); // ${port.name} ${port.portType}`);
  }
  if (ports.length > 3) body.push(`console.log(Object.keys(${v}).length); // ${ports.length}`);
  return example(`Look up the typed ${direction}s of ${p.name}`, imports, body);
}

function handleExample(p: ProcessorModel, site: ExampleSite, sample: SampleConfig | undefined) {
  const imports = new ImportSet();
  const core = publicSpecifier(site.pkg, site.file, site.coreSpecifier);
  const builtins = builtinsSpecifier(core);
  const handleType = importGenerated(imports, site, p.handleName, true);
  const node = importGenerated(imports, site, p.nodeConst);
  const output = p.outputs[0];
  const input = p.inputs.find((i) => SOURCES[i.portType] && i.required) ??
    p.inputs.find((i) => SOURCES[i.portType]);
  if (sample && (output || input)) {
    const runtime = imports.add(core, "Runtime");
    const partner = output ? SINK.node : SOURCES[input!.portType].node;
    const other = imports.add(builtins, partner, { alias: `builtin${upperFirst(partner)}` });
    const rt = freeName("rt", imports);
    const otherVar = freeName(output ? "sink" : "source", imports, [rt]);
    const v = freeName(varName(p), imports, [rt, otherVar]);
    const connection = freeName("connection", imports, [rt, otherVar, v]);
    const from = output
      ? member(`${v}.outputs`, output.name)
      : `${otherVar}.outputs.${SOURCES[input!.portType].output}`;
    const to = output ? `${otherVar}.inputs.${SINK.input}` : member(`${v}.inputs`, input!.name);
    const fromText = output
      ? `${nodeId(v)}.${output.name}`
      : `${otherVar}.${SOURCES[input!.portType].output}`;
    const toText = output ? `${otherVar}.${SINK.input}` : `${nodeId(v)}.${input!.name}`;
    const addSelf = add(`const ${v}: ${handleType} = `, rt, node, sample, v);
    const addOther = call(`const ${otherVar} = `, `${rt}.add`, [
      other,
      "{}",
      `{ id: "${otherVar}" }`,
    ]);
    return example(
      output
        ? `Connect ${p.name} to a sink through its typed handle`
        : `Connect a source to ${p.name} through its typed handle`,
      imports,
      [
        `await using ${rt} = new ${runtime}();`,
        ...(output ? [addSelf, addOther] : [addOther, addSelf]),
        `const ${connection} = ${rt}.connect(${from}, ${to});`,
        `console.log(${connection}.from, "->", ${connection}.to); // ${fromText} -> ${toText}`,
      ],
    );
  }
  // No node to connect to, or no config to add one with: read a reference off the handle.
  const port = p.outputs[0] ?? p.inputs[0];
  const body: string[] = [];
  let v: string;
  if (sample) {
    const runtime = imports.add(core, "Runtime");
    const rt = freeName("rt", imports);
    v = freeName(varName(p), imports, [rt]);
    body.push(`await using ${rt} = new ${runtime}();`);
    body.push(add(`const ${v}: ${handleType} = `, rt, node, sample, v));
  } else {
    v = freeName(varName(p), imports);
    body.push(`const ${v}: ${handleType} = ${node}.handle("${nodeId(v)}");`);
  }
  if (port) {
    const ref = member(`${v}.${port.direction}s`, port.name);
    body.push(
      `console.log(${ref}.node, ${ref}.port, ${ref}.portType); // ${
        nodeId(v)
      } ${port.name} ${port.portType}`,
    );
  } else {
    body.push(`console.log(${v}.name, ${v}.processor); // ${nodeId(v)} ${p.name}`);
  }
  return example(`Reference the ports of ${p.name} through its typed handle`, imports, body);
}

function typesExample(p: ProcessorModel, site: ExampleSite, sample: SampleConfig | undefined) {
  const imports = new ImportSet();
  const types = importGenerated(imports, site, p.typesName, true);
  const node = importGenerated(imports, site, p.nodeConst);
  const handle = freeName("handle", imports);
  const body = [
    call(`const ${handle}: ${types}["handle"] = `, `${node}.handle`, [`"${nodeId(varName(p))}"`]),
  ];
  const withConfig = p.configField !== undefined && sample !== undefined;
  if (withConfig) {
    const processor = freeName("processor", imports, [handle]);
    const config = freeName("config", imports, [handle, processor]);
    body.push(call(`const ${processor} = `, `${node}.create`, [configText(sample)]));
    body.push(`const ${config}: ${types}["config"] = ${processor}.config;`);
    body.push(`console.log(${handle}.processor); // ${p.name}`);
    const json = JSON.stringify(sample.filled);
    body.push(
      json.length <= 60
        ? `console.log(JSON.stringify(${config})); // ${json}`
        : `console.log(Object.keys(${config}).join(", ")); // ${
          Object.keys(sample.filled as object).join(", ")
        }`,
    );
  } else {
    body.push(`console.log(${handle}.processor); // ${p.name}`);
  }
  const title = withConfig
    ? `Name the handle and config types of ${p.name}`
    : `Name the handle type of ${p.name}`;
  return example(title, imports, body);
}

function nodeExample(p: ProcessorModel, site: ExampleSite, sample: SampleConfig | undefined) {
  const imports = new ImportSet();
  const node = importGenerated(imports, site, p.nodeConst);
  const body: string[] = [];
  let v: string;
  let title: string;
  if (sample) {
    const runtime = imports.add(
      publicSpecifier(site.pkg, site.file, site.coreSpecifier),
      "Runtime",
    );
    const rt = freeName("rt", imports);
    v = freeName(varName(p), imports, [rt]);
    body.push(`await using ${rt} = new ${runtime}();`, add(`const ${v} = `, rt, node, sample, v));
    title = `Add ${p.name} to a runtime and list its ports`;
  } else {
    v = freeName(varName(p), imports);
    body.push(`const ${v} = ${node}.handle("${nodeId(v)}");`);
    title = `List the ports of ${p.name}`;
  }
  if (p.inputs.length + p.outputs.length === 0) {
    body.push(`console.log(${v}.name, ${v}.processor); // ${nodeId(v)} ${p.name}`);
  }
  const list = (group: string, ports: readonly PortModel[]) =>
    `console.log(Object.keys(${v}.${group}).join(", ")); // ${ports.map((x) => x.name).join(", ")}`;
  if (p.inputs.length > 0) body.push(list("inputs", p.inputs));
  if (p.outputs.length > 0) body.push(list("outputs", p.outputs));
  return example(title, imports, body);
}

function example(title: string, imports: ImportSet, body: readonly string[]): string {
  return `@example ${title}\n\`\`\`ts\n${imports.lines().join("\n")}\n\n${body.join("\n")}\n\`\`\``;
}

function importGenerated(imports: ImportSet, site: ExampleSite, name: string, type = false) {
  const target = publicName(site.pkg, site.file, name);
  return imports.add(target.from, target.name, { type });
}

/** `<prefix>rt.add(node, config, { id });`, its arguments one per line when it is long. */
function add(prefix: string, rt: string, node: string, sample: SampleConfig, v: string): string {
  return call(prefix, `${rt}.add`, [node, configText(sample), `{ id: "${nodeId(v)}" }`]);
}

/** A call statement as `deno fmt` would write it: on one line when it fits. */
function call(prefix: string, callee: string, args: readonly string[]): string {
  const line = `${prefix}${callee}(${args.join(", ")});`;
  if (line.length <= 96 && !line.includes("\n")) return line;
  return `${prefix}${callee}(\n${args.map((a) => `  ${a.replaceAll("\n", "\n  ")},\n`).join("")});`;
}

/** The config an example passes: on one line when it is short, else one field per line. */
function configText(sample: SampleConfig): string {
  const line = inline(sample.given);
  return line.length <= 72 ? line : literal(sample.given);
}

function inline(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${inline(v)}`).join(", ")} }`;
}

/** The variable of the processor's node: `gain` for `Gain`. */
function varName(p: ProcessorModel): string {
  return p.nodeConst.replace(/Node$/, "") || "node";
}

function nodeId(v: string): string {
  const id = v.replaceAll("$", "_");
  return NODE_ID_PATTERN.test(id) ? id : "node";
}

function freeName(base: string, imports: ImportSet, taken: readonly string[] = []): string {
  const ok = (n: string) => !imports.has(n) && !taken.includes(n) && !RESERVED.has(n);
  if (ok(base)) return base;
  for (let i = 2;; i++) if (ok(`${base}${i}`)) return `${base}${i}`;
}

function member(object: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name)
    ? `${object}.${name}`
    : `${object}[${JSON.stringify(name)}]`;
}

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const RESERVED = new Set(
  ("arguments await break case catch class console const continue debugger default delete do " +
    "else enum eval export extends false finally for function globalThis if implements import " +
    "in instanceof interface let new null package private protected public return static super " +
    "switch this throw true try typeof undefined var void while with yield").split(" "),
);
