/**
 * `streamlib serve` logs each session on stderr: one line when it opens (pipeline, transport),
 * one when it ends (its code and length, `server_shutting_down` on SIGTERM), and refused opens
 * summed up once a second by code; `--quiet` prints none of them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { SessionClientError } from "../../sessions/client/mod.ts";
import { block } from "./ws_helpers.ts";
import { serveCommand } from "./serve_command.ts";

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
      const server = await serveCommand(dir, ["--no-webrtc"]);
      let stderr;
      try {
        const { client } = server;
        await client.execute("fx", { audio: [block(0.25)] });
        await server.said(/session (\S+) opened 'fx' \(websocket\)\n[^]*session \1 ended after /);
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
