/**
 * Each public entry point (`deno.json` `exports`) keeps a small surface: at most 60 exported
 * names, counted the way `deno doc` lists them.
 *
 * @module
 */

import assert from "node:assert/strict";

/** The most names one entry point may export (issue 16). */
const MAX_PUBLIC_NAMES = 60;

const ROOT = new URL("../", import.meta.url);

interface DocJson {
  readonly nodes: Record<string, { readonly symbols: readonly { readonly name: string }[] }>;
}

async function entryPoints(): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return config.exports as Record<string, string>;
}

async function publicNames(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as DocJson;
  return Object.values(doc.nodes).flatMap((node) => node.symbols.map((symbol) => symbol.name));
}

const exportsMap = await entryPoints();

for (const [key, entry] of Object.entries(exportsMap)) {
  Deno.test(`public surface: "${key}" (${entry}) exports at most ${MAX_PUBLIC_NAMES} names`, async () => {
    const names = await publicNames(entry);
    assert.ok(names.length > 0, `${entry} exports nothing`);
    assert.ok(
      names.length <= MAX_PUBLIC_NAMES,
      `${entry} exports ${names.length} names (at most ${MAX_PUBLIC_NAMES}): ${
        names.sort().join(", ")
      }`,
    );
  });
}

Deno.test("public surface: generated symbols stay out of the processors entry point", async () => {
  const names = await publicNames(exportsMap["./processors"]);
  const generated = names.filter((name) => /(Node|Inputs|Outputs|Handle|Types)$/.test(name));
  assert.deepEqual(generated, []);
});

Deno.test("public surface: transport internals stay out of the ffi entry point", async () => {
  const names = await publicNames(exportsMap["./ffi"]);
  const internals = names.filter((name) =>
    name.startsWith("SIGNAL_") || ["WorkerMirror", "WorkerServer", "SlotHeaders"].includes(name)
  );
  assert.deepEqual(internals, []);
});

Deno.test("public surface: every entry point is in the published files (publish.include)", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const include = config.publish.include as string[];
  const outside = Object.values(exportsMap).map((entry) => entry.replace(/^\.\//, "")).filter(
    (file) => !include.some((item) => item.endsWith("/") ? file.startsWith(item) : file === item),
  );
  assert.deepEqual(outside, [], "entry points that `deno publish` would leave out");
});
