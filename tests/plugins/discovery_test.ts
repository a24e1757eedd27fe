/**
 * Plugin discovery end to end: plugin folders on disk (fixtures and temp folders), the real
 * loaders (a TypeScript registry module, the example native plugin built in `crates/`), and
 * manifests naming native libraries and plugin folders.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Runtime, validateManifest } from "../../mod.ts";
import { DuplicateProcessorError } from "../../core/registry/node_registry.ts";
import { PluginLoadError } from "../../core/manifest/manifest.ts";
import {
  discoverPlugins,
  loadPlugin,
  loadPlugins,
  PLUGIN_LOADERS,
  PluginDiscoveryError,
  pluginInfo,
  PluginLoaderError,
  PluginMetadataError,
  projectPluginFolders,
} from "../../plugins/mod.ts";
import { loadPluginsOf } from "../../cli/manifest_plugins.ts";
import { createRuntime } from "../../processors/mod.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const FOLDERS = here("../fixtures/plugin_folders/");
const GOOD = join(FOLDERS, "good");
const EXT = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
const PREFIX = Deno.build.os === "windows" ? "" : "lib";
const built = (crate: string) => here(`../../crates/target/release/${PREFIX}${crate}.${EXT}`);
const EXAMPLE = built("streamlib_example_plugin");
const ABI_MISMATCH = built("streamlib_plugin_abi_mismatch_fixture");

/** Writes plugin folders into a temp root: `{ folder: { file: text } }`. */
async function tempRoot(folders: Record<string, Record<string, string>>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "streamlib_plugins_" });
  for (const [folder, files] of Object.entries(folders)) {
    for (const [file, text] of Object.entries(files)) {
      await Deno.mkdir(dirname(join(root, folder, file)), { recursive: true });
      await Deno.writeTextFile(join(root, folder, file), text);
    }
  }
  return root;
}

function metadata(fields: Record<string, unknown>): string {
  return JSON.stringify({
    name: "x",
    version: "1.0.0",
    license: "MIT",
    author: "tests",
    kind: "typescript",
    entry: "registry.ts",
    processors: ["X"],
    minRuntime: "0.1.0",
    ...fields,
  });
}

/** A native plugin folder holding a copy of the example plugin. */
async function nativeRoot(library = EXAMPLE, fields: Record<string, unknown> = {}) {
  const root = await tempRoot({
    "example": {
      "streamlib.plugin.json": metadata({
        name: "example",
        kind: "native",
        entry: { [`${Deno.build.os}-${Deno.build.arch}`]: `lib/libexample.${EXT}` },
        processors: ["NativeGain", "NativeInvert", "NativeTone"],
        abi: 1,
        ...fields,
      }),
    },
  });
  await Deno.mkdir(join(root, "example", "lib"));
  await Deno.copyFile(library, join(root, "example", "lib", `libexample.${EXT}`));
  return root;
}

Deno.test("discoverPlugins() finds the plugin folders of a root, reads their metadata and runs nothing", async () => {
  const found = await discoverPlugins([GOOD]);
  assert.deepEqual(found.map((p) => p.metadata.name), ["flip"]); // notes/ has no metadata
  const [flip] = found;
  assert.equal(flip.folder, await Deno.realPath(join(GOOD, "flip")));
  assert.equal(flip.root, await Deno.realPath(GOOD));
  assert.equal(flip.entryPath, join(flip.folder, "registry.ts"));
  assert.deepEqual(flip.metadata.ui, { module: "ui/panel.js", processors: ["Polarity"] });
  // Discovery imported nothing: the registry module is not loaded until loadPlugin().
  assert.equal((globalThis as { sneakyPluginRan?: boolean }).sneakyPluginRan, undefined);
});

Deno.test("loadPlugins() loads a TypeScript plugin into a runtime, with its origin", async () => {
  const { registry, origins, plugins } = await loadPlugins(await discoverPlugins([GOOD]));
  assert.deepEqual(registry.names, ["Polarity"]);
  assert.deepEqual(origins.get("Polarity"), {
    kind: "plugin",
    plugin: "flip",
    version: "1.2.0",
    pluginKind: "typescript",
    folder: plugins[0].folder,
  });
  const rt = new Runtime().use(registry);
  rt.add("Polarity", { invert: false }, { id: "flip" });
  assert.equal(rt.describe().nodes[0].type, "Polarity");
});

Deno.test("a plugin folder outside the listed roots is neither found nor run", async () => {
  const found = await discoverPlugins([GOOD]);
  await loadPlugins(found);
  assert.ok(!found.some((p) => p.metadata.name === "sneaky"));
  assert.equal((globalThis as { sneakyPluginRan?: boolean }).sneakyPluginRan, undefined);
  // Listed, it is found (and would run): the roots are the allow-list.
  const listed = await discoverPlugins([join(FOLDERS, "outside")]);
  assert.deepEqual(listed.map((p) => p.metadata.name), ["sneaky"]);
});

