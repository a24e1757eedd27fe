import assert from "node:assert/strict";
import { buildFileModel, buildRegistryModel, descriptorOf, registryEntries } from "./model.ts";
import type { ParsedClass, ParsedFile } from "./parsed.ts";

const at = { file: "src/a/b.ts", line: 1, column: 1 };

function parsedClass(name: string, extra: Partial<ParsedClass> = {}): ParsedClass {
  return {
    name,
    at,
    exported: true,
    defaultExport: false,
    abstract: false,
    description: "Does things.",
    options: { at, values: {} },
    base: { kind: "processor", typeArguments: [`${name}Types`] },
    hasProcess: true,
    ports: [],
    configs: [],
    footprint: { kind: "none" },
    ...extra,
  };
}

function file(classes: ParsedClass[], coreSpecifier = "../../mod.ts"): ParsedFile {
  return { source: "src/a/b.ts", coreSpecifier, classes, diagnostics: [] };
}

Deno.test("buildFileModel() names the generated symbols after the class", () => {
  const { model } = buildFileModel(file([parsedClass("HTTPSource"), parsedClass("Gain")]));
  assert.deepEqual(model?.processors.map((p) => [p.nodeConst, p.typesName, p.handleName]), [
    ["httpSourceNode", "HTTPSourceTypes", "HTTPSourceHandle"],
    ["gainNode", "GainTypes", "GainHandle"],
  ]);
  assert.equal(model?.path, "src/a/b.gen.ts");
  assert.equal(model?.sourceImport, "./b.ts");
  assert.deepEqual(model?.processors[0].configSchema, {
    type: "object",
    properties: {},
    additionalProperties: false,
  });
});

Deno.test("buildFileModel() defaults descriptions to JSDoc and mode to push", () => {
  const port = {
    field: "in",
    direction: "input" as const,
    at,
    options: { at, values: { required: { value: true, at } } },
    description: "From JSDoc.",
    type: { ok: true as const, array: false, portType: "Frame" },
  };
  const { model } = buildFileModel(file([parsedClass("Sink", { ports: [port] })]));
  const processor = model!.processors[0];
  assert.equal(processor.mode, "push");
  assert.equal(processor.description, "Does things.");
  assert.deepEqual(processor.inputs, [{
    name: "in",
    field: "in",
    index: undefined,
    direction: "input",
    portType: "Frame",
    required: true,
    description: "From JSDoc.",
  }]);
});

Deno.test("buildRegistryModel() rebases a relative streamlib import to the registry's folder", () => {
  const { model } = buildFileModel(file([parsedClass("Gain")]));
  const registry = buildRegistryModel("src", registryEntries(model!)).model!;
  assert.equal(registry.path, "src/registry.gen.ts");
  assert.equal(registry.coreSpecifier, "../mod.ts");
  assert.deepEqual(
    registry.entries.map(({ name, nodeConst, module, footprint, eager }) => ({
      name,
      nodeConst,
      module,
      footprint,
      eager,
    })),
    [{
      name: "Gain",
      nodeConst: "gainNode",
      module: "./a/b.gen.ts",
      footprint: undefined,
      eager: false,
    }],
  );
  assert.equal(registry.entries[0].descriptor.source, "src/a/b.ts");
  const bare = buildFileModel(file([parsedClass("Gain")], "@streamlib/streamlib")).model!;
  assert.equal(
    buildRegistryModel(".", registryEntries(bare)).model!.coreSpecifier,
    "@streamlib/streamlib",
  );
  assert.equal(buildRegistryModel("src", []).model, undefined);
});

Deno.test("buildRegistryModel() imports an imported footprint hook and loads a class with its own eagerly", () => {
  const { model } = buildFileModel(file([
    parsedClass("Pattern", {
      footprint: { kind: "imported", name: "patternFootprint", specifier: "../hooks.ts" },
    }),
    parsedClass("Scale", { footprint: { kind: "class" } }),
    parsedClass("Pkg", {
      footprint: { kind: "imported", name: "pkgFootprint", specifier: "@my/hooks" },
    }),
  ]));
  const registry = buildRegistryModel("src", registryEntries(model!)).model!;
  const byName = Object.fromEntries(registry.entries.map((e) => [e.name, e]));
  assert.deepEqual(byName.Pattern.footprint, { name: "patternFootprint", module: "./hooks.ts" });
  assert.equal(byName.Pattern.eager, false);
  assert.deepEqual(byName.Pkg.footprint, { name: "pkgFootprint", module: "@my/hooks" });
  assert.equal(byName.Scale.footprint, undefined);
  assert.equal(byName.Scale.eager, true);
});

Deno.test("buildFileModel() puts needsEventLoop: false into the descriptor, only when declared", () => {
  const values = { needsEventLoop: { value: false, at } };
  const { model } = buildFileModel(file([
    parsedClass("Relay", { options: { at, values } }),
    parsedClass("Gain"),
  ]));
  const [relay, gain] = model!.processors.map(descriptorOf);
  assert.equal(relay.needsEventLoop, false);
  assert.equal("needsEventLoop" in gain, false);
  const bad = buildFileModel(file([
    parsedClass("Relay", { options: { at, values: { needsEventLoop: { value: "no", at } } } }),
  ]));
  assert.match(bad.diagnostics[0].message, /needsEventLoop' must be true or false/);
});

Deno.test("buildFileModel() names a <Name>Types imported from another file's .gen.ts", () => {
  const wrong = buildFileModel(file([parsedClass("Gain", { typesSpecifier: "./c.gen.ts" })]));
  assert.equal(wrong.model, undefined);
  assert.deepEqual(wrong.diagnostics.map((d) => [d.code, d.message, d.hint]), [[
    "not-a-processor",
    "Processor class 'Gain' imports GainTypes from './c.gen.ts', but codegen writes it to './b.gen.ts'",
    'write `import type { GainTypes } from "./b.gen.ts";`',
  ]]);
  for (const typesSpecifier of ["./b.gen.ts", "../a/b.gen.ts", undefined]) {
    const right = buildFileModel(file([parsedClass("Gain", { typesSpecifier })]));
    assert.deepEqual(right.diagnostics, [], String(typesSpecifier));
  }
});
