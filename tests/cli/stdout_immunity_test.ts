/**
 * What processors print never reaches a machine-readable stdout: `streamlib run --json` and
 * `dashboard --json` with a processor that prints every way it can (`console.log`, `info`,
 * `debug`, `dir`, `table`) in the main isolate and in a Worker. Every stdout line parses as JSON,
 * the prints are on stderr, and what the processors logged with `ctx.log` comes as `node-log`
 * lines attributed to each node.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const PRINTING = fileURLToPath(new URL("../fixtures/runtime/printing_nodes.ts", import.meta.url));

/** A manifest: tone -> Chatter (main) -> Chatter (Worker `w`) -> NullSink. */
async function printingManifest(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const manifest = join(dir, "printing.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      plugins: [PRINTING],
      nodes: [
        { id: "tone", type: "TestToneGenerator", config: {} },
        { id: "chat_main", type: "Chatter", config: {} },
        { id: "chat_worker", type: "Chatter", config: {}, placement: { worker: "w" } },
        { id: "sink", type: "NullSink", config: {} },
      ],
      connections: [
        { from: "tone.audio", to: "chat_main.in" },
        { from: "chat_main.out", to: "chat_worker.in" },
        { from: "chat_worker.out", to: "sink.in" },
      ],
    }),
  );
  return manifest;
}

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/streamlib.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const result = await child.output();
  clearTimeout(killer);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: decode(result.stdout), err: decode(result.stderr) };
}

/** Every stdout line parsed (a line that is not JSON fails the test, quoting it). */
function jsonLines(out: string, err: string): Record<string, unknown>[] {
  return out.trim().split("\n").map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(
        `stdout line is not JSON: ${line.slice(0, 200)}\nstderr: ${err.slice(-2000)}`,
      );
    }
  });
}

function assertImmune(out: string, err: string): Record<string, unknown>[] {
  const lines = jsonLines(out, err);
  // The prints of both isolates went to stderr, every kind of them.
  for (const node of ["chat_main", "chat_worker"]) {
    assert.match(err, new RegExp(`chatter ${node}: setting up`), err);
    assert.match(err, new RegExp(`chatter ${node}: run 1`));
    assert.match(err, new RegExp(`info from ${node}`));
    assert.match(err, new RegExp(`debug: "${node}"`));
    assert.match(err, new RegExp(`dir: "${node}"`));
    assert.match(err, new RegExp(`table: "${node}"`));
    // Prints that pass by console reach stderr too: stdout itself is diverted.
    assert.match(err, new RegExp(`raw stdout from ${node}`));
    assert.match(err, new RegExp(`async raw from ${node}`));
    assert.match(err, new RegExp(`count ${node}: 1`));
  }
  // ctx.log lines are node-log events, attributed to the node in either isolate.
  const logs = lines.filter((l) => l.event === "node-log");
  for (const node of ["chat_main", "chat_worker"]) {
    const mine = logs.filter((l) => l.node === node).map((l) => `${l.level} ${l.message}`);
    assert.deepEqual(mine, ["info set up", "warn run 1", "warn run 2", "warn run 3"], node);
  }
  return lines;
}

Deno.test("streamlib run --json: a processor printing in the main isolate and in a Worker leaves every stdout line JSON", async () => {
  const manifest = await printingManifest();
  const { code, out, err } = await runCli([
    "run",
    manifest,
    "--json",
    "--seconds",
    "2",
    "--load-plugins",
  ]);
  assert.equal(code, 0, `${out}\n${err}`);
  const lines = assertImmune(out, err);
  assert.equal(lines.at(-1)?.event, "stopped");
  await Deno.remove(join(manifest, ".."), { recursive: true });
});

Deno.test("streamlib run without --json shows what processors log on stderr, attributed to the node", async () => {
  const manifest = await printingManifest();
  const { code, out, err } = await runCli(["run", manifest, "--seconds", "1", "--load-plugins"]);
  assert.equal(code, 0, `${out}\n${err}`);
  assert.match(err, /\[chat_worker\] warn: run 1 \{"run":1\}/);
  assert.match(err, /\[chat_main\] info: set up \{"node":"chat_main"\}/);
  await Deno.remove(join(manifest, ".."), { recursive: true });
});

Deno.test("streamlib dashboard --json: a processor printing in the main isolate and in a Worker leaves every stdout line JSON", async () => {
  const manifest = await printingManifest();
  const { code, out, err } = await runCli([
    "dashboard",
    manifest,
    "--port",
    "0",
    "--start",
    "--seconds",
    "2",
    "--json",
    "--no-mcp",
    "--load-plugins",
  ]);
  assert.equal(code, 0, `${out}\n${err}`);
  const lines = assertImmune(out, err);
  assert.ok(lines.some((l) => l.event === "started"));
  assert.equal(lines.at(-1)?.event, "stopped");
  await Deno.remove(join(manifest, ".."), { recursive: true });
});

Deno.test("streamlib validate --json --load-plugins: a plugin module that prints on import leaves stdout one JSON object", async () => {
  const dir = await Deno.makeTempDir();
  const plugin = join(dir, "printing_plugin.ts");
  await Deno.writeTextFile(
    plugin,
    'console.log("plugin says hi"); console.info("and more");\n' +
      'Deno.stdout.writeSync(new TextEncoder().encode("raw plugin print\\n"));\n' +
      "export const registry = [];\n",
  );
  const manifest = join(dir, "m.json");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      plugins: [plugin],
      nodes: [
        { id: "t", type: "TestToneGenerator", config: {} },
        { id: "s", type: "NullSink", config: {} },
      ],
      connections: [{ from: "t.audio", to: "s.in" }],
    }),
  );
  const { code, out, err } = await runCli(["validate", manifest, "--json", "--load-plugins"]);
  assert.equal(code, 0, `${out}\n${err}`);
  const [report, ...rest] = jsonLines(out, err);
  assert.deepEqual([report.valid, report.pluginsLoaded, rest.length], [true, true, 0]);
  assert.match(err, /plugin says hi/);
  assert.match(err, /raw plugin print/); // past console: stdout itself is diverted
  await Deno.remove(dir, { recursive: true });
});
