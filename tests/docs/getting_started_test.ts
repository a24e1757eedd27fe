/**
 * docs/getting_started.md followed as written, in a fresh folder beside a checkout: its
 * `deno.json`, a processor of your own as docs/writing_processors.md shows it, `streamlib
 * codegen`, then `validate` and `run` of a manifest that uses it. The `deno.json` and the
 * processor are taken from the docs' own code blocks, so a doc that drifts fails here.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The code blocks of a doc with this info string, in order. */
async function blocks(doc: string, info: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${ROOT}docs/${doc}`);
  const fence = new RegExp("^```" + info + "\\n([\\s\\S]*?)^```", "gm");
  return [...text.matchAll(fence)].map((m) => m[1]);
}

async function cli(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "../streamlib/cli/streamlib.ts", ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, out: text(out.stdout), err: text(out.stderr) };
}

Deno.test("getting_started.md: a project's own processor, generated, validates and runs by name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_getting_started_" });
  try {
    await Deno.symlink(ROOT, `${dir}/streamlib`);
    const project = `${dir}/my-project`;
    await Deno.mkdir(`${project}/processors`, { recursive: true });
    const config = (await blocks("getting_started.md", "json")).find((b) =>
      b.includes('"@streamlib/streamlib"')
    );
    assert.ok(config, "getting_started.md has the project's deno.json");
    await Deno.writeTextFile(`${project}/deno.json`, config);
    // The processor of writing_processors.md, as a project would have it: its own name and file,
    // importing the package by its name.
    const [gain] = await blocks("writing_processors.md", "ts ignore");
    assert.match(gain, /export class Gain /);
    await Deno.writeTextFile(
      `${project}/processors/boost.ts`,
      gain.replace(/from "\.\.\/mod\.ts";.*$/m, 'from "@streamlib/streamlib";')
        .replaceAll("Gain", "Boost").replaceAll("./gain.gen.ts", "./boost.gen.ts"),
    );
    const manifest = (await blocks("getting_started.md", "json")).find((b) =>
      b.includes('"type": "Gain"')
    );
    assert.ok(manifest, "getting_started.md has tone.json");
    await Deno.writeTextFile(`${project}/tone.json`, manifest.replace('"Gain"', '"Boost"'));

    const codegen = await cli(project, "codegen");
    assert.equal(codegen.code, 0, codegen.err);
    const validate = await cli(project, "validate", "tone.json");
    assert.equal(validate.code, 0, `${validate.out}${validate.err}`);
    assert.equal(validate.out.trim(), "tone.json: valid");
    const info = await cli(project, "nodes", "info", "Boost");
    assert.equal(info.code, 0, info.err);
    assert.match(info.out, /Origin +project/);
    const run = await cli(project, "run", "tone.json", "--seconds", "0.3");
    assert.equal(run.code, 0, run.err);
    const wav = await Deno.stat(`${project}/tone.wav`);
    assert.ok(wav.size > 44, `tone.wav has ${wav.size} bytes`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
