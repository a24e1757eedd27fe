/**
 * `run` told to stop (Ctrl-C, SIGTERM, SIGHUP, `--seconds`) while a node is still in `setup()`
 * (a device or server that never answers) does not hang (issue 14, item 4): it waits a bounded
 * time for setup to return, stops cleanly if it does, and otherwise exits 1 naming the node.
 */

import assert from "node:assert/strict";
import { NodeRegistry } from "../../mod.ts";
import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
import { main } from "../../cli/run.ts";

/** A sink whose setup() takes `ms` milliseconds (forever for `Infinity`). */
function slowSetupSink(name: string, ms: number) {
  return {
    ...nullSinkNode,
    descriptor: { ...nullSinkNode.descriptor, name },
    create: ((config, ports) => {
      const sink = nullSinkNode.create(config, ports);
      sink.setup = () =>
        new Promise<void>((resolve) => {
          if (Number.isFinite(ms)) setTimeout(resolve, ms);
        });
      return sink;
    }) as typeof nullSinkNode.create,
  };
}

async function runWith(type: string, ms: number, stopAfterMs: number, graceMs: number) {
  const dir = await Deno.makeTempDir();
  const manifest = `${dir}/p.json`;
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      version: 1,
      nodes: [
        { id: "tone", type: "TestToneGenerator" },
        { id: "stuck", type },
      ],
      connections: [{ from: "tone.audio", to: "stuck.in" }],
    }),
  );
  const out: string[] = [];
  const err: string[] = [];
  const abort = new AbortController();
  setTimeout(() => abort.abort(), stopAfterMs);
  const started = performance.now();
  try {
    const code = await main([manifest], { out: (l) => out.push(l), err: (l) => err.push(l) }, {
      registry: new NodeRegistry([slowSetupSink(type, ms)]),
      signal: abort.signal,
      startGraceMs: graceMs,
    });
    return { code, out: out.join("\n"), err: err.join("\n"), ms: performance.now() - started };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("run asked to stop while a setup() never returns exits 1 after the grace time, naming the nodes not yet running", async () => {
  const { code, err, ms } = await runWith("HangingSink", Infinity, 100, 400);
  assert.equal(code, 1);
  assert.match(err, /still starting 0\.4 s after the stop .*not yet running: .*'stuck'/);
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
});

Deno.test("run asked to stop while a setup() is slow waits for it, then stops cleanly with exit 0", async () => {
  const { code, out, err } = await runWith("SlowSink", 300, 50, 5000);
  assert.equal(code, 0, err);
  assert.match(out, /stopped: /);
});
