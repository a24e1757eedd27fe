/**
 * The dashboard in Chromium keeps its drawing still: adding or removing a node moves no other
 * node, and a node added from the palette ends up selected every time.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Harness, until } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

/** Every node's `transform` (its place in the drawing), by id. */
function places(page: Page): Promise<Record<string, string>> {
  return page.locator("svg.graph [data-node]").evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => [el.getAttribute("data-node"), el.getAttribute("transform")]),
    )
  );
}

function without(record: Record<string, string>, id: string): Record<string, string> {
  const { [id]: _, ...rest } = record;
  return rest;
}

Deno.test({
  name: "The dashboard keeps untouched nodes in place and selects each added node",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);

    const ids = ["added_1", "added_2", "added_3", "added_4", "added_5"];
    await t.step(
      "five nodes added one after another: each selected, nothing else moves",
      async () => {
        for (const id of ids) {
          const before = await places(page);
          await page.click('[data-processor="Gain"] .palette-item');
          await page.fill('[data-form="add-Gain"] input[name="id"]', id);
          await page.click('[data-form="add-Gain"] button[type="submit"]');
          await page.locator(`svg.graph [data-node="${id}"]`).waitFor();
          // Several stats messages (10 a second) arrive after the graph update.
          await page.waitForTimeout(400);
          assert.equal(
            await page.locator(`[data-panel="node"][data-node="${id}"]`).count(),
            1,
            `${id} is selected`,
          );
          assert.deepEqual(
            without(await places(page), id),
            before,
            `nothing moved when ${id} came`,
          );
        }
      },
    );

    await t.step("connecting and removing nodes moves no other node", async () => {
      const before = await places(page);
      const response = await page.evaluate(async () => {
        const token = sessionStorage.getItem("streamlib-token");
        const r = await fetch("/api/v1/connections", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ from: "reverb.out", to: "added_1.in" }),
        });
        return r.status;
      });
      assert.equal(response, 201);
      await page.locator('g.edge[data-to="added_1.in"]').waitFor();
      assert.deepEqual(await places(page), before);
      await page.click('svg.graph [data-node="tone_b"] .node-title');
      await page.click('[data-panel="node"] [data-action="remove"]');
      await until(() => !h.rt.describe().nodes.some((n) => n.id === "tone_b"), 5000, "removed");
      await page.locator('svg.graph [data-node="tone_b"]').waitFor({ state: "detached" });
      assert.deepEqual(await places(page), without(before, "tone_b"));
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
