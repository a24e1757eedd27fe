/**
 * `streamlib mcp` on stdio with processors that print, in the main isolate and in a Worker: the
 * SDK's own client sees nothing but protocol on stdout, and what the processors log with
 * `ctx.log` arrives as MCP logging messages from `node:<id>`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-types="@modelcontextprotocol/sdk/types"
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connectStdio } from "./mcp_client.ts";

const PRINTING = fileURLToPath(new URL("../fixtures/runtime/printing_nodes.ts", import.meta.url));

Deno.test("streamlib mcp on stdio: prints of processors in the main isolate and a Worker never reach the protocol; ctx.log lines arrive as logging messages", async () => {
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
  {
    await using mcp = await connectStdio(manifest, "--load-plugins");
    const errors: Error[] = [];
    mcp.client.onerror = (error) => errors.push(error);
    const logged: { logger?: string; level: string; data: unknown }[] = [];
    mcp.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logged.push(n.params as never);
    });
    // Setup (and its prints) happens now, while the protocol runs.
    const started = await mcp.call("start");
    assert.equal(started.isError, false, started.text);
    const workerRuns = () =>
      logged.filter((l) => l.logger === "node:chat_worker" && l.level === "warning").length;
    for (let i = 0; i < 200 && workerRuns() < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const graph = await mcp.call("get_graph"); // the stream still parses after every print
    assert.equal(graph.isError, false, graph.text);
    assert.equal(graph.data.state, "running");
    assert.deepEqual(errors.map((e) => e.message), [], "the client saw only protocol on stdout");
    for (const node of ["chat_main", "chat_worker"]) {
      const mine = logged.filter((l) => l.logger === `node:${node}`);
      assert.deepEqual(
        mine.map((l) => [l.level, (l.data as { message: string }).message]),
        [["info", "set up"], ["warning", "run 1"], ["warning", "run 2"], ["warning", "run 3"]],
        node,
      );
    }
    // The prints went to stderr, from both isolates.
    assert.match(mcp.stderr(), /chatter chat_main: run 1/);
    assert.match(mcp.stderr(), /chatter chat_worker: run 1/);
    // And the prints that pass by console (stdout itself is diverted).
    for (const node of ["chat_main", "chat_worker"]) {
      assert.match(mcp.stderr(), new RegExp(`raw stdout from ${node}`));
      assert.match(mcp.stderr(), new RegExp(`async raw from ${node}`));
      assert.match(mcp.stderr(), new RegExp(`count ${node}: 1`));
    }
    await mcp.call("stop");
  }
  await Deno.remove(dir, { recursive: true });
});
