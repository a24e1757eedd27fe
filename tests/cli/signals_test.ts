/**
 * `streamlib run` and `deno task run` stop the graph cleanly on SIGINT, SIGTERM and SIGHUP (issue
 * 14): the recording is finalized (its header describes every sample written) and the exit code
 * is 0. `dashboard` and `mcp` have the same tests in tests/web/signals_test.ts and
 * tests/mcp/signals_test.ts.
 */

import assert from "node:assert/strict";
import { spawnDeno } from "../fixtures/spawn_deno.ts";
import { assertFinalized, recordingManifest } from "../fixtures/recording.ts";

/** Starts the command, waits for its first status line, records a little, sends `signal`. */
async function stopWith(
  args: string[],
  signal: Deno.Signal,
): Promise<{ code: number; out: string }> {
  const child = spawnDeno(args);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
  while (!/ running \|/.test(out)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  child.kill(signal);
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const { code } = await child.status;
  clearTimeout(kill);
  await child.stderr.cancel().catch(() => {});
  return { code, out };
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  Deno.test(`streamlib run stops cleanly on ${signal}: exit 0, the recording is finalized`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { manifest, wav } = await recordingManifest(dir);
      const { code, out } = await stopWith(
        ["run", "-A", "cli/streamlib.ts", "run", manifest],
        signal,
      );
      assert.equal(code, 0, out);
      assert.match(out, /stopped: .* 0 failed/);
      await assertFinalized(wav, 48_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  Deno.test(`deno task run stops cleanly on ${signal} sent to the task: exit 0, the recording is finalized`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { manifest, wav } = await recordingManifest(dir);
      const { code, out } = await stopWith(["task", "--quiet", "run", manifest], signal);
      assert.equal(code, 0, out);
      assert.match(out, /stopped: /);
      await assertFinalized(wav, 48_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("streamlib run with a processor stuck in process(): the first Ctrl-C says so, the second kills", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest = `${dir}/stuck.json`;
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        plugins: [new URL("../fixtures/runtime/stuck_node.ts", import.meta.url).pathname],
        nodes: [
          { id: "tone", type: "TestToneGenerator", config: {} },
          { id: "stuck", type: "Stuck", config: {} },
        ],
        connections: [{ from: "tone.audio", to: "stuck.in" }],
      }),
    );
    const child = spawnDeno(["run", "-A", "cli/streamlib.ts", "run", manifest, "--load-plugins"]);
    const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
    void child.stdout.cancel();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let err = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(err)) {
        const { value, done } = await reader.read();
        if (done) break;
        err += value;
      }
    };
    await until(/stuck: spinning from now on/);
    child.kill("SIGINT"); // to the parent, as a terminal's Ctrl-C reaches it
    const asked = performance.now();
    await until(/streamlib: still stopping/);
    const said = performance.now() - asked;
    assert.match(err, /still stopping 5 s after SIGINT: a processor may be stuck in process\(\)/);
    assert.ok(said >= 4_500 && said < 20_000, `said after ${said.toFixed(0)} ms`);
    child.kill("SIGINT");
    await until(/$^/); // to the end
    const { code } = await child.status;
    clearTimeout(kill);
    assert.equal(code, 137, err);
    assert.match(err, /streamlib: killed \(SIGKILL\) at the second SIGINT/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
