/**
 * A command whose stderr nobody reads keeps running: `streamlib run` with a node that logs on
 * every run (about 100 lines a second) under python3, its stderr a 4 KiB pipe (Linux's
 * `F_SETPIPE_SZ`) that nothing reads, full within a second. `console.error` would block the main
 * isolate there, and the pipeline, its `--seconds` timer and its signal handlers with it; the
 * command line's `log` lines never block, so it runs its 2 seconds and exits 0.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { unreadStderrArgs } from "../fixtures/unread_stderr.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LOGGING = new URL("../fixtures/runtime/logging_nodes.ts", import.meta.url).pathname;
const PRINTING = new URL("../fixtures/runtime/printing_nodes.ts", import.meta.url).pathname;

/**
 * Runs `streamlib run` on a manifest of `nodes` in a row (from `plugins`), with `flags`, under
 * python3 with an unread 4 KiB stderr; returns python's stdout lines (the command's stdout,
 * then its exit code) and how long it took.
 */
async function runUnread(
  plugins: string[],
  nodes: { id: string; type: string; placement?: { worker: string } }[],
  flags: string[],
): Promise<{ lines: string[]; ms: number }> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_unread_stderr_" });
  try {
    const manifest = join(dir, "pipeline.json");
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        plugins,
        nodes: nodes.map((node) => ({ config: {}, ...node })),
        connections: nodes.slice(1).map((node, i) => ({
          from: `${nodes[i].id}.${i === 0 ? "audio" : "out"}`,
          to: `${node.id}.in`,
        })),
      }),
    );
    const started = performance.now();
    const out = await new Deno.Command("python3", {
      args: unreadStderrArgs([
        Deno.execPath(),
        "run",
        "-A",
        "cli/streamlib.ts",
        "run",
        manifest,
        ...flags,
        "--load-plugins",
      ]),
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    return { lines, ms: performance.now() - started };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "streamlib run with a stderr nobody reads runs its --seconds and exits 0",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { lines, ms } = await runUnread(
      [LOGGING],
      [
        { id: "tone", type: "TestToneGenerator" },
        { id: "logger", type: "Logger" },
        { id: "sink", type: "NullSink" },
      ],
      ["--seconds", "2"],
    );
    // Python's last line is the exit code (run's own status lines come before it).
    assert.equal(lines.at(-1), "0", lines.join("\n"));
    assert.ok(ms < 30_000);
  },
});

Deno.test({
  name:
    "streamlib run --json: processors printing with console to a stderr nobody reads never stall it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Babblers print about 1 kB per run with console.log, error, warn, count and table, in the
    // main isolate and in a Worker: Deno's console would block both on the full pipe.
    const { lines, ms } = await runUnread(
      [PRINTING],
      [
        { id: "tone", type: "TestToneGenerator" },
        { id: "main_babbler", type: "Babbler" },
        { id: "worker_babbler", type: "Babbler", placement: { worker: "w" } },
        { id: "sink", type: "NullSink" },
      ],
      ["--seconds", "3", "--json"],
    );
    // Python's last line is the exit code; the command's JSON lines come before it.
    assert.equal(lines.at(-1), "0", lines.join("\n"));
    const events = lines.slice(0, -1).map((line) => JSON.parse(line));
    const stopped = events.at(-1);
    assert.equal(stopped.event, "stopped");
    // Both babblers kept running (about 100 runs a second each), not stalled on stderr.
    for (const node of ["main_babbler", "worker_babbler"]) {
      const framesIn = stopped.stats.nodes[node].framesIn;
      assert.ok(framesIn > 150, `${node}: ${framesIn}`);
    }
    assert.ok(events.filter((e) => e.event === "stats").length >= 2);
    assert.ok(ms < 30_000);
  },
});
