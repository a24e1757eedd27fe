/**
 * A tab opened after the pipeline has run a while plots the past at once: the server keeps the
 * last minutes of stats (`GET /api/v1/history`) and the page puts them in front of its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Harness } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

Deno.test({
  name: "A tab opened after 10 s of running plots those 10 s at once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using h = await Harness.start();
    await new Promise((r) => setTimeout(r, 10_000)); // no tab open: only the server records
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const opened = Date.now();
    const page = await browser.open(h.dashboard.url);
    await page.click('svg.graph [data-node="reverb"] .node-title');
    const rate = page.locator('[data-panel="node"] [data-plot="rate"]');
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-panel="node"] [data-plot="rate"]')?.getAttribute(
            "data-points",
          ),
        ) >= 8,
      undefined,
      { timeout: 6000 },
    );
    const waited = Date.now() - opened;
    // The page samples every 500 ms itself, from when it opened: a plot spanning 8 s (7.5 s and
    // more, rounded) sooner than 7.5 s after opening holds the server's history. (How soon
    // depends on the machine's load; what it spans does not.)
    const caption = await rate.locator("figcaption").textContent() ?? "";
    const span = Number(caption.match(/· (\d+) s/)?.[1]);
    assert.ok(span >= 8, `the plot spans ${span} s: ${caption}`);
    assert.ok(waited < 7500, `plotted ${waited} ms after opening`);
    const points = (await rate.locator("polyline").getAttribute("points"))!.split(" ");
    assert.ok(points.length >= 8);
    const latency = page.locator('[data-panel="node"] [data-plot="latency"]');
    assert.ok(Number(await latency.getAttribute("data-points")) >= 8, "p50/p99 too");
    await page.click('g.edge[data-to="scale.in"] .edge-label');
    for (const name of ["rate", "fill", "drops"]) {
      const plot = page.locator(`[data-panel="connection"] [data-plot="${name}"]`);
      await plot.waitFor();
      assert.ok(Number(await plot.getAttribute("data-points")) >= 8, name);
    }
    assert.deepEqual(browser.pageErrors, []);
  },
});
