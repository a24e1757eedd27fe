import assert from "node:assert/strict";
import schema from "../streamlib.plugin.schema.json" with { type: "json" };
import { parsePluginMetadata, PluginMetadataError, readPluginMetadata } from "./metadata.ts";

const GOOD = {
  name: "spectrum",
  version: "1.0.0",
  license: "MIT OR Apache-2.0",
  author: "Ada Lovelace <ada@example.org>",
  kind: "typescript",
  entry: "registry.gen.ts",
  processors: ["Spectrum", "Peak"],
  minRuntime: "0.1.0",
  ui: { module: "ui/panel.js", processors: ["Spectrum"] },
};

const NATIVE = {
  ...GOOD,
  kind: "native",
  entry: { "linux-x86_64": "lib/libspectrum.so", darwin: "lib/libspectrum.dylib" },
  abi: 1,
  ui: undefined,
};

function refused(json: unknown, field: string, expected: RegExp) {
  assert.throws(
    () => parsePluginMetadata(json, "p/streamlib.plugin.json"),
    (error) => {
      assert.ok(error instanceof PluginMetadataError, String(error));
      assert.equal(error.code, "plugin_metadata_invalid");
      assert.equal(error.field, field, error.message);
      assert.equal(error.file, "p/streamlib.plugin.json");
      assert.match(error.expected, expected);
      assert.match(error.message, new RegExp(`^Invalid plugin metadata p/streamlib.plugin.json`));
      assert.deepEqual(JSON.parse(JSON.stringify(error.details)), {
        file: error.file,
        field,
        expected: error.expected,
      });
      return true;
    },
  );
}

Deno.test("parsePluginMetadata() accepts a TypeScript plugin with a UI and a native one with a map", () => {
  const ts = parsePluginMetadata(GOOD, "p/streamlib.plugin.json");
  assert.deepEqual(ts, GOOD);
  const native = parsePluginMetadata(JSON.parse(JSON.stringify(NATIVE)), "p/x.json");
  assert.equal(native.abi, 1);
  assert.deepEqual(native.entry, NATIVE.entry);
  assert.equal(native.ui, undefined);
});

Deno.test("parsePluginMetadata() names each missing required field", () => {
  for (const field of schema.required) {
    const json: Record<string, unknown> = { ...GOOD };
    delete json[field];
    refused(json, field, /./);
  }
});

Deno.test("parsePluginMetadata() names each bad field and says what is valid", () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ name: "Spectrum" }, "name", /lowercase id/],
    [{ name: "1x" }, "name", /lowercase id/],
    [{ version: "1.0" }, "version", /semver/],
    [{ version: 1 }, "version", /semver/],
    [{ license: "MIT license!" }, "license", /SPDX/],
    [{ author: "  " }, "author", /name/],
    [{ kind: "lua" }, "kind", /typescript, native, python/],
    [{ entry: "/abs/registry.ts" }, "entry", /relative to the plugin folder/],
    [{ entry: "../outside.ts" }, "entry", /no \.\./],
    [{ entry: "a/../../b.ts" }, "entry", /no \.\./],
    [{ entry: "C:/x.ts" }, "entry", /relative/],
    [{ entry: { linux: "x.so" } }, "entry", /native plugins only/],
    [{ processors: [] }, "processors", /non-empty array/],
    [{ processors: "Spectrum" }, "processors", /non-empty array/],
    [{ processors: ["Spectrum", "not a name"] }, "processors[1]", /processor name/],
    [{ processors: ["Peak", "Peak"] }, "processors[1]", /distinct/],
    [{ minRuntime: "latest" }, "minRuntime", /version/],
    [{ abi: 1 }, "abi", /native plugins only/],
    [{ ui: "ui/panel.js" }, "ui", /module/],
    [{ ui: { module: "../panel.js", processors: ["Spectrum"] } }, "ui.module", /relative/],
    [
      { ui: { module: "ui/panel.js", processors: ["Other"] } },
      "ui.processors[0]",
      /Spectrum, Peak/,
    ],
    [{ ui: { module: "ui/panel.js", processors: ["Spectrum"], css: "x" } }, "ui.css", /module/],
    [{ homepage: "https://example.org" }, "homepage", /one of \$schema, name, version/],
  ];
  for (const [change, field, expected] of cases) refused({ ...GOOD, ...change }, field, expected);
  refused({ ...NATIVE, abi: undefined }, "abi", /plugin ABI version/);
  refused({ ...NATIVE, abi: 0 }, "abi", /integer/);
  refused({ ...NATIVE, entry: { beos: "x.so" } }, "entry.beos", /linux, darwin or windows/);
  refused({ ...NATIVE, entry: {} }, "entry", /at least one platform/);
  refused([GOOD], "", /JSON object/);
});

Deno.test("the published schema lists the fields the validator knows, and the same required ones", () => {
  assert.deepEqual(
    Object.keys(schema.properties).sort(),
    [
      "$schema",
      "abi",
      "author",
      "entry",
      "kind",
      "license",
      "minRuntime",
      "name",
      "processors",
      "ui",
      "version",
    ],
  );
  assert.deepEqual(
    [...schema.required].sort(),
    ["author", "entry", "kind", "license", "minRuntime", "name", "processors", "version"],
  );
  // The schema's own example-worthy patterns accept what the validator accepts.
  assert.ok(new RegExp(schema.$defs.relativePath.pattern).test("lib/libfoo.so"));
  assert.ok(!new RegExp(schema.$defs.relativePath.pattern).test("lib\\libfoo.so"));
});

Deno.test("readPluginMetadata() refuses a file that is not JSON, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/streamlib.plugin.json`, "{ name: spectrum }");
    await assert.rejects(
      readPluginMetadata(dir),
      (error) =>
        error instanceof PluginMetadataError && error.field === "" &&
        error.file === `${dir}/streamlib.plugin.json` && /is not JSON/.test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
