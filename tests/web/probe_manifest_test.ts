/**
 * Previews and user taps are probes, which change nothing in the graph: a manifest saved through
 * MCP and through the control API while a client watches every output and a user probe is
 * attached (video on a Worker included) loads into a fresh runtime as an equal graph.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadManifest, type Manifest, type Runtime, saveManifest } from "../../mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { createMcpEndpoint } from "../../mcp/mod.ts";
import { ControlPolicy } from "../../frontend/control_policy.ts";
import { addDemoPipeline, DEMO_CONNECTIONS } from "../../examples/demo_pipeline.ts";
import { StreamClient, until } from "./harness.ts";

/** The graph as manifests and describe() agree on it: nodes (type, config, placement) and edges. */
function shape(rt: Runtime) {
  const graph = rt.describe();
  return {
    nodes: graph.nodes
      .map((n) => ({ id: n.id, type: n.type, placement: n.placement, config: n.config }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    connections: graph.connections.map((c) => `${c.from}->${c.to}:${c.policy}/${c.capacity}`)
      .sort(),
    isolates: graph.isolates,
  };
}

Deno.test({
  name:
    "Manifests saved through MCP and the control API while previews are watched and probes attached load into a fresh runtime as an equal graph",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const media = await Deno.makeTempDir();
    await using rt = createRuntime();
    addDemoPipeline(rt, { videoWorker: "video" });
    await rt.start();
    await using dashboard = await createDashboard(rt, {
      control: new ControlPolicy({ mediaDirs: [media] }),
      mcp: createMcpEndpoint,
    });
    const expected = shape(rt);

    // A client watches every output: video thumbnails (one from the Worker) and audio levels.
    const client = new StreamClient(
      `${dashboard.origin.replace("http", "ws")}/api/v1/stream?token=${dashboard.token}`,
      {},
    );
    await client.opened;
    await client.next((m) => m.type === "snapshot");
    const outputs = DEMO_CONNECTIONS.map(([from]) => from);
    client.send({ type: "watch", outputs });
    const thumb = await client.nextFrame((f) => f.header.output === "scale.out", 10_000);
    assert.equal(thumb.header.width, 160, "a thumbnail made in the Worker");
    await client.next(
      (m) => m.type === "stats" && (m.stats.levels["reverb.out"]?.rms[0] ?? 0) > 0,
      10_000,
    );
    // And a user probe of its own.
    let userSamples = 0;
    using _user = rt.probe("mixer.out", () => userSamples++, { everyMs: 20 });
    await until(() => userSamples > 0, 5000, "a user probe sample");
    assert.equal(rt.probes().length, outputs.length + 1);
    assert.deepEqual(shape(rt), expected, "probes change nothing in describe()");

    // Save through MCP (official SDK client over the dashboard's /mcp) and the control API.
    const mcp = new Client({ name: "streamlib-tests", version: "1.0.0" });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(dashboard.mcpUrl!), {
        requestInit: { headers: { authorization: `Bearer ${dashboard.token}` } },
      }),
    );
    const path = join(media, "saved.json");
    const saved = await mcp.callTool({ name: "save_manifest", arguments: { path } });
    assert.notEqual(saved.isError, true, JSON.stringify(saved.content));
    await mcp.close();
    const viaMcp: Manifest = JSON.parse(await Deno.readTextFile(path));
    const reply = await fetch(`${dashboard.origin}/api/v1/manifest`, {
      headers: { authorization: `Bearer ${dashboard.token}` },
    });
    assert.equal(reply.status, 200);
    const { ui, ...viaApi }: Manifest = await reply.json();
    // The dashboard adds where it draws each node (editor metadata); MCP has no drawing.
    assert.deepEqual(
      Object.keys(ui?.positions ?? {}).sort(),
      rt.describe().nodes.map((n) => n.id).sort(),
    );
    assert.deepEqual(viaMcp, viaApi, "MCP and the control API save the same manifest");
    assert.deepEqual(viaApi, saveManifest(rt), "and it is the runtime's own");

    // Each loads into a fresh runtime as an equal graph.
    for (const manifest of [viaMcp, viaApi]) {
      await using fresh = createRuntime();
      loadManifest(fresh, manifest);
      assert.deepEqual(shape(fresh), expected);
    }
    await client.close();
  },
});
