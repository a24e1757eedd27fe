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

Deno.test({
  name: "streamlib run with a stderr nobody reads runs its --seconds and exits 0",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_unread_stderr_" });
    try {
      const manifest = join(dir, "logging.json");
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          version: 1,
          plugins: [LOGGING],
          nodes: [
            { id: "tone", type: "TestToneGenerator", config: {} },
            { id: "logger", type: "Logger", config: {} },
            { id: "sink", type: "NullSink", config: {} },
          ],
          connections: [
            { from: "tone.audio", to: "logger.in" },
            { from: "logger.out", to: "sink.in" },
          ],
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
          "--seconds",
          "2",
          "--load-plugins",
        ]),
        cwd: ROOT,
        stdin: "null",
        env: { NO_COLOR: "1" },
      }).output();
      // Python's last line is the exit code (run's own status lines come before it).
      const said = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1);
      assert.equal(said, "0", new TextDecoder().decode(out.stderr));
      assert.ok(performance.now() - started < 30_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
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
    const dir = await Deno.makeTempDir({ prefix: "streamlib_unread_console_" });
    try {
      const manifest = join(dir, "babbling.json");
      await Deno.writeTextFile(
        manifest,
        JSON.stringify({
          version: 1,
          plugins: [PRINTING],
          nodes: [
            { id: "tone", type: "TestToneGenerator", config: {} },
            { id: "main_babbler", type: "Babbler", config: {} },
            { id: "worker_babbler", type: "Babbler", config: {}, placement: { worker: "w" } },
            { id: "sink", type: "NullSink", config: {} },
          ],
          connections: [
            { from: "tone.audio", to: "main_babbler.in" },
            { from: "main_babbler.out", to: "worker_babbler.in" },
            { from: "worker_babbler.out", to: "sink.in" },
          ],
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
          "--seconds",
          "3",
          "--json",
          "--load-plugins",
        ]),
        cwd: ROOT,
        stdin: "null",
        env: { NO_COLOR: "1" },
      }).output();
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      // Python's last line is the exit code; the command's JSON lines come before it.
      assert.equal(lines.at(-1), "0", lines.join("\n"));
      const events = lines.slice(0, -1).map((line) => JSON.parse(line));
      const stopped = events.at(-1);
      assert.equal(stopped.event, "stopped");
      // Both babblers kept running (about 100 runs a second each), not stalled on stderr.
      for (const node of ["main_babbler", "worker_babbler"]) {
        assert.ok(
          stopped.stats.nodes[node].framesIn > 150,
          `${node}: ${stopped.stats.nodes[node].framesIn}`,
        );
      }
      assert.ok(events.filter((e) => e.event === "stats").length >= 2);
      assert.ok(performance.now() - started < 30_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
