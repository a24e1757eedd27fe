/**
 * The README's main command, `deno task demo` (`examples/demo.ts`), as a subprocess: it prints
 * the dashboard's URL, every demo node runs and moves frames while it is up, and it stops by
 * itself with `--seconds`.
 */

import assert from "node:assert/strict";
import {
  DEMO_CONNECTIONS,
  DEMO_NODES,
  GPU_DEMO_CONNECTIONS,
  GPU_DEMO_NODES,
} from "../../examples/demo_pipeline.ts";
import { ROOT } from "./run_example.ts";

const ALL_NODES = [...DEMO_NODES, ...GPU_DEMO_NODES];

interface GraphNode {
  id: string;
  state: string;
  stats: { calls: number; framesIn: number; framesOut: number; errors: number };
}

Deno.test("examples/demo.ts prints the dashboard URL, runs every demo node and exits 0", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "examples/demo.ts", "--seconds", "3", "--port", "0"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const watchdog = setTimeout(() => child.kill("SIGKILL"), 20_000); // a hung demo fails, not hangs

  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  const readUntil = async (pattern: RegExp) => {
    while (!pattern.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) return;
      stdout += value;
    }
  };

  try {
    await readUntil(/^Dashboard: .*\n/m);
    const url = /^Dashboard: (\S+)$/m.exec(stdout)?.[1];
    if (!url) assert.fail(`no dashboard URL in:\n${stdout}\n${await stderr}`); // stderr: at exit
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
    const origin = new URL(url).origin;

    // While it runs: every demo node is running and has moved frames (sources out, sinks in).
    let nodes: GraphNode[] = [];
    const busy = (n: GraphNode) =>
      n.state === "running" && n.stats.calls > 0 &&
      (n.id.endsWith("_out") ? n.stats.framesIn > 0 : n.stats.framesOut > 0);
    for (let attempt = 0; attempt < 40; attempt++) {
      const graph = await (await fetch(`${origin}/api/v1/graph`)).json();
      assert.equal(graph.state, "running");
      // CI has a WebGPU adapter (lavapipe), so the GPU branch runs beside the demo pipeline.
      assert.equal(
        graph.connections.length,
        DEMO_CONNECTIONS.length + GPU_DEMO_CONNECTIONS.length,
      );
      nodes = graph.nodes;
      if (nodes.length === ALL_NODES.length && nodes.every(busy)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(nodes.map((n) => n.id), ALL_NODES);
    for (const node of nodes) {
      assert.ok(busy(node), `${node.id}: ${node.state} ${JSON.stringify(node.stats)}`);
      assert.equal(node.stats.errors, 0, node.id);
    }

    const page = await fetch(url);
    assert.equal(page.status, 200);
    await page.body?.cancel();
  } finally {
    await readUntil(/^Stopped\.$/m); // --seconds 3 stops it by itself
    const status = await child.status;
    clearTimeout(watchdog);
    if (status.code !== 0) assert.fail(`exit ${status.code}\n${stdout}\n${await stderr}`);
  }
  assert.match(stdout, /^streamlib demo: .*\(running\)$/m);
  assert.match(stdout, /^GPU: pattern -> gpu_effect .*\(running\)$/m);
  assert.match(stdout, /^Stopped\.$/m);
});
