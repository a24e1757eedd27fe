/**
 * `streamlib serve --watch`: a manifest edited, added or removed while the server runs is what
 * the next session opens; a session already open keeps the manifest it opened; a file saved
 * half-way (not JSON) keeps its pipeline as it was, with a warning; without `--watch` the folder
 * is read once.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { connect, SessionClientError } from "../../sessions/client/mod.ts";
import { block } from "./ws_helpers.ts";
import { serveCommand as serve } from "./serve_command.ts";

const gain = (factor: number) =>
  JSON.stringify({
    version: 1,
    nodes: [{ id: "g", type: "Gain", config: { gain: factor } }],
    inputs: { audio: "g.in" },
    outputs: { audio: "g.out" },
  });

const first = (out: Record<string, { frame: unknown }[]>) =>
  (out.audio[0].frame as { samples: Float32Array }).samples[0];

Deno.test({
  name: "streamlib serve --watch: edits, additions and removals reach the next session",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_watch_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), gain(2));
      const server = await serve(dir, ["--watch", "--no-webrtc"]);
      try {
        const { client } = server;
        assert.equal(first(await client.execute("fx", { audio: [block(0.25)] })), 0.5);
        // A session open across the edit keeps the manifest it opened.
        const open = await client.open("fx");

        await Deno.writeTextFile(join(dir, "fx.json"), gain(4));
        await server.said(/reloaded '.*' \(changed fx\): fx/);
        assert.equal(first(await client.execute("fx", { audio: [block(0.25)] })), 1);
        await open.send("audio", block(0.25));
        for await (const item of open.outputs()) {
          assert.equal((item.frame as { samples: Float32Array }).samples[0], 0.5);
          break;
        }
        await open.close();

        await Deno.writeTextFile(join(dir, "quiet.json"), gain(0.5));
        await server.said(/reloaded '.*' \(added quiet\): fx, quiet/);
        assert.equal(first(await client.execute("quiet", { audio: [block(0.25)] })), 0.125);

        // Half-saved: not JSON. fx keeps its manifest; the warning names the file and the line.
        await Deno.writeTextFile(join(dir, "fx.json"), '{"version": 1, "nodes": [');
        await server.said(
          /warning: .*fx\.json left out \(invalid_manifest\): .*line 1.*; 'fx' keeps the manifest read before/,
        );
        assert.equal(first(await client.execute("fx", { audio: [block(0.25)] })), 1);

        // Saved again, with a typo: served, with the warning a start would give.
        await Deno.writeTextFile(
          join(dir, "fx.json"),
          JSON.stringify({ version: 1, nodes: [{ id: "g", type: "Gian" }] }),
        );
        await server.said(
          /pipeline 'fx' will not open \(invalid_manifest\): .*did you mean Gain\?/,
        );

        await Deno.remove(join(dir, "fx.json"));
        await server.said(/reloaded '.*' \(removed fx\): quiet/);
        await assert.rejects(
          client.execute("fx", { audio: [block(0.25)] }),
          (e) => e instanceof SessionClientError && e.code === "pipeline_not_found",
        );
      } finally {
        await server.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "streamlib serve without --watch reads its folder once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_watch_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), gain(2));
      const server = await serve(dir, ["--no-webrtc"]);
      try {
        await Deno.writeTextFile(join(dir, "fx.json"), gain(4));
        await Deno.writeTextFile(join(dir, "more.json"), gain(4));
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(first(await server.client.execute("fx", { audio: [block(0.25)] })), 0.5);
        await assert.rejects(
          server.client.execute("more", { audio: [block(0.25)] }),
          (e) => e instanceof SessionClientError && e.code === "pipeline_not_found",
        );
      } finally {
        assert.doesNotMatch(await server.stop(), /reloaded/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "streamlib serve --watch --token-file: a rotated token is what the next open needs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_serve_watch_" });
    const secrets = await Deno.makeTempDir({ prefix: "streamlib_serve_watch_tokens_" });
    try {
      await Deno.writeTextFile(join(dir, "fx.json"), gain(2));
      const file = join(secrets, "tokens.json");
      const tokens = (list: Record<string, string[]>) =>
        Deno.writeTextFile(file, JSON.stringify({ tokens: list }));
      await tokens({ "old-token-0123": ["fx"] });
      const server = await serve(dir, ["--watch", "--no-webrtc", "--token-file", file]);
      try {
        const as = (token: string) => connect(server.sessionsUrl, { token });
        assert.equal(
          first(await as("old-token-0123").execute("fx", { audio: [block(0.25)] })),
          0.5,
        );
        const open = await as("old-token-0123").open("fx");

        await tokens({ "new-token-0123": ["fx"] });
        await server.said(/reloaded the token file '.*tokens\.json'/);
        await assert.rejects(
          as("old-token-0123").execute("fx", { audio: [block(0.25)] }),
          (e) => e instanceof SessionClientError && e.code === "invalid_token",
        );
        assert.equal(
          first(await as("new-token-0123").execute("fx", { audio: [block(0.25)] })),
          0.5,
        );
        // A session opened with the old token carries on.
        await open.send("audio", block(0.25));
        for await (const item of open.outputs()) {
          assert.equal((item.frame as { samples: Float32Array }).samples[0], 0.5);
          break;
        }
        await open.close();

        // A file listing no token would open everything to anyone: refused, the tokens stay.
        await tokens({});
        await server.said(/the token file '.*' not reloaded \(invalid_field\): .*lists no token/);
        await assert.rejects(
          as("").execute("fx", { audio: [block(0.25)] }),
          (e) => e instanceof SessionClientError && e.code === "missing_token",
        );
      } finally {
        await server.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(secrets, { recursive: true });
    }
  },
});
