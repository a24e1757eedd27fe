/**
 * `streamlib serve` logs each session on stderr: one line when it opens (pipeline, transport),
 * one when it ends (its code and length, `server_shutting_down` on SIGTERM), and refused opens
 * summed up once a second by code; `--quiet` prints none of them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import { block, BUILTIN, FAULTY, through } from "./ws_helpers.ts";
import { serveCommand } from "./serve_command.ts";
import { unreadStderrArgs } from "../fixtures/unread_stderr.ts";

const REGISTRIES = ["--registry", BUILTIN, "--registry", FAULTY];

const FX = JSON.stringify({
  version: 1,
  nodes: [{ id: "g", type: "Gain", config: { gain: 2 } }],
  inputs: { audio: "g.in" },
  outputs: { audio: "g.out" },
});

Deno.test({
  name: "streamlib serve logs each session's open and end, and sums up refused opens",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_log_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), FX);
      await Deno.writeTextFile(join(dir, "throws.json"), JSON.stringify(through("Thrower")));
      const server = await serveCommand(dir, ["--no-webrtc", ...REGISTRIES]);
      let stderr;
      try {
        const { client } = server;
        await client.execute("fx", { audio: [block(0.25)] });
        await server.said(/session (\S+) opened 'fx' \(websocket\)\n[^]*session \1 ended after /);
        // A session that fails by itself says why, where the operator reads (the client alone
        // had the processor's error before).
        await assert.rejects(
          client.execute("throws", { audio: [block(0.25)] }),
          (e) => e instanceof SessionClientError && e.code === "session_processor_failed",
        );
        await server.said(
          /session (\S+) ended \(session_processor_failed\) after [\d.]+ s: Session '\1' ended: Node 'bad' threw in process\(\): this processor throws on purpose\n/,
        );
        for (let i = 0; i < 3; i++) {
          await assert.rejects(
            client.open("fxx"),
            (e) => e instanceof SessionClientError && e.code === "pipeline_not_found",
          );
        }
        await server.said(/refused 3 opens: pipeline_not_found 3\n/);
        // Open across the stop: it ends with the shutdown's code.
        const open = await client.open("fx");
        await server.said(/session (\S+) opened 'fx' \(websocket\)\n(?![^]*session \1 ended)/);
        void open.closed.catch(() => {});
      } finally {
        stderr = await server.stop();
      }
      assert.match(stderr, /session \S+ ended \(server_shutting_down\) after \d/);
      assert.equal(stderr.match(/opened 'fx'/g)?.length, 2, stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "streamlib serve --quiet prints no session lines",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_log_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), FX);
      const server = await serveCommand(dir, ["--no-webrtc", "--quiet"]);
      let stderr;
      try {
        await server.client.execute("fx", { audio: [block(0.25)] });
        await assert.rejects(server.client.open("fxx"));
        await new Promise((r) => setTimeout(r, 1_200));
      } finally {
        stderr = await server.stop();
      }
      assert.doesNotMatch(stderr, /session \S+ (opened|ended)|refused/, stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "streamlib serve keeps serving when nobody reads its stderr (session lines never block)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_log_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), FX);
      const python = new Deno.Command("python3", {
        args: unreadStderrArgs([
          Deno.execPath(),
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
          "2",
        ], true),
        cwd: new URL("../../", import.meta.url).pathname,
        stdin: "piped",
        stdout: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const lines = python.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const nextLine = async () => {
        while (!text.includes("\n")) {
          const { value, done } = await lines.read();
          if (done) assert.fail(`python said: ${text}`);
          text += value;
        }
        const line = text.slice(0, text.indexOf("\n"));
        text = text.slice(text.indexOf("\n") + 1);
        return line;
      };
      const stdin = python.stdin.getWriter();
      try {
        const { sessionsUrl, url } = JSON.parse(await nextLine());
        const client = connect(sessionsUrl);
        // 80 sessions, 4 at a time: 160 lines of about 55 bytes, twice the pipe's room.
        let left = 80;
        const worker = async () => {
          while (left-- > 0) {
            const out = await client.execute("fx", { audio: [block(0.25)] });
            assert.equal(out.audio.length, 1);
          }
        };
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all(Array.from({ length: 4 }, worker)),
          new Promise((_, reject) =>
            timer = setTimeout(
              () => reject(new Error(`serve stopped serving; ${left} left`)),
              60_000,
            )
          ),
        ]).finally(() => clearTimeout(timer));
        assert.equal((await fetch(`${url}/healthz`)).status, 200);
      } finally {
        await stdin.write(new TextEncoder().encode("stop\n"));
        await stdin.close();
      }
      // It stops within its flush bound though its stderr is still full.
      assert.equal(await nextLine(), "0");
      await lines.cancel();
      assert.equal((await python.status).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
