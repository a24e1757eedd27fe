import assert from "node:assert/strict";
import { NO_PACKAGE } from "./example_imports.ts";
import { processorExamples, registryExample } from "./emit_examples.ts";
import { emitProcessorFile } from "./emit_processor.ts";
import type { PortModel, ProcessorModel } from "./model.ts";

function port(name: string, direction: "input" | "output", portType: string): PortModel {
  return {
    name,
    field: name,
    index: undefined,
    direction,
    portType,
    required: false,
    description: "",
  };
}

function model(name: string, ports: PortModel[], required: string[] = []): ProcessorModel {
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  return {
    name,
    nodeConst: `${lower}Node`,
    typesName: `${name}Types`,
    inputsClass: `${name}Inputs`,
    outputsClass: `${name}Outputs`,
    handleName: `${name}Handle`,
    description: "",
    tags: [],
    mode: "push",
    inputs: ports.filter((p) => p.direction === "input"),
    outputs: ports.filter((p) => p.direction === "output"),
    configField: required.length > 0 ? "config" : undefined,
    configSchema: {
      type: "object",
      properties: Object.fromEntries(required.map((r) => [r, { type: "string" as const }])),
      required,
    },
    source: `nodes/${lower}.ts`,
    at: { file: `nodes/${lower}.ts`, line: 1, column: 1 },
  };
}

const site = { pkg: NO_PACKAGE, file: "nodes/x.gen.ts", coreSpecifier: "@streamlib/streamlib" };

Deno.test("the handle example connects outputs to a null sink, inputs from a built-in source", () => {
  const filter = processorExamples(model("Filter", [port("out", "output", "VideoFrame")]), site);
  assert.match(
    filter.handle,
    /import \{ nullSinkNode \} from "@streamlib\/streamlib\/processors";/,
  );
  assert.match(filter.handle, /rt\.connect\(filter\.outputs\.out, sink\.inputs\.in\)/);
  assert.match(filter.handle, /\/\/ filter\.out -> sink\.in/);

  const writer = processorExamples(
    model("Writer", [port("audio", "input", "AudioFrame")], ["path"]),
    site,
  );
  assert.match(writer.handle, /rt\.add\(writerNode, \{ path: "path" \}, \{ id: "writer" \}\)/);
  assert.match(writer.handle, /rt\.connect\(source\.outputs\.audio, writer\.inputs\.audio\)/);
});

Deno.test("an input no built-in source writes is referenced, not connected", () => {
  const mono = processorExamples(model("Mono", [port("in", "input", "AudioFrame<1>")]), site);
  assert.match(mono.handle, /^@example Reference the ports of Mono/);
  assert.match(mono.handle, /console\.log\(mono\.inputs\.in\.node.*\/\/ mono in AudioFrame<1>/);
  assert.doesNotMatch(mono.handle, /processors/);
});

Deno.test("a config no simple value passes leaves the node out of the runtime", () => {
  const p = model("Strict", [port("out", "output", "Frame")], ["id"]);
  const strict = {
    ...p,
    configSchema: {
      ...p.configSchema,
      properties: { id: { type: "string" as const, pattern: "^[0-9]+$" } },
    },
  };
  const examples = processorExamples(strict, site);
  assert.match(examples.node, /^@example List the ports of Strict/);
  assert.match(examples.node, /const strict = strictNode\.handle\("strict"\);/);
  assert.doesNotMatch(examples.types, /create\(/);
});

Deno.test("a reserved word is not a variable name", () => {
  const examples = processorExamples(model("Delete", [port("in", "input", "Frame")]), site);
  assert.match(examples.node, /const delete2 = rt\.add\(deleteNode, \{\}, \{ id: "delete2" \}\);/);
});

Deno.test("every export of a generated file has a titled example", () => {
  const text = emitProcessorFile({
    source: "nodes/gain.ts",
    path: "nodes/gain.gen.ts",
    sourceImport: "./gain.ts",
    coreSpecifier: "@streamlib/streamlib",
    processors: [model("Gain", [port("in", "input", "Frame"), port("out", "output", "Frame")])],
  });
  assert.equal(text.match(/^export /gm)?.length, 5);
  assert.equal(text.match(/^ \* @example \S/gm)?.length, 5);
  assert.match(text, /import \{ GainInputs, gainNode \} from "\.\/gain\.gen\.ts";/);
  const registry = registryExample({
    folder: "nodes",
    path: "nodes/registry.gen.ts",
    coreSpecifier: "@streamlib/streamlib",
    entries: [{ name: "Gain", nodeConst: "gainNode", module: "./gain.gen.ts" }],
  }, NO_PACKAGE);
  assert.match(
    registry,
    /console\.log\(registry\.size, rt\.registry\.has\("Gain"\)\); \/\/ 1 true/,
  );
});
