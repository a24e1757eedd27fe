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
