/**
 * Processor packages as plugins: `Runtime.use()`, a manifest's `plugins` array and
 * `deno task validate`, with the fixture packages in `tests/fixtures/plugins/`.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadManifest, loadManifestPlugins, Runtime, validateManifest } from "../../mod.ts";
import { PluginLoadError } from "../../core/manifest/manifest.ts";
import { DuplicateProcessorError } from "../../core/registry/node_registry.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { main as validate } from "../../cli/validate.ts";
import { registry as polarityPackage } from "../fixtures/plugins/ts_package/registry.gen.ts";
import { registry as clashPackage } from "../fixtures/plugins/clash_package/registry.gen.ts";

const fixtures = new URL("../fixtures/plugins/", import.meta.url);
const fixture = (name: string) => new URL(name, fixtures);
const readJson = async (name: string) => JSON.parse(await Deno.readTextFile(fixture(name)));

async function capture(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await validate(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("Runtime.use() joins a package's processors for add(), connectByName() and describe()", async () => {
  const rt = new Runtime({ registry: builtinRegistry }).use(polarityPackage);
  assert.ok(rt.registry.has("Polarity") && rt.registry.has("Gain"));
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("Polarity", {}, { id: "flip" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "flip", "in");
  rt.connectByName("flip", "out", "sink", "in");
  const flip = rt.describe().nodes.find((n) => n.id === "flip")!;
  assert.equal(flip.type, "Polarity");
  assert.deepEqual(flip.config, { invert: true });
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, 40));
  await rt.stop();
  assert.ok(rt.stats().nodes.sink.framesIn > 0);
});

Deno.test("Runtime.use() accepts the same package twice", () => {
  const rt = new Runtime().use(polarityPackage).use(polarityPackage);
  assert.deepEqual(rt.registry.names, ["Polarity"]);
});

Deno.test("Runtime.use() throws DuplicateProcessorError naming both module URLs on a clash", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  let error: unknown;
  try {
    rt.use(clashPackage);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof DuplicateProcessorError);
  const { processor, sources } = error;
  assert.equal(processor, "Gain");
  assert.match(sources[0], /^file:.*\/processors\/transforms\/gain\.gen\.ts$/);
  assert.match(sources[1], /^file:.*\/clash_package\/gain\.gen\.ts$/);
  assert.equal(rt.registry.describe("Gain").source, "processors/transforms/gain.ts"); // unchanged
});

Deno.test("loadManifestPlugins() resolves plugins relative to the manifest, then loadManifest() adds the nodes", async () => {
  const manifest = await readJson("polarity_pipeline.json");
  const rt = new Runtime({ registry: builtinRegistry });
  assert.equal(validateManifest(manifest, rt.registry)[0].code, "processor_not_found");
  const urls = await loadManifestPlugins(rt, manifest, fixture("polarity_pipeline.json"));
  assert.deepEqual(urls, [fixture("ts_package/registry.gen.ts").href]);
  assert.deepEqual(validateManifest(manifest, rt.registry), []);
  const nodes = loadManifest(rt, manifest);
  assert.equal(nodes.flip.outputs.out.portType, "AudioFrame<2>");
  assert.deepEqual(rt.describe().connections.map((c) => c.to), ["flip.in", "sink.in"]);
});

Deno.test("loadManifestPlugins() accepts absolute paths and file: URLs", async () => {
  const url = fixture("ts_package/registry.gen.ts");
  for (const plugin of [fileURLToPath(url), url.href]) {
    const rt = new Runtime();
    await loadManifestPlugins(
      rt,
      { version: 1, plugins: [plugin], nodes: [] },
      "file:///elsewhere/",
    );
    assert.ok(rt.registry.has("Polarity"), plugin);
  }
});

Deno.test("loadManifestPlugins() throws PluginLoadError for a missing module or one without a registry", async () => {
  const rt = new Runtime();
  const missing = await readJson("missing_plugin_pipeline.json");
  await assert.rejects(
    () => loadManifestPlugins(rt, missing, fixture("missing_plugin_pipeline.json")),
    (error: unknown) =>
      error instanceof PluginLoadError && error.plugin === "./no_such_package/registry.gen.ts" &&
      /Cannot load plugin '.\/no_such_package\/registry.gen.ts' \(file:/.test(error.message),
  );
  const noRegistry = { version: 1, plugins: ["./ts_package/polarity.ts"], nodes: [] };
  await assert.rejects(
    () => loadManifestPlugins(rt, noRegistry, fixtures),
    /has no `registry` export/,
  );
});

Deno.test("validateManifest() reports plugins entries that are not module strings", () => {
  const issues = validateManifest(
    { version: 1, plugins: ["ok.ts", 3], nodes: [] },
    builtinRegistry,
  );
  assert.deepEqual(issues.map((i) => [i.path, i.code]), [["plugins[1]", "malformed"]]);
});

Deno.test("validate main() loads a manifest's plugins with --load-plugins and reports a clash naming both sources", async () => {
  const valid = await capture(fileURLToPath(fixture("polarity_pipeline.json")), "--load-plugins");
  assert.equal(valid.code, 0, valid.err);
  assert.doesNotMatch(valid.out, /not checked/);
  const clash = await capture(fileURLToPath(fixture("clash_pipeline.json")), "--load-plugins");
  assert.equal(clash.code, 1);
  assert.match(
    clash.err,
    /Cannot register processor 'Gain' twice: defined in file:.*processors\/transforms\/gain\.gen\.ts and file:.*clash_package\/gain\.gen\.ts/,
  );
  const missing = await capture(
    fileURLToPath(fixture("missing_plugin_pipeline.json")),
    "--load-plugins",
  );
  assert.equal(missing.code, 1);
  assert.match(missing.err, /Cannot load plugin/);
});

Deno.test("validate main() without --load-plugins imports no plugin and lists their nodes as not checked", async () => {
  const valid = await capture(fileURLToPath(fixture("polarity_pipeline.json")));
  assert.equal(valid.code, 0, valid.err);
  assert.match(valid.out, /valid, 1 not checked/);
  assert.match(valid.err, /not checked: 1 node .* pass --load-plugins to import them/);
  // The clashing package is never imported, so there is no clash to report.
  const clash = await capture(fileURLToPath(fixture("clash_pipeline.json")));
  assert.doesNotMatch(clash.err, /Cannot register/);
});
