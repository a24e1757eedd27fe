import assert from "node:assert/strict";
import { join } from "node:path";

const CLI = new URL("./streamlib.ts", import.meta.url).pathname;

Deno.test("a project whose processors do not import: plugin_import_failed, exit 1, no stack", async () => {
  // A project's generated registry imports `@streamlib/streamlib`; a `streamlib` installed
  // without the project's import map (`deno install -g` writes a config of its own, given here
  // with --config) cannot resolve it.
  const dir = await Deno.makeTempDir({ prefix: "streamlib_project_import_" });
  try {
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({ streamlib: { codegen: ["procs"] } }),
    );
    await Deno.writeTextFile(join(dir, "installed.json"), JSON.stringify({ workspace: [] }));
    await Deno.mkdir(join(dir, "procs"));
    await Deno.writeTextFile(
      join(dir, "procs", "registry.gen.ts"),
      'import { NodeRegistry } from "@streamlib/streamlib";\nexport const registry = new NodeRegistry();\n',
    );
    await Deno.writeTextFile(
      join(dir, "tone.json"),
      JSON.stringify({ version: 1, nodes: [{ id: "t", type: "TestToneGenerator" }] }),
    );
    for (const args of [["nodes", "list"], ["validate", "tone.json"]]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", join(dir, "installed.json"), CLI, ...args],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, `${args.join(" ")}: ${stderr}`);
      assert.match(
        stderr,
        /^error: plugin_import_failed: Cannot import the processors of the project/,
      );
      assert.match(stderr, /--config deno\.json/);
      assert.ok(!stderr.includes("Uncaught"), stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
