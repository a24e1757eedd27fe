/// <reference lib="dom" />
/**
 * WHEP under 2% packet loss each way (a lossy UDP relay between Chromium and the endpoint, which
 * announces the relay's port; `tc netem` is not available on this kernel). The encoder makes only
 * its first keyframe, so a lost packet that is not recovered would freeze the picture: the stream
 * recovers by NACK retransmission (str0m resends from its history), and Chromium keeps playing the
 * moving box at a live rate. Chromium's own `getStats()` (an independent count) must show the
 * NACKs it sent, and the sink must have seen them. The sink's per-viewer `loss` (the fraction lost
 * that Chromium's RTCP receiver reports give) follows the loss: a number from the first report on,
 * above 0 in the intervals in which packets were lost, never null or 0 while `packetsLost` climbs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { launchChromium, within } from "./chromium.ts";
import { lossyRelay } from "./lossy_relay.ts";
import { sampleBox, startWhep } from "./whep_page.ts";

Deno.test({
  name:
    "WhepSink recovers from 2% packet loss each way by NACK retransmission: Chromium keeps playing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const relay = await lossyRelay(0.02);
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 640, height: 480, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 });
    const whep = rt.add(WhepSink, { publicPort: relay.port }, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    type Stats = {
      address: string;
      keyframeRequests: number;
      peers: { nacks: number; plis: number; loss: number | null; packetsLost: number }[];
    };
    const stats = () => rt.stats().nodes.live.processor as unknown as Stats;
    relay.target = Number(stats().address.split(":")[1]);
    const dashboard = await createDashboard(rt);
    const context = await launchChromium();
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.origin}/api/v1`);
      const started = await within(
        page.evaluate(startWhep, {
          url: `${dashboard.origin}/api/v1/whep/live`,
          token: dashboard.token,
        }),
        15_000,
        "the WHEP offer/answer",
      );
      assert.equal(started.status, 201, started.body);
      await page.waitForFunction(
        () => {
          const v = document.getElementById("v") as HTMLVideoElement | null;
          return v !== null && v.readyState >= 2 && v.videoWidth === 640;
        },
        undefined,
        { timeout: 20_000 },
      );
      const positions = new Set<string>();
      const first = await page.evaluate(sampleBox, "#v");
      const losses: (number | null)[] = [];
      for (let i = 0; i < 60; i++) {
        const { box } = await page.evaluate(sampleBox, "#v");
        if (box) positions.add(`${box.x},${box.y}`);
        losses.push(stats().peers[0].loss);
        await page.waitForTimeout(200);
      }
      const last = await page.evaluate(sampleBox, "#v");
      const fps = (last.frames - first.frames) / (last.time - first.time);
      const inbound = await page.evaluate(async () => {
        const pc = (globalThis as unknown as { pc: RTCPeerConnection }).pc;
        const report = await pc.getStats();
        for (const s of report.values()) {
          if (s.type === "inbound-rtp" && s.kind === "video") {
            return {
              nackCount: s.nackCount as number,
              pliCount: s.pliCount as number,
              packetsLost: s.packetsLost as number,
              framesDecoded: s.framesDecoded as number,
            };
          }
        }
        return undefined;
      });
      const ours = stats();
      const { forwarded, dropped } = relay.counts;
      assert.ok(dropped >= 5, `the relay lost packets: ${JSON.stringify(relay.counts)}`);
      assert.ok(dropped / (forwarded + dropped) < 0.05, "about 2% of them");
      assert.ok(
        inbound && inbound.nackCount > 0,
        `Chromium sent NACKs: ${JSON.stringify(inbound)}`,
      );
      assert.ok(ours.peers[0].nacks > 0, `the sink saw NACKs: ${JSON.stringify(ours)}`);
      // Chromium reports about once a second: 12 s of samples hold many reports.
      const reported = losses.slice(losses.findIndex((l) => l !== null));
      assert.ok(reported.length >= 40, `loss known from the first seconds: ${losses.join(" ")}`);
      assert.ok(reported.every((l) => typeof l === "number" && l >= 0 && l <= 1), losses.join(" "));
      assert.ok(
        ours.peers[0].packetsLost === 0 || reported.some((l) => l! > 0),
        `${ours.peers[0].packetsLost} packets lost, and a loss above 0: ${losses.join(" ")}`,
      );
      assert.ok(positions.size >= 10, `the box kept moving: ${positions.size} positions`);
      assert.ok(fps > 15, `a live frame rate through the loss: ${fps.toFixed(1)} fps`);
    } finally {
      await context.close();
      await dashboard.close();
      await rt.stop();
      relay.close();
    }
  },
});
