/**
 * The dashboard's latency control in Chromium: pick a source and a sink, Measure, and the plot
 * shows the frames' end-to-end latency from their timestamps; Stop stops it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Harness } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

Deno.test({
  name: "The dashboard plots end-to-end latency from a chosen source to a chosen sink",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);
    const sources = await page.locator('select[name="latency-source"] option').allTextContents();
    assert.deepEqual(sources.sort(), ["pattern", "tone_a", "tone_b"]);
    const sinks = await page.locator('select[name="latency-sink"] option').allTextContents();
    assert.deepEqual(sinks.sort(), ["audio_out", "video_out"]);
    await page.selectOption('select[name="latency-source"]', "pattern");
    await page.selectOption('select[name="latency-sink"]', "video_out");
    await page.click('[data-action="measure-latency"]');
    await page.locator('[data-latency="measuring"]').waitFor();
    const plot = page.locator('[data-plot="e2e-latency"]');
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-plot="e2e-latency"]')?.getAttribute("data-points")) >=
          5,
      undefined,
      { timeout: 5000 },
    );
    assert.match(await plot.locator("figcaption").textContent() ?? "", /pattern → video_out/);
    const reading = (await h.call("GET", "/latency")).body;
    assert.equal(reading.port, "scale.out");
    assert.equal(await plot.locator("polyline").count(), 2, "at the sink and at the source");
    assert.ok(reading.samples.length >= 5);
    await page.click('[data-action="stop-latency"]');
    await page.locator('[data-latency="idle"]').waitFor();
    assert.equal((await h.call("GET", "/latency")).body.measuring, false);
    assert.deepEqual(browser.pageErrors, []);
  },
});
