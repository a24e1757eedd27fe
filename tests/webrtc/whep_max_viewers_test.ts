/**
 * `maxViewers` holds against real players that are alive but quiet: eight aiortc WHEP players
 * (an independent WebRTC stack, `tests/fixtures/webrtc/aiortc_whep_players.py`) join a
 * `WhepSink` whose `maxViewers` is 8 while its runtime is paused, so no media has reached them
 * and they send only what ICE needs (a consent check every 4 to 6 s). Offers of a ninth player
 * keep getting 503 `webrtc_too_many_peers`, with a message that says what is full and the limit,
 * for longer than a consent interval: a quiet live viewer is not taken for a vanished one
 * (before, a viewer silent for 3 s was replaced and a ninth admitted, one for each offer). Once
 * the runtime resumes, the eight play. A viewer that really vanishes is still replaced: `whep_rejoin_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { aiortcPlayers } from "./aiortc_players.ts";
import { within } from "./chromium.ts";

type Stats = { viewers: number; viewersReplaced: number };

Deno.test({
  name: "WhepSink with maxViewers 8 refuses a ninth aiortc player while the eight are quiet",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 15, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 15 });
    const whep = rt.add(WhepSink, { maxViewers: 8 }, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const stats = () => rt.stats().nodes.live.processor as unknown as Stats;
    let most = 0;
    const watch = setInterval(() => most = Math.max(most, stats().viewers), 20);
    const players = aiortcPlayers(`${dashboard.origin}/api/v1/whep/live`, dashboard.token);
    const playing = async (what: string) => {
      const before = (await players.command("count")).frames;
      await within(
        (async () => {
          for (;;) {
            const { frames } = await players.command("count");
            if (frames.every((n, i) => n > before[i] + 5)) return;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        })(),
        30_000,
        what,
      );
    };
    try {
      await rt.pause();
      for (let i = 0; i < 8; i++) {
        const r = await within(players.command("add"), 20_000, `player ${i + 1}'s offer`);
        assert.equal(r.status, 201, `player ${i + 1}: ${r.body}`);
      }
      await within(
        (async () => {
          while ((await players.command("count")).states.some((s) => s !== "connected")) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        30_000,
        "the eight players to connect",
      );
      // Longer than a consent interval (6 s at most) and than the old 3 s rule, many times over.
      const deadline = performance.now() + 12_000;
      let offers = 0;
      while (performance.now() < deadline) {
        const r = await within(players.command("add"), 20_000, "a ninth player's offer");
        offers++;
        assert.equal(r.status, 503, `offer ${offers} of a ninth player: ${r.body}`);
        const error = JSON.parse(r.body).error;
        assert.equal(error.code, "webrtc_too_many_peers");
        assert.match(error.message, /viewer places taken: 8 of 8, its limit/);
        assert.doesNotMatch(error.message, /Handle table/);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      assert.equal(stats().viewersReplaced, 0, "no live viewer was replaced");
      assert.equal(most, 8, "never more than maxViewers viewers");
      await rt.resume();
      await playing("the eight players to play once the runtime resumed");
      console.log(`${offers} offers of a ninth player refused over 12 s of quiet viewers`);
    } finally {
      clearInterval(watch);
      await players.close();
      await dashboard.close();
      await rt.stop();
    }
  },
});
