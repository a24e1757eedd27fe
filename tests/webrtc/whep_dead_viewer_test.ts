/**
 * A WHEP viewer that vanishes (its process SIGKILLed: no DTLS close, no DELETE) is noticed from
 * the transport's own signals: once its silence passes its own cadence (an aiortc player sends
 * RTCP and ICE consent checks; at most 7 s, past an overdue consent check, RFC 7675), not
 * str0m's slower ICE timeout (10.4 s before). The player is aiortc, an independent WebRTC stack
 * (`tests/fixtures/webrtc/aiortc_whep_players.py`). The viewer's coming and going are peer events
 * (`node-log` with `data.peer`) naming it by session and address.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { aiortcPlayers } from "./aiortc_players.ts";
import { within } from "./chromium.ts";

type Stats = { viewers: number };

Deno.test({
  name: "WhepSink notices a SIGKILLed aiortc viewer within 7 s",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 15, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 15 });
    const whep = rt.add(WhepSink, {}, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const stats = () => rt.stats().nodes.live.processor as unknown as Stats;
    const peers: { peer: string; with: string; detail?: string; at: number }[] = [];
    rt.on((event) => {
      if (event.type !== "node-log" || event.node !== "live") return;
      const data = event.data as { peer?: string; with?: string; detail?: string } | undefined;
      if (data?.peer) {
        peers.push({
          peer: data.peer,
          with: data.with!,
          detail: data.detail,
          at: performance.now(),
        });
      }
    });
    const players = aiortcPlayers(`${dashboard.origin}/api/v1/whep/live`, dashboard.token);
    try {
      const r = await within(players.command("add"), 20_000, "the player's offer");
      assert.equal(r.status, 201, r.body);
      await within(
        (async () => {
          while ((await players.command("count")).frames[0] < 30) {
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        })(),
        30_000,
        "the player decoding 30 frames",
      );
      assert.equal(stats().viewers, 1);
      assert.deepEqual(peers.map((e) => e.peer), ["connected"]);
      assert.match(peers[0].with, /^viewer \d+ at \d+\.\d+\.\d+\.\d+:\d+$/);
      await players.kill();
      const killedAt = performance.now();
      while (stats().viewers > 0 && performance.now() - killedAt < 15_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const noticedMs = performance.now() - killedAt;
      console.log(`the vanished viewer was noticed after ${noticedMs.toFixed(0)} ms`);
      assert.ok(noticedMs < 7_500, `noticed after ${noticedMs.toFixed(0)} ms`);
      // The sink reports on its next frame (15 fps here).
      while (peers.length < 2 && performance.now() - killedAt < 10_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(peers.map((e) => e.peer), ["connected", "disconnected"]);
      const gone = peers[1];
      assert.equal(gone.with, peers[0].with);
      assert.match(gone.detail ?? "", /^silent for \d\.\d s, past its own cadence$/);
      console.log(
        `disconnected event ${(gone.at - killedAt).toFixed(0)} ms after the kill: ${gone.detail}`,
      );
      assert.ok(gone.at - killedAt < 7_500, `event after ${(gone.at - killedAt).toFixed(0)} ms`);
    } finally {
      await players.kill();
      await dashboard.close();
      await rt.stop();
    }
  },
});
