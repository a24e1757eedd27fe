// SrtSink against libsrt's receiver (srt-live-transmit, from srt-tools) through a relay that loses
// 2% of the datagrams each way and delays each by 50 ms: the receiver must hold every message for
// the negotiated latency (TSBPD), so retransmissions arrive in time and nothing is lost, whether
// SrtSink is the caller (the default) or the listener. Loopback only; every peer is killed in
// `finally`.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { SrtSink } from "../../processors/mod.ts";
import { createRuntime, encodedPattern, stopIfRunning } from "./_graph.ts";
import { freePort, sleep, startPeer, waitFor } from "./_peers.ts";
import { payloadHash, srtRelay } from "./_srt_relay.ts";

type Custom = Record<string, number>;

const LATENCY_MS = 500;
const STREAM_MS = 8_000;

/** What the receiving application got: each message's payload hash and its arrival time. */
async function udpCollector(): Promise<
  { port: number; got: Map<number, number>; close(): void }
> {
  const socket = dgram.createSocket("udp4");
  const got = new Map<number, number>();
  socket.on("message", (message) => {
    const key = payloadHash(message);
    if (!got.has(key)) got.set(key, performance.now());
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, got, close: () => socket.close() };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

for (const mode of ["caller", "listener"] as const) {
  Deno.test(`SrtSink as ${mode}: libsrt holds each message for the latency and recovers 2% loss`, async () => {
    const relay = await srtRelay({ loss: 0.02, delayMs: 50 });
    const out = await udpCollector();
    const rt = createRuntime({ workers: false });
    let peer: ReturnType<typeof startPeer> | undefined;
    try {
      const port = await freePort("udp");
      relay.target = port;
      const lat = `latency=${LATENCY_MS}`;
      if (mode === "caller") {
        peer = startPeer("srt-live-transmit", [
          "-q",
          `srt://127.0.0.1:${port}?mode=listener&${lat}`,
          `udp://127.0.0.1:${out.port}`,
        ]);
        await sleep(300); // it binds its port
      }
      const srt = rt.add(SrtSink, {
        host: "127.0.0.1",
        port: mode === "caller" ? relay.port : port,
        mode,
        latencyMs: LATENCY_MS,
      }, { id: "srt" });
      encodedPattern(rt, srt.inputs.video, { bitrate: 1_000_000 });
      await rt.start();
      if (mode === "listener") {
        peer = startPeer("srt-live-transmit", [
          "-q",
          `srt://127.0.0.1:${relay.port}?mode=caller&${lat}`,
          `udp://127.0.0.1:${out.port}`,
        ]);
      }
      await waitFor("a connection", 10_000, () => rt.stats().nodes.srt.processor?.connected === 1);
      await sleep(STREAM_MS);
      const cut = performance.now() - LATENCY_MS * 2; // what was sent before this has arrived
      await sleep(LATENCY_MS);
      const custom = rt.stats().nodes.srt.processor as unknown as Custom;
      await rt.stop();

      const delays: number[] = [];
      let missing = 0;
      let considered = 0;
      for (const [key, sentAt] of relay.sent) {
        if (sentAt > cut) continue;
        considered++;
        const arrived = out.got.get(key);
        if (arrived === undefined) missing++;
        else delays.push(arrived - sentAt);
      }
      if (Deno.env.get("SRT_TSBPD_TRACE")) {
        const series = delays.filter((_, i) => i % 10 === 0).map((d) => d.toFixed(0));
        console.log(`${mode} delays over time: ${series.join(" ")}`);
      }
      const p1 = percentile(delays, 0.01);
      const p50 = percentile(delays, 0.5);
      const p99 = percentile(delays, 0.99);
      console.log(
        `${mode}: ${considered} messages, ${missing} missing, delay p1/p50/p99 ` +
          `${p1.toFixed(0)}/${p50.toFixed(0)}/${p99.toFixed(0)} ms, ` +
          `${relay.counts.dropped} datagrams dropped, ${relay.counts.retransmitted} retransmitted; ` +
          `SrtSink: lost ${custom.packetsLost}, retransmitted ${custom.packetsRetransmitted}`,
      );
      assert.ok(considered > 200, `only ${considered} messages sent`);
      assert.ok(relay.counts.retransmitted > 0, "the relay's loss caused retransmissions");
      // Held for the latency: one message delivered early would mean TSBPD is off, and
      // then retransmissions (one RTT of 100 ms and more) miss their place.
      assert.ok(p1 >= LATENCY_MS * 0.9, `delivered ${p1.toFixed(0)} ms after sending (p1)`);
      assert.ok(p99 <= LATENCY_MS + 250, `delivered ${p99.toFixed(0)} ms after sending (p99)`);
      assert.equal(missing, 0, `${missing} of ${considered} messages never reached the receiver`);
    } finally {
      await stopIfRunning(rt);
      await peer?.kill();
      relay.close();
      out.close();
    }
  });
}
