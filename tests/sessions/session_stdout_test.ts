/**
 * A session's prints never reach a stdout reserved for a protocol: `streamlib serve --json` keeps
 * its stdout to the one JSON line for as long as it serves (a processor's `console.log` in a
 * session goes to stderr), and a `PipelineRunner` in a process whose stdout is reserved without
 * the fd diverted (console only) starts its session isolates, fresh or pooled, with their console
 * on stderr too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "../../sessions/client/mod.ts";
import { block } from "./ws_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PRINTING = new URL("./fixtures/printing_registry.ts", import.meta.url).href;
const PRINTER = {
  version: 1,
  nodes: [{ id: "p", type: "Printer" }],
  inputs: { audio: "p.in" },
  outputs: { audio: "p.out" },
};

for (const pool of [0, 1]) {
  Deno.test({
    name: `streamlib serve --json --pool ${pool}: stdout is the one JSON line; prints go to stderr`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_stdout_" });
      try {
        await Deno.writeTextFile(join(dir, "printer.json"), JSON.stringify(PRINTER));
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "cli/streamlib.ts",
            "serve",
            dir,
            "--port",
            "0",
            "--json",
            "--no-webrtc",
            "--pool",
            String(pool),
            "--registry",
            PRINTING,
          ],
          cwd: ROOT,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).spawn();
        const stderr = new Response(child.stderr).text();
        const reader = child.stdout.getReader();
        const decoder = new TextDecoder();
        let stdout = "";
        while (!stdout.includes("\n")) {
          const { value, done } = await reader.read();
          if (done) break;
          stdout += decoder.decode(value, { stream: true });
        }
        try {
          if (!stdout.includes("\n")) assert.fail(`serve printed no JSON line:\n${await stderr}`);
          const { sessionsUrl } = JSON.parse(stdout);
          const client = connect(sessionsUrl);
          const out = await client.execute("printer", { audio: [block(0.25), block(0.5)] });
          assert.equal(out.audio.length, 2);
          const session = await client.open("printer");
          await session.send("audio", block(0.75));
          for await (const item of session.outputs()) {
            assert.equal((item.frame as { samples: Float32Array }).samples[0], 0.75);
            break;
          }
          await session.close();
        } finally {
          try {
            child.kill("SIGTERM");
          } catch { /* it has ended: its status and stderr say why */ }
        }
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          stdout += decoder.decode(value, { stream: true });
        }
        const { code } = await child.status;
        const said = await stderr;
        assert.equal(code, 0, said);
        const lines = stdout.split("\n").filter((line) => line !== "");
        assert.equal(lines.length, 1, `stdout holds more than the JSON line:\n${stdout}`);
        assert.equal(typeof JSON.parse(lines[0]).sessionsUrl, "string");
        assert.match(said, /\[session s\d+ 'printer'\] printed by a processor with console\.log/);
        assert.match(said, /\[session s\d+ 'printer'\] printed by a processor with console\.info/);
        // Each line a session prints is marked as its own, escapes shown, not acted on: no line
        // passes for the server's, and ctx.log lines are printed as `run` prints them.
        assert.match(
          said,
          /\[session s\d+ 'printer'\] \\e\[2Jforged\n\[session s\d+ 'printer'\] streamlib serve: session s99/,
        );
        assert.doesNotMatch(said, /^streamlib serve: session s99/m);
        assert.ok(!said.includes("\x1b"), "an escape sequence reached stderr as printed");
        assert.match(
          said,
          /\[session s\d+ 'printer'\] \[p\] info: logged by a processor \{"block":1\}/,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "PipelineRunner under a console-only stdout reservation: session isolates print to stderr",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const script = `
      import { reserveStdout } from ${
      JSON.stringify(new URL("../../mod.ts", import.meta.url).href)
    };
      import { PipelineRunner } from ${
      JSON.stringify(new URL("../../sessions/mod.ts", import.meta.url).href)
    };
      using _held = reserveStdout(); // console only: no fd divert
      for (const pool of [0, 1]) {
        const runner = new PipelineRunner({ registries: [${JSON.stringify(PRINTING)}], pool });
        const block = { kind: "audio", channels: 2, sampleRate: 16000,
          samples: new Float32Array(320).fill(0.5) };
        const out = await runner.execute(${JSON.stringify(PRINTER)}, { audio: [block] });
        console.error("outputs", pool, out.audio.length);
        await runner.close();
      }
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.match(stderr, /outputs 0 1\n[^]*outputs 1 1/);
    assert.equal(stdout, "", `a session printed to stdout:\n${stdout}`);
    assert.equal(stderr.match(/printed by a processor with console\.log/g)?.length, 2, stderr);
  },
});
