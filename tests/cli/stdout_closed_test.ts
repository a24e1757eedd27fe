/**
 * A command whose JSON lines nobody reads any more (`streamlib run --json | head -1`): the write
 * fails with EPIPE. It must not crash (an uncaught `StdoutWriteError` did, leaving the recording
 * unfinished): the command stops as on SIGTERM, says why on stderr with a code, finalizes what it
 * recorded and exits 1.
 */

import assert from "node:assert/strict";
import { spawnDeno } from "../fixtures/spawn_deno.ts";
import { assertFinalized, recordingManifest } from "../fixtures/recording.ts";

/** What `reader` gives until a newline (or its end). */
async function untilNewline(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  return out;
}

/** Runs the command, reads its first stdout line, then closes stdout as `head -1` does. */
async function closeAfterFirstLine(
  args: string[],
): Promise<{ code: number; first: string; err: string }> {
  const child = spawnDeno(args);
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const errText = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const out = await untilNewline(reader);
  await reader.cancel(); // the reader goes away: the next write gets EPIPE
  const { code } = await child.status;
  clearTimeout(kill);
  return { code, first: out.split("\n")[0], err: await errText };
}

Deno.test("streamlib run --json with its reader gone stops cleanly: exit 1, stdout_closed, recording finalized", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { manifest, wav } = await recordingManifest(dir);
    const started = performance.now();
    const { code, first, err } = await closeAfterFirstLine([
      "run",
      "-A",
      "cli/streamlib.ts",
      "run",
      manifest,
      "--json",
    ]);
    assert.equal(JSON.parse(first).event, "started");
    assert.equal(code, 1, err);
    assert.match(err, /error: stdout_closed: .*stopping as on SIGTERM/);
    assert.doesNotMatch(err, /Uncaught/);
    // It stopped at its next line (a stats line each second), not at some later time.
    assert.ok(performance.now() - started < 30_000);
    await assertFinalized(wav, 48_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib dashboard --json with its reader gone stops cleanly: exit 1, stdout_closed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { manifest, wav } = await recordingManifest(dir);
    const { code, first, err } = await closeAfterFirstLine([
      "run",
      "-A",
      "cli/streamlib.ts",
      "dashboard",
      manifest,
      "--start",
      "--port",
      "0",
      "--json",
    ]);
    assert.equal(JSON.parse(first).event, "started");
    assert.equal(code, 1, err);
    assert.match(err, /error: stdout_closed: /);
    assert.doesNotMatch(err, /Uncaught/);
    await assertFinalized(wav, 48_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamlib mcp on stdio whose client closed its stdout stops at the next answer: exit 1, stdout_closed", async () => {
  const child = spawnDeno(["run", "-A", "cli/streamlib.ts", "mcp"], { stdin: "piped" });
  const kill = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const errText = new Response(child.stderr).text();
  const send = child.stdin.getWriter();
  const request = (message: object) =>
    send.write(new TextEncoder().encode(JSON.stringify({ jsonrpc: "2.0", ...message }) + "\n"));
  await request({
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "t", version: "1" },
    },
  });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const out = await untilNewline(reader);
  assert.equal(JSON.parse(out.split("\n")[0]).id, 1);
  await reader.cancel(); // the client stops reading; its stdin stays open
  await request({ method: "notifications/initialized" });
  await request({ id: 2, method: "tools/list" }); // its answer meets EPIPE
  const { code } = await child.status;
  clearTimeout(kill);
  await send.close().catch(() => {});
  const err = await errText;
  assert.equal(code, 1, err);
  assert.match(err, /error: stdout_closed: Cannot write to stdout/);
  assert.doesNotMatch(err, /Uncaught|Failed to send response/);
});

/** Runs `streamlib` with its stdout or stderr pointed at /dev/full (every write fails, ENOSPC). */
async function withFull(
  args: string,
  full: "stdout" | "stderr",
  ms = 30_000,
): Promise<{ code: number; out: string; err: string }> {
  const streamlib = new URL("../../cli/streamlib.ts", import.meta.url).pathname;
  const redirect = full === "stdout" ? "> /dev/full" : "2> /dev/full";
  const child = new Deno.Command("sh", {
    args: ["-c", `exec "${Deno.execPath()}" run -A "${streamlib}" ${args} ${redirect}`],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const kill = setTimeout(() => child.kill("SIGTERM"), ms);
  const [out, err] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  const { code } = await child.status;
  clearTimeout(kill);
  return { code, out, err };
}

Deno.test("a stdout every write to fails (/dev/full) is exit 1 and stdout_closed, for any command", async () => {
  for (const args of ["nodes list", "--help", "--version"]) {
    const { code, err } = await withFull(args, "stdout");
    assert.equal(code, 1, `${args}: ${err}`);
    assert.match(err, /stdout_closed: .*No space left on device/, args);
    assert.doesNotMatch(err, /Uncaught/, args);
  }
});

Deno.test("a stderr every write to fails (/dev/full) does not end serve: it serves, then stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // No manifest and no token file: two warnings on stderr at start, which it cannot write.
    const { code, out } = await withFull(`serve ${dir} --port 0 --no-webrtc`, "stderr", 3_000);
    assert.match(out, /sessions: ws:\/\/127\.0\.0\.1:\d+\/v1\/sessions/);
    assert.equal(code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
