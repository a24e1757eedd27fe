/**
 * The dashboard in Chromium keeps the last minutes of stats: after ten seconds the side panel
 * plots a node's rate and p50/p99 and a connection's rate, queue fill and drops, and the trace
 * export downloads Chrome trace JSON with counter events.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Harness } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

Deno.test({
  name: "The dashboard plots history after 10 s and exports it as a trace",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);
    await page.waitForTimeout(10_000);

    await t.step("a node's rate and p50/p99 over the last seconds", async () => {
      await page.click('svg.graph [data-node="reverb"] .node-title');
      const rate = page.locator('[data-panel="node"] [data-plot="rate"]');
      await rate.waitFor();
      assert.ok(Number(await rate.getAttribute("data-points")) >= 15);
      assert.equal(await rate.locator("polyline").count(), 1);
      const points = (await rate.locator("polyline").getAttribute("points"))!.split(" ");
      assert.ok(new Set(points.map((p) => p.split(",")[1])).size > 1, "the line is not flat");
      const latency = page.locator('[data-panel="node"] [data-plot="latency"]');
      assert.equal(await latency.locator("polyline").count(), 2, "p50 and p99");
    });

    await t.step("a connection's rate, fill and drops", async () => {
      await page.click('g.edge[data-to="scale.in"] .edge-label');
      for (const name of ["rate", "fill", "drops"]) {
        const plot = page.locator(`[data-panel="connection"] [data-plot="${name}"]`);
        await plot.waitFor();
        assert.ok(Number(await plot.getAttribute("data-points")) >= 15, name);
      }
    });

    await t.step("the trace export is valid Chrome trace JSON", async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-action="export-trace"]'),
      ]);
      const trace = JSON.parse(await Deno.readTextFile((await download.path())!));
      const counters = trace.traceEvents.filter((e: { ph: string }) => e.ph === "C");
      assert.ok(counters.length > 100, `${counters.length} counter events`);
      for (const e of counters) {
        assert.equal(typeof e.ts, "number");
        assert.equal(typeof e.name, "string");
        assert.equal(Object.values(e.args).every((v) => typeof v === "number"), true);
      }
      assert.ok(counters.some((e: { name: string }) => e.name === "node reverb p99 ns"));
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
