import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  builtinsSpecifier,
  ImportSet,
  loadPackageExports,
  NO_PACKAGE,
  publicName,
  publicSpecifier,
} from "./example_imports.ts";

Deno.test("loadPackageExports() reads the generated names entry points re-export", () => {
  const root = Deno.makeTempDirSync();
  try {
    mkdirSync(join(root, "nodes"));
    writeFileSync(
      join(root, "nodes/mod.ts"),
      `export { type EchoHandle, echoNode } from "./echo.gen.ts";
export { registry as myRegistry } from "./registry.gen.ts";
export * from "./other.gen.ts";
export { helper } from "./helper.ts";
`,
    );
    const pkg = loadPackageExports(root, "@me/nodes", {
      ".": "./mod.ts",
      "./nodes": "./nodes/mod.ts",
    });
    assert.deepEqual(pkg.entries, { "mod.ts": "@me/nodes", "nodes/mod.ts": "@me/nodes/nodes" });
    assert.deepEqual(publicName(pkg, "nodes/echo.gen.ts", "EchoHandle"), {
      from: "@me/nodes/nodes",
      name: "EchoHandle",
    });
    assert.deepEqual(publicName(pkg, "nodes/registry.gen.ts", "registry"), {
      from: "@me/nodes/nodes",
      name: "myRegistry",
    });
    assert.deepEqual(publicName(pkg, "nodes/other.gen.ts", "otherNode"), {
      from: "@me/nodes/nodes",
      name: "otherNode",
    });
    // Not re-exported: the example imports the generated module beside it.
    assert.deepEqual(publicName(pkg, "nodes/echo.gen.ts", "EchoTypes"), {
      from: "./echo.gen.ts",
      name: "EchoTypes",
    });
    assert.equal(publicSpecifier(pkg, "nodes/echo.gen.ts", "../mod.ts"), "@me/nodes");
    assert.equal(publicSpecifier(pkg, "nodes/echo.gen.ts", "../lib/core.ts"), "../lib/core.ts");
    assert.equal(loadPackageExports(root, undefined, { ".": "./mod.ts" }), NO_PACKAGE);
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("builtinsSpecifier() finds the built-in processors beside the runtime API", () => {
  assert.equal(builtinsSpecifier("@streamlib/streamlib"), "@streamlib/streamlib/processors");
  assert.equal(
    builtinsSpecifier("jsr:@streamlib/streamlib@^0.1.0"),
    "jsr:@streamlib/streamlib@^0.1.0/processors",
  );
  assert.equal(builtinsSpecifier("../../mod.ts"), "../../processors/mod.ts");
});

Deno.test("ImportSet aliases a taken name, merges type imports and wraps long lines", () => {
  const imports = new ImportSet();
  assert.equal(imports.add("./sink.gen.ts", "nullSinkNode"), "nullSinkNode");
  assert.equal(imports.add("./sink.gen.ts", "NullSinkHandle", { type: true }), "NullSinkHandle");
  assert.equal(
    imports.add("@streamlib/streamlib/processors", "nullSinkNode", {
      alias: "builtinNullSinkNode",
    }),
    "builtinNullSinkNode",
  );
  assert.equal(imports.add("@streamlib/streamlib", "Runtime", { type: true }), "Runtime");
  assert.equal(imports.add("@streamlib/streamlib", "Runtime"), "Runtime");
  assert.deepEqual(imports.lines(), [
    'import { Runtime } from "@streamlib/streamlib";',
    'import { nullSinkNode as builtinNullSinkNode } from "@streamlib/streamlib/processors";',
    'import { type NullSinkHandle, nullSinkNode } from "./sink.gen.ts";',
  ]);
  assert.deepEqual(imports.lines(60).slice(1, 4), [
    "import {",
    "  nullSinkNode as builtinNullSinkNode,",
    '} from "@streamlib/streamlib/processors";',
  ]);
});
