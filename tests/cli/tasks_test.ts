/**
 * Every user-facing `deno task` is a `streamlib` command: one entry point, one usage text, one
 * behaviour whichever way it is started.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const COMMANDS = ["dashboard", "nodes", "codegen", "run", "validate", "mcp"] as const;
/** The commands that run a graph: a `VideoWindow` in it needs `Deno.UnsafeWindowSurface`. */
const RUN_GRAPHS: readonly string[] = ["dashboard", "run", "mcp"];

Deno.test("deno.json: the dashboard, nodes, codegen, run, validate and mcp tasks all run cli/streamlib.ts", () => {
  const tasks = denoJson.tasks as Record<string, string>;
  for (const name of COMMANDS) {
    const flags = RUN_GRAPHS.includes(name) ? "-A --unstable-webgpu" : "-A";
    assert.equal(tasks[name], `deno run ${flags} cli/streamlib.ts ${name}`, name);
  }
  assert.equal(tasks.streamlib, "deno run -A --unstable-webgpu cli/streamlib.ts");
  assert.match(tasks.demo, /deno run -A --unstable-webgpu examples\/demo\.ts$/);
});

Deno.test("docs/cli.md says what the tasks run: cli/streamlib.ts, for every command", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/cli.md", import.meta.url));
  const section = doc.slice(doc.indexOf("## In this repository"));
  assert.match(section, /`deno task streamlib <command>` runs `cli\/streamlib\.ts`/);
  for (const name of COMMANDS) assert.ok(section.includes(`\`${name}\``), name);
  // No task runs another script: the older cli/run.ts, cli/validate.ts or codegen/cli.ts.
  for (const script of section.matchAll(/`([\w/]+\.ts)`/g)) {
    assert.ok(["cli/streamlib.ts", "streamlib.ts"].includes(script[1]), script[1]);
  }
});

Deno.test("deno.json turns on no unstable API for the whole project: only its tasks pass --unstable-webgpu", () => {
  // An "unstable" key would reach every `deno run` and `deno test` under the project, the test
  // children that must run without the flag (VideoWindow's window_surface_unavailable) included.
  assert.equal("unstable" in denoJson, false);
});

Deno.test("deno task <command> --help prints the streamlib command's own usage", async () => {
  const run = async (args: string[]) => {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "null",
    }).output();
    return { code, text: new TextDecoder().decode(stdout) };
  };
  for (const name of ["dashboard", "validate"]) {
    const viaTask = await run(["task", "-q", name, "--help"]);
    const direct = await run(["run", "-A", "cli/streamlib.ts", name, "--help"]);
    assert.equal(viaTask.code, 0, name);
    assert.equal(viaTask.text, direct.text, name);
    assert.match(viaTask.text, new RegExp(`^Usage: streamlib ${name}`), name);
  }
});
