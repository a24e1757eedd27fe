/**
 * `scripts/install_build_deps.sh` (run by `deno task demo`): with nothing on the PATH it cannot
 * install anything and says what the native build needs; with the tools present it is silent.
 */

import assert from "node:assert/strict";

const script = new URL("../scripts/install_build_deps.sh", import.meta.url).pathname;

async function run(env: Record<string, string>) {
  const out = await new Deno.Command("/bin/bash", {
    args: [script],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, out: text(out.stdout), err: text(out.stderr) };
}

Deno.test("install_build_deps.sh names what the native build needs when it cannot install it", async () => {
  const dir = await Deno.makeTempDir(); // an empty PATH: no cmake, compiler, nasm, pkg-config or apt-get
  try {
    const { code, err } = await run({ PATH: dir });
    assert.equal(code, 1);
    const needs = /the native build needs: (.*)/.exec(err)?.[1].trim().split(/\s+/) ?? [];
    const expected = ["cmake", "g++", "gcc", "pkg-config"];
    if (["x86_64"].includes(Deno.build.arch)) expected.push("nasm");
    assert.deepEqual(needs.sort(), expected.sort(), err);
    assert.match(err, /apt-get install/);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("install_build_deps.sh is silent and exits 0 when the tools are there", async () => {
  const { code, out, err } = await run({ PATH: Deno.env.get("PATH") ?? "" });
  assert.equal(code, 0, err);
  assert.equal(out + err, "");
});