Deno.test("discoverPlugins() refuses two plugins of one name, naming both folders", async () => {
  await assert.rejects(
    discoverPlugins([GOOD, join(FOLDERS, "duplicate")]),
    (error) => {
      assert.ok(error instanceof PluginDiscoveryError);
      assert.equal(error.code, "plugin_duplicate");
      assert.equal(error.plugin, "flip");
      assert.match(error.paths[0], /good\/flip$/);
      assert.match(error.paths[1], /duplicate\/flip_copy$/);
      return true;
    },
  );
});

Deno.test("two plugins registering one processor name clash with DuplicateProcessorError", async () => {
  const root = await tempRoot({
    "flip_twin": {
      "streamlib.plugin.json": metadata({
        name: "flip-twin",
        entry: "registry.ts",
        processors: ["Polarity"],
      }),
      // Another definition of "Polarity" (another source file), as a second package would have.
      "registry.ts": `import { registry as r } from "${
        join(GOOD, "flip", "registry.ts")
      }";\nconst [flip] = [...r];\nexport const registry = [{ ...flip, moduleUrl: import.meta.url, descriptor: { ...flip.descriptor, source: "twin.ts" } }];\n`,
    },
  });
  try {
    await assert.rejects(
      loadPlugins(await discoverPlugins([GOOD, root])),
      (error) => error instanceof DuplicateProcessorError && error.processor === "Polarity",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPlugins() names a root that is not a folder", async () => {
  await assert.rejects(
    discoverPlugins(["no/such/plugins"], FOLDERS),
    (error) =>
      error instanceof PluginDiscoveryError && error.code === "plugin_folder_not_found" &&
      /no\/such\/plugins/.test(error.message) && /pluginFolders/.test(error.message),
  );
});

Deno.test("discoverPlugins() refuses bad metadata, naming the file and the field", async () => {
  const root = await tempRoot({
    "bad": { "streamlib.plugin.json": metadata({ version: "one" }), "registry.ts": "" },
  });
  try {
    await assert.rejects(
      discoverPlugins([root]),
      (error) =>
        error instanceof PluginMetadataError && error.field === "version" &&
        error.file === join(root, "bad", "streamlib.plugin.json"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPlugins() refuses an entry that is missing or leaves its folder by a symlink", async () => {
  const root = await tempRoot({
    "missing": { "streamlib.plugin.json": metadata({ name: "missing" }) },
    "escape": { "streamlib.plugin.json": metadata({ name: "escape" }) },
  });
  await Deno.writeTextFile(join(root, "outside.ts"), "export const registry = [];");
  await Deno.symlink(join(root, "outside.ts"), join(root, "escape", "registry.ts"));
  try {
    await assert.rejects(
      discoverPlugins([join(root, "missing")]),
      (error) =>
        error instanceof PluginDiscoveryError && error.code === "plugin_entry_invalid" &&
        /does not exist/.test(error.message),
    );
    await assert.rejects(
      discoverPlugins([join(root, "escape")]),
      (error) =>
        error instanceof PluginDiscoveryError && error.code === "plugin_entry_invalid" &&
        /outside/.test(error.message),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPlugins() refuses a plugin that needs a newer streamlib", async () => {
  const root = await tempRoot({
    "future": {
      "streamlib.plugin.json": metadata({ name: "future", minRuntime: "99.0.0" }),
      "registry.ts": "",
    },
  });
  try {
    await assert.rejects(
      discoverPlugins([root]),
      (error) =>
        error instanceof PluginDiscoveryError && error.code === "plugin_runtime_too_old" &&
        /needs streamlib 99\.0\.0 or newer, this is 0\./.test(error.message),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadPlugin() refuses a kind with no loader and a plugin registering other processors", async () => {
  const root = await tempRoot({
    "py": {
      "streamlib.plugin.json": metadata({ name: "py", kind: "python", entry: "node.py" }),
      "node.py": "",
    },
    "liar": {
      "streamlib.plugin.json": metadata({
        name: "liar",
        entry: "registry.ts",
        processors: ["Nope"],
      }),
      "registry.ts": `export { registry } from "${join(GOOD, "flip", "registry.ts")}";\n`,
    },
  });
  try {
    const [liar, py] = await discoverPlugins([root]);
    const loaders = { typescript: PLUGIN_LOADERS.typescript! };
    await assert.rejects(loadPlugin(py, loaders), (error) => {
      assert.ok(error instanceof PluginLoaderError);
      assert.equal(error.code, "plugin_kind_unsupported");
      assert.deepEqual(error.available, ["typescript"]);
      assert.match(error.message, /no loader for kind 'python'/);
      return true;
    });
    await assert.rejects(
      loadPlugin(liar),
      (error) =>
        error instanceof PluginLoaderError && error.code === "plugin_processors_mismatch" &&
        /lists processors Nope but it registers Polarity; missing: Nope; not listed: Polarity/.test(
          error.message,
        ),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a native plugin folder is discovered and loaded through the native loader", async () => {
  const root = await nativeRoot();
  try {
    const found = await discoverPlugins([root]);
    const { registry, origins } = await loadPlugins(found);
    assert.deepEqual(registry.names, ["NativeGain", "NativeInvert", "NativeTone"]);
    assert.equal(origins.get("NativeGain")?.pluginKind, "native");
    assert.equal(pluginInfo(found[0]).abi, 1);
    const rt = createRuntime().use(registry);
    rt.add("NativeGain", { gain: 0.5 }, { id: "gain" });
    assert.equal(rt.describe().nodes[0].isolate, "native:streamlib_example_plugin");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a native plugin without a library for this platform, or of another ABI, is refused", async () => {
  const other = await nativeRoot(EXAMPLE, { entry: { "windows-aarch64": "lib/x.dll" } });
  const mismatch = await nativeRoot(ABI_MISMATCH, { processors: ["Anything"] });
  try {
    const [plugin] = await discoverPlugins([other]);
    assert.equal(plugin.entryPath, undefined);
    await assert.rejects(
      loadPlugin(plugin),
      (error) =>
        error instanceof PluginLoaderError && error.code === "plugin_entry_invalid" &&
        /no library for this platform/.test(error.message),
    );
    await assert.rejects(
      loadPlugin((await discoverPlugins([mismatch]))[0]),
      (error) =>
        error instanceof PluginLoaderError && error.code === "plugin_load_failed" &&
        /plugin ABI version 999/.test(error.message),
    );
  } finally {
    await Deno.remove(other, { recursive: true });
    await Deno.remove(mismatch, { recursive: true });
  }
});

Deno.test("a manifest names a native plugin library: { native: path }", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(EXAMPLE, join(dir, `libexample.${EXT}`));
    const manifest = {
      version: 1,
      plugins: [{ native: `./libexample.${EXT}` }],
      nodes: [{ id: "gain", type: "NativeGain", config: { gain: 0.5 } }],
    };
    assert.deepEqual(validateManifest(manifest, new Runtime().registry).map((i) => i.path), [
      "nodes[0].type", // unknown until the plugin is loaded; the plugins entry itself is fine
    ]);
    const rt = new Runtime();
    const urls = await loadPluginsOf(rt, manifest, join(dir, "pipeline.json"));
    assert.deepEqual(urls, [`file://${join(dir, `libexample.${EXT}`)}`]);
    assert.deepEqual(validateManifest(manifest, rt.registry), []);
    // The core refuses a native entry when no native loader is injected.
    const { loadManifestPlugins } = await import("../../mod.ts");
    await assert.rejects(
      loadManifestPlugins(new Runtime(), manifest, `file://${join(dir, "pipeline.json")}`),
      (error) => error instanceof PluginLoadError && error.code === "plugin_native_unsupported",
    );
    // A malformed entry is a manifest issue.
    const bad = { ...manifest, plugins: [{ native: "" }, { native: "x", extra: 1 }] };
    assert.deepEqual(
      validateManifest(bad, rt.registry).map((i) => [i.path, i.code]),
      [["plugins[0]", "malformed"], ["plugins[1]", "malformed"]],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a manifest's pluginFolders are discovered and loaded relative to it", async () => {
  const manifest = {
    version: 1,
    pluginFolders: ["./good"],
    nodes: [{ id: "flip", type: "Polarity" }],
  };
  const rt = new Runtime();
  await loadPluginsOf(rt, manifest, join(FOLDERS, "pipeline.json"));
  assert.ok(rt.registry.has("Polarity"));
  assert.deepEqual(validateManifest(manifest, rt.registry), []);
  assert.deepEqual(
    validateManifest({ ...manifest, pluginFolders: [""] }, rt.registry).map((i) => i.path),
    ["pluginFolders[0]"],
  );
});

Deno.test("projectPluginFolders() reads deno.json's streamlib.pluginFolders, relative to it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ streamlib: { pluginFolders: ["plugins", "/abs/more"] } }),
    );
    assert.deepEqual(projectPluginFolders(dir), [join(dir, "plugins"), "/abs/more"]);
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ streamlib: { pluginFolders: "plugins" } }),
    );
    assert.throws(
      () => projectPluginFolders(dir),
      (error) => error instanceof PluginMetadataError && error.field === "streamlib.pluginFolders",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a python plugin in a plugin folder is discovered and registers its processors by name", async () => {
  const root = await Deno.makeTempDir();
  try {
    // The fixture package, copied into a plugin root of its own.
    await new Deno.Command("cp", {
      args: ["-r", fileURLToPath(new URL("../fixtures/plugins/python_pkg", import.meta.url)), root],
    }).output();
    const [plugin] = await discoverPlugins([root]);
    assert.equal(plugin.metadata.kind, "python");
    const registry = await loadPlugin(plugin);
    assert.deepEqual(
      [...registry.names].sort(),
      ["PyBadReply", "PyCounter", "PyCrash", "PyGain", "PyInvert"],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
