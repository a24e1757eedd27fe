/**
 * The command line with a project's plugin folders: `streamlib nodes` shows where each processor
 * came from, a bad plugin is a typed error, and `validate` reads plugin metadata but runs no
 * plugin code.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/streamlib.ts";

const FOLDERS = fileURLToPath(new URL("../fixtures/plugin_folders/", import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/** A project folder whose deno.json lists `folders` as plugin folders. */
async function project(folders: string[], files: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_project_" });
  await Deno.writeTextFile(
    join(dir, "deno.json"),
    JSON.stringify({ streamlib: { pluginFolders: folders } }),
  );
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

Deno.test("streamlib nodes list shows each processor's origin: built-in or its plugin", async () => {
  const dir = await project([join(FOLDERS, "good")]);
  try {
    const { out, output } = capture();
    assert.equal(await main(["nodes", "list", "--root", dir], output), 0);
    const lines = out.join("\n").split("\n");
    assert.match(lines[0], /^NAME +TAGS +DESCRIPTION +INPUTS +OUTPUTS +ORIGIN$/);
    assert.match(lines.find((l) => l.startsWith("Flip "))!, / plugin flip 1\.2\.0 \(typescript\)$/);
    assert.match(lines.find((l) => l.startsWith("Gain "))!, / built-in$/);

    const json = capture();
    assert.equal(await main(["nodes", "list", "--root", dir, "--json"], json.output), 0);
    const flip = JSON.parse(json.out[0]).find((p: { name: string }) => p.name === "Flip");
    assert.equal(flip.origin.plugin, "flip");
    assert.equal(flip.originLabel, "plugin flip 1.2.0 (typescript)");

    const info = capture();
    assert.equal(await main(["nodes", "info", "Flip", "--root", dir], info.output), 0);
    assert.match(info.out[0], /\n {2}Origin +plugin flip 1\.2\.0 \(typescript\), \/.*good\/flip\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib nodes list exits 1 naming a bad plugin's file and field", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "broken"));
  await Deno.writeTextFile(
    join(root, "broken", "streamlib.plugin.json"),
    JSON.stringify({ name: "broken", version: "1.0.0" }),
  );
  const dir = await project([root]);
  try {
    const { err, output } = capture();
    assert.equal(await main(["nodes", "list", "--root", dir], output), 1);
    assert.match(
      err.join("\n"),
      /^error: plugin_metadata_invalid: Invalid plugin metadata .*broken\/streamlib\.plugin\.json: field 'license' is missing: expected an SPDX expression/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("streamlib validate reads the project's plugin metadata and runs no plugin code", async () => {
  const manifest = {
    version: 1,
    nodes: [{ id: "tone", type: "TestToneGenerator" }, { id: "s", type: "Sneaky" }],
  };
  const dir = await project([join(FOLDERS, "outside")], {
    "pipeline.json": JSON.stringify(manifest),
  });
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    const { out, err, output } = capture();
    const code = await main(["validate", "pipeline.json"], output);
    assert.equal(code, 0, err.join("\n"));
    assert.equal(out[0], "pipeline.json: valid, 1 not checked");
    assert.match(
      err.join("\n"),
      /not checked: 1 node of types from the project's plugins \(sneaky\)/,
    );
    // The plugin's module sets this global when imported: validate never imported it.
    assert.equal((globalThis as { sneakyPluginRan?: boolean }).sneakyPluginRan, undefined);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
