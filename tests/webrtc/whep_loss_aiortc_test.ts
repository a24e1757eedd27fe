/**
 * A viewer's `loss` with a player that sends RTCP receiver reports and no transport-wide
 * feedback: an aiortc WHEP player watches a `WhepSink` through a UDP relay that drops 5% of the
 * packets each way. Its receiver reports say how many packets it lost (`packetsLost` climbs), and
 * the sink's per-viewer `loss`, the fraction those reports give, is a number from the first report
 * on, not null (before, `loss` came only from transport-wide congestion control feedback, which
 * aiortc does not send, and stayed null while `packetsLost` was 20).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { aiortcPlayers } from "./aiortc_players.ts";
import { within } from "./chromium.ts";
import { lossyRelay } from "./lossy_relay.ts";

type Peer = { loss: number | null; packetsLost: number };

Deno.test({
  name: "WhepSink reports an aiortc viewer's loss from its receiver reports while packets are lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const relay = await lossyRelay(0.05);
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 30 });
    const whep = rt.add(WhepSink, { publicPort: relay.port }, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const stats = () =>
      rt.stats().nodes.live.processor as unknown as {
        address: string;
        peers: Peer[];
      };
    relay.target = Number(stats().address.split(":")[1]);
    const dashboard = await createDashboard(rt);
    const players = aiortcPlayers(`${dashboard.origin}/api/v1/whep/live`, dashboard.token);
    try {
      const r = await within(players.command("add"), 20_000, "the player's offer");
      assert.equal(r.status, 201, r.body);
      const seen: string[] = [];
      await within(
        (async () => {
          for (;;) {
            const peer = stats().peers[0];
            if (peer) seen.push(`${peer.packetsLost}/${peer.loss}`);
            if (peer && peer.packetsLost >= 5) return;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        })(),
        45_000,
        `the player to report lost packets: ${seen.slice(-5).join(" ")}`,
      );
      const peer = stats().peers[0];
      assert.ok(relay.counts.dropped > 0, JSON.stringify(relay.counts));
      assert.equal(typeof peer.loss, "number", `loss with ${peer.packetsLost} packets lost`);
      assert.ok(peer.loss! >= 0 && peer.loss! <= 1, String(peer.loss));
      console.log(`packetsLost/loss over time: ${seen.filter((_, i) => i % 5 === 0).join(" ")}`);
    } finally {
      await players.close();
      await dashboard.close();
      await rt.stop();
      relay.close();
    }
  },
});
