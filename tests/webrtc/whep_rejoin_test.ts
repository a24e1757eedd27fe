/**
 * A WHEP viewer that vanishes and a new one that comes later: headless Chromium A plays the
 * stream, then is SIGKILLed (no `DELETE`, no DTLS close: its session just goes silent); 4 s
 * later Chromium B offers to the same `WhepSink`, whose `maxViewers` is 1, retrying a refused offer
 * as a WHEP client does. B takes the silent session's place without waiting for ICE to time out
 * (replacing it, `viewersReplaced`, or after the sink dropped it on its own once its silence proved
 * it gone, 3 s to 7 s), plays the stream from
 * a keyframe its join asked for (the encoder makes only its first keyframe on its own), and the
 * encoder kept its 30 fps all along.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { createRuntime, H264Encoder, TestPattern, WhepSink } from "../../processors/mod.ts";
import { createDashboard } from "../../web/mod.ts";
import { boxMoves, killChromium, launchChromium, offerUntilTaken } from "./chromium.ts";
import { startWhep } from "./whep_page.ts";

type Stats = {
  viewers: number;
  viewersReplaced: number;
  keyframeRequests: number;
  framesDropped: number;
  peers: { session: number; frames: number; state: string }[];
};

/**
 * Plays `live` in a new page of `context` and checks the box moves; returns the session path. A
 * refused offer is made again until `retryUntil` ({@linkcode offerUntilTaken}).
 */
async function watch(
  context: BrowserContext,
  origin: string,
  token: string,
  retryUntil = 0,
): Promise<string> {
  const url = `${origin}/api/v1/whep/live`;
  const { page, location } = await offerUntilTaken(
    context,
    origin,
    (page) => page.evaluate(startWhep, { url, token }),
    retryUntil,
  );
  await boxMoves(page, "the WHEP stream");
  return location;
}

Deno.test({
  name: "WhepSink: a viewer that vanishes is replaced by a later one, which gets a keyframe",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const rt = createRuntime({ workers: false });
    const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
    const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 0 }, {
      id: "enc",
    });
    const whep = rt.add(WhepSink, { maxViewers: 1 }, { id: "live" });
    rt.connect(pattern.outputs.video, encoder.inputs.in);
    rt.connect(encoder.outputs.out, whep.inputs.video);
    await rt.start();
    const dashboard = await createDashboard(rt);
    const stats = () => rt.stats().nodes.live.processor as unknown as Stats;
    const calls = () => rt.stats().nodes.enc.calls;
    const contexts: BrowserContext[] = [];
    try {
      const t0 = performance.now(), calls0 = calls();
      const a = await launchChromium();
      contexts.push(a);
      const sessionA = await watch(a, dashboard.origin, dashboard.token);
      assert.equal(stats().viewers, 1);
      const requestsBeforeB = stats().keyframeRequests;

      killChromium(a);
      const killedAt = performance.now();
      // The sink takes one viewer: until A's silence proves it gone, another offer is refused
      // (503). That is 3 s (twice A's longest gap, if longer) once A had been connected for 6 s,
      // and 7 s otherwise (a consent check overdue), so B's first offer at 4 s may be refused; B
      // retries until 9 s. By then A's silence may have ended its session already, or B's offer
      // replaces it.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const b = await launchChromium();
      contexts.push(b);
      const sessionB = await watch(b, dashboard.origin, dashboard.token, killedAt + 9_000);
      const rejoinMs = performance.now() - killedAt;
      assert.notEqual(sessionB, sessionA);

      const s = stats();
      assert.equal(s.viewers, 1, JSON.stringify(s));
      assert.ok(s.viewersReplaced <= 1, JSON.stringify(s));
      assert.equal(`/api/v1/whep/live/${s.peers[0].session}`, sessionB);
      assert.ok(s.keyframeRequests > requestsBeforeB, "B's join asked for a keyframe");
      const fps = (calls() - calls0) / ((performance.now() - t0) / 1000);
      assert.ok(fps > 25, `the encoder kept its pace: ${fps.toFixed(1)} runs/s`);
      console.log(
        `B playing ${(rejoinMs / 1000).toFixed(1)} s after A was killed; encoder ${
          fps.toFixed(1)
        } runs/s; sink framesDropped ${s.framesDropped}, keyframe requests ${s.keyframeRequests}`,
      );
    } finally {
      for (const context of contexts) await context.close().catch(() => {});
      await dashboard.close();
      await rt.stop();
    }
  },
});
