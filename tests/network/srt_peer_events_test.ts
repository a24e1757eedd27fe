// Peer events of the SRT nodes against libsrt (srt-live-transmit, from srt-tools): a peer that
// connects, is SIGKILLed (only silence tells) and comes back is seen as `connected`,
// `disconnected` within idleTimeoutMs (plus one poll), `retrying` (a caller) and `reconnected`,
// each a `node-log` event with `data.peer`, which `rt.on()`, `run --json`, MCP and the dashboard
// show. Loopback only; every peer is killed in `finally`.
import assert from "node:assert/strict";
import { NullSink, SrtSink, SrtSource } from "../../processors/mod.ts";
import type { RuntimeEvent } from "../../mod.ts";
import { createRuntime, encodedPattern, stopIfRunning } from "./_graph.ts";
import { freePort, sleep, startPeer, waitFor } from "./_peers.ts";

// A live libsrt peer with nothing to send sends a keep-alive a second, so the timeout must be
// longer than that (1,000 would take an idle live link for a dead one).
const IDLE_MS = 1_500;

/** The peer events of `node` seen so far, with when they came (`performance.now()`). */
function peerEvents(rt: { on(listener: (e: RuntimeEvent) => void): unknown }, node: string) {
  const seen: { peer: string; at: number; message: string }[] = [];
  rt.on((event) => {
    if (event.type !== "node-log" || event.node !== node) return;
    const data = event.data as { peer?: string } | undefined;
    if (data?.peer) seen.push({ peer: data.peer, at: performance.now(), message: event.message });
  });
  return seen;
}

Deno.test("SrtSink caller: connected, disconnected within idleTimeoutMs of a SIGKILL, retrying, reconnected", async () => {
  const port = await freePort("udp");
  const output = await freePort("udp");
  const listen = () =>
    startPeer("srt-live-transmit", [
      "-q",
      `srt://127.0.0.1:${port}?mode=listener`,
      `udp://127.0.0.1:${output}`,
    ]);
  let receiver = listen();
  const rt = createRuntime({ workers: false });
  const seen = peerEvents(rt, "srt");
  try {
    await sleep(300); // it binds its port
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port, idleTimeoutMs: IDLE_MS }, { id: "srt" });
    encodedPattern(rt, srt.inputs.video);
    await rt.start();
    await waitFor("connected", 10_000, () => seen.some((e) => e.peer === "connected"));
    assert.match(seen[0].message, new RegExp(`srt caller 127\\.0\\.0\\.1:${port}`));
    await sleep(1_000);
    await receiver.kill(); // SIGKILL: no shutdown reaches the sink, only silence
    const killedAt = performance.now();
    await waitFor("disconnected", 8_000, () => seen.some((e) => e.peer === "disconnected"));
    const noticedMs = seen.find((e) => e.peer === "disconnected")!.at - killedAt;
    console.log(`SrtSink noticed the dead receiver after ${noticedMs.toFixed(0)} ms`);
    assert.ok(noticedMs < IDLE_MS + 600, `noticed after ${noticedMs} ms`);
    await waitFor("retrying", 8_000, () => seen.some((e) => e.peer === "retrying"));
    receiver = listen();
    await waitFor("reconnected", 10_000, () => seen.some((e) => e.peer === "reconnected"));
    await rt.stop();
    assert.deepEqual(seen.map((e) => e.peer), [
      "connected",
      "disconnected",
      "retrying",
      "reconnected",
    ]);
  } finally {
    await stopIfRunning(rt);
    await receiver.kill();
  }
});

Deno.test("SrtSource listener: each libsrt sender connects and is noticed gone within idleTimeoutMs", async () => {
  const port = await freePort("udp");
  const rt = createRuntime({ workers: false });
  const seen = peerEvents(rt, "srt");
  const srt = rt.add(SrtSource, { port, mode: "listener", idleTimeoutMs: IDLE_MS }, { id: "srt" });
  const sink = rt.add(NullSink, {}, { id: "sink" });
  rt.connect(srt.outputs.video, sink.inputs.in);
  await rt.start();
  // srt-live-transmit relays a UDP input nobody feeds: it connects and keeps the link alive.
  const input = await freePort("udp");
  const send = () =>
    startPeer("srt-live-transmit", [
      "-q",
      `udp://127.0.0.1:${input}`,
      `srt://127.0.0.1:${port}?mode=caller`,
    ]);
  let sender = send();
  try {
    // srt-live-transmit retries its connection; a loaded machine can take a while to start it.
    await waitFor("connected", 20_000, () => seen.some((e) => e.peer === "connected"));
    await sleep(IDLE_MS + 1_000); // alive past idleTimeoutMs with no data: keep-alives count
    assert.deepEqual(seen.map((e) => e.peer), ["connected"]);
    await sender.kill();
    const killedAt = performance.now();
    await waitFor("disconnected", 8_000, () => seen.some((e) => e.peer === "disconnected"));
    const noticedMs = seen.find((e) => e.peer === "disconnected")!.at - killedAt;
    console.log(`SrtSource noticed the dead sender after ${noticedMs.toFixed(0)} ms`);
    assert.ok(noticedMs < IDLE_MS + 600, `noticed after ${noticedMs} ms`);
    sender = send();
    await waitFor("reconnected", 10_000, () => seen.some((e) => e.peer === "reconnected"));
    await rt.stop();
    assert.deepEqual(seen.map((e) => e.peer), ["connected", "disconnected", "reconnected"]);
  } finally {
    await stopIfRunning(rt);
    await sender.kill();
  }
});
