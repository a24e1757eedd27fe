/**
 * The browser example (`examples/webrtc_session/`) against a real peer: headless Chromium with a
 * fake microphone opens the page, which sends the tone to its own pipeline over WebRTC, plays
 * what comes back, measures its level with a WebAudio analyser and its packets with getStats,
 * and gives its verdict. Through `voice-fx` (a Gain of 2) it must hear sound, through `mute` (a
 * Gain of 0) silence: the audio it hears went through the pipeline.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startWebRtcExample } from "../../examples/webrtc_session/main.ts";
import { launchChromium, within } from "../webrtc/chromium.ts";

interface Verdict {
  ok: boolean;
  peak?: number;
  packets?: number;
  error?: string;
}

Deno.test({
  name: "examples/webrtc_session: Chromium's microphone through its own pipeline and back",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const example = await startWebRtcExample();
    const context = await launchChromium([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ]);
    try {
      for (const [pipeline, expect] of [["voice-fx", "sound"], ["mute", "silence"]] as const) {
        const page = await context.newPage();
        await page.goto(example.pageUrl(pipeline, expect));
        await page.waitForFunction(() => "result" in globalThis, undefined, { timeout: 40_000 });
        const verdict = await page.evaluate(() =>
          (globalThis as unknown as { result: Verdict }).result
        );
        const status = await page.textContent("#status");
        assert.ok(verdict.ok, `${pipeline}: ${status} ${JSON.stringify(verdict)}`);
        assert.equal(status, "pass");
        await page.close();
      }
      // Each page ended its session with a DELETE: nothing is left open.
      await within(
        (async () => {
          while (example.server.runner.active > 0) await new Promise((r) => setTimeout(r, 20));
        })(),
        10_000,
        "the sessions to end",
      );
      const metrics = await (await fetch(`${example.server.url}/metrics`)).text();
      assert.match(metrics, /^streamlib_sessions_started_total 2$/m);
      assert.match(metrics, /^streamlib_sessions_active 0$/m);
      assert.doesNotMatch(metrics, /^streamlib_sessions_failed_total/m);
    } finally {
      await context.close();
      await example.close();
    }
  },
});
