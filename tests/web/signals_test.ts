/**
 * `streamlib dashboard` and `deno task dashboard` (the same command, through the task runner)
 * stop the graph cleanly on SIGINT, SIGTERM and SIGHUP: the recording is finalized and the exit
 * code is 0.
 */

import assert from "node:assert/strict";
import { spawnDeno } from "../fixtures/spawn_deno.ts";
import { assertFinalized, recordingManifest } from "../fixtures/recording.ts";

async function runUntilSignal(args: string[], ready: RegExp, signal: Deno.Signal): Promise<number> {
  const child = spawnDeno(args);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 30_000;
  while (!ready.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert.match(text, ready);
  await new Promise((r) => setTimeout(r, 400)); // record a little
  child.kill(signal);
  const status = await child.status;
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  return status.code;
}

for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
  Deno.test(`streamlib dashboard stops cleanly on ${signal}: the recording is finalized`, async () => {
    const dir = await Deno.makeTempDir();
    const { manifest, wav } = await recordingManifest(dir);
    const code = await runUntilSignal(
      ["run", "-A", "cli/streamlib.ts", "dashboard", manifest, "--start", "--port", "0", "--json"],
      /"event":"started"/,
      signal,
    );
    assert.equal(code, 0);
    await assertFinalized(wav);
    await Deno.remove(dir, { recursive: true });
  });
}

for (const signal of ["SIGTERM", "SIGHUP"] as const) {
  Deno.test(`deno task dashboard stops cleanly on ${signal}: the recording is finalized`, async () => {
    const dir = await Deno.makeTempDir();
    const { manifest, wav } = await recordingManifest(dir);
    const code = await runUntilSignal(
      ["task", "dashboard", manifest, "--start", "--port", "0"],
      /Dashboard: http.*\nMCP: +http:\/\/127\.0\.0\.1:\d+\/mcp /,
      signal,
    );
    assert.equal(code, 0);
    await assertFinalized(wav);
    await Deno.remove(dir, { recursive: true });
  });
}
