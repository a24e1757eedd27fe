/**
 * `streamlib serve`'s gRPC port outlives clients that close their connections: a real Node.js
 * HTTP/2 client (not Deno's) opens thousands of connections to it and closes each gracefully,
 * idle, as a stock gRPC client that is done does (a GOAWAY). On Deno 2.9.6 each such GOAWAY made
 * the server's session destroy itself while still taking in bytes, and Deno then used the freed
 * nghttp2 state (denoland/deno#36788): the serve process died of a segmentation fault or an abort
 * in 3 of 8 runs of 4,000 connections (this test makes 12,000). sessions/grpc/_http2_guard.ts defers that destroy.
 * The server runs as a child process, so a crash fails this test, not the test process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { gain } from "./ws_helpers.ts";

const CLI = new URL("../../cli/streamlib.ts", import.meta.url).pathname;
const CONNECTIONS = 12_000;

/** The Node.js client: `CONNECTIONS` connections, 8 at a time, each closed once set up. */
const CLIENT = `
import http2 from "node:http2";
const [port, total] = process.argv.slice(2).map(Number);
let started = 0, opened = 0, closed = 0, failed = 0;
async function one() {
  await new Promise((resolve) => {
    const session = http2.connect("http://127.0.0.1:" + port);
    session.on("error", () => { failed++; resolve(); });
    session.on("close", resolve);
    session.on("remoteSettings", () => { opened++; session.close(); });
  });
  closed++;
}
await Promise.all(Array.from({ length: 8 }, async () => {
  while (started < total) {
    started++;
    await one();
  }
}));
console.log(JSON.stringify({ opened, closed, failed }));
`;

async function node(): Promise<string> {
  try {
    const { success } = await new Deno.Command("node", { args: ["--version"], stdout: "null" })
      .output();
    if (success) return "node";
  } catch { /* not installed */ }
  throw new Error(
    "Cannot run node (Node.js, which the README's setup installs): this test needs it",
  );
}

Deno.test("serve over gRPC stays up while thousands of idle clients close their connections", async () => {
  const nodeBin = await node();
  const dir = await Deno.makeTempDir({ prefix: "streamlib_grpc_close_" });
  await Deno.writeTextFile(join(dir, "voice-fx.json"), JSON.stringify(gain(2)));
  const clientFile = join(dir, "client.mjs");
  await Deno.writeTextFile(clientFile, CLIENT);
  const args = [dir, "--port", "0", "--grpc-port", "0", "--json", "--no-webrtc", "--no-dashboard"];
  // Both processes at the lowest CPU priority: their burst (both cores for seconds) must not take
  // the time of the realtime tests running beside this file.
  const child = new Deno.Command("nice", {
    args: ["-n", "19", Deno.execPath(), "run", "-A", CLI, "serve", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`streamlib serve exited before listening: ${await stderr}`);
      text += value;
    }
    const { port, grpcPort } = JSON.parse(text.slice(0, text.indexOf("\n")));
    let exited: Deno.CommandStatus | undefined;
    child.status.then((status) => (exited = status));
    const run = await new Deno.Command("nice", {
      args: ["-n", "19", nodeBin, clientFile, String(grpcPort), String(CONNECTIONS)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = new TextDecoder().decode(run.stdout).trim();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    await new Promise((r) => setTimeout(r, 500)); // the last GOAWAYs are taken in
    if (exited !== undefined) {
      assert.fail(`serve died (${JSON.stringify(exited)}) under ${report}: ${await stderr}`);
    }
    const { opened, closed } = JSON.parse(report);
    assert.equal(closed, CONNECTIONS, report);
    assert.ok(opened > CONNECTIONS * 0.99, `connections set up: ${report}`);
    // It still serves: its metrics answer.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(metrics.status, 200);
    await metrics.body?.cancel();
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await reader.cancel().catch(() => {});
    await stderr;
    await Deno.remove(dir, { recursive: true });
  }
});
