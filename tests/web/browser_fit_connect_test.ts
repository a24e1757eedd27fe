/**
 * The dashboard's first view in Chromium at 1440x900 and 1024x700: every node is inside the graph
 * view (left of the side panel) without pressing Fit, a drag from an output that wanders over the
 * side panel and back connects on an input (checked through the control API), and a drag let go
 * elsewhere is cancelled with a notice. Saves `.cache/artifacts/first_view_<w>x<h>.png` (and `..._cancelled.png`).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Harness } from "./harness.ts";
import { ARTIFACTS, Browser, center } from "./browser_workspace_fixture.ts";

/** The ids of the node boxes that are not wholly inside the graph view, with their rects. */
function outsideTheView(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const view = document.querySelector(".graph-scroll")!.getBoundingClientRect();
    return [...document.querySelectorAll("svg.graph [data-node]")].flatMap((node) => {
      const r = node.getBoundingClientRect();
      const inside = r.left >= view.left && r.top >= view.top && r.right <= view.right &&
        r.bottom <= view.bottom;
      return inside ? [] : [
        `${node.getAttribute("data-node")} at ${r.left.toFixed(0)},${r.top.toFixed(0)}-${
          r.right.toFixed(0)
        },${r.bottom.toFixed(0)} (view ${view.left.toFixed(0)},${view.top.toFixed(0)}-${
          view.right.toFixed(0)
        },${view.bottom.toFixed(0)})`,
      ];
    });
  });
}

/** Waits until no node box lies outside the view (the view measures itself after loading). */
async function waitForFit(page: Page): Promise<void> {
  try {
    await page.waitForFunction(
      () => {
        const view = document.querySelector(".graph-scroll")?.getBoundingClientRect();
        const nodes = [...document.querySelectorAll("svg.graph [data-node]")];
        return view && nodes.length > 0 && nodes.every((node) => {
          const r = node.getBoundingClientRect();
          return r.left >= view.left && r.top >= view.top && r.right <= view.right &&
            r.bottom <= view.bottom;
        });
      },
      undefined,
      { timeout: 15_000 },
    );
  } catch {
    // Fall through: the assertion below names the nodes outside.
  }
}

/**
 * Presses on a point, moves through `via` and lets go on `to`, in several steps each.
 *
 * @param page The page.
 * @param from Where to press.
 * @param via Points the pointer passes on the way.
 * @param to Where to let go.
 */
async function dragAlong(
  page: Page,
  from: { x: number; y: number },
  via: { x: number; y: number }[],
  to: { x: number; y: number },
): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (const point of [...via, to]) await page.mouse.move(point.x, point.y, { steps: 8 });
  await page.mouse.up();
}

for (const [width, height] of [[1440, 900], [1024, 700]]) {
  Deno.test({
    name: `The dashboard at ${width}x${height} shows every node and connects without Fit`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await using h = await Harness.start();
      await using browser = await Browser.launch({ width, height });
      const page = await browser.open(h.dashboard.url);
      const count = h.rt.describe().nodes.length;
      await page.locator("svg.graph [data-node]").nth(count - 1).waitFor();
      await waitForFit(page);
      assert.deepEqual(await outsideTheView(page), [], "every node is inside the graph view");
      assert.equal(await page.locator(".graph-scroll").getAttribute("data-zoom"), "fit");
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}first_view_${width}x${height}.png` });

      // Out of the output, over the side panel (outside the drawing), back to a free input.
      const connected = () =>
        h.rt.describe().connections.some((c) => c.from === "tone_a.audio" && c.to === "mixer.in_2");
      assert.ok(!connected());
      const output = await center(page, 'svg.graph [data-port="tone_a.audio"] .port-dot');
      const input = await center(page, 'svg.graph [data-port="mixer.in_2"] .port-dot');
      const panel = await center(page, ".side-panel");
      await dragAlong(page, output, [panel, { x: panel.x, y: height - 5 }], input);
      await page.locator('svg.graph [data-port="mixer.in_2"].connected').waitFor({
        timeout: 15_000,
      });
      assert.ok(connected(), "the API lists tone_a.audio -> mixer.in_2");
      const reply = await h.call("GET", "/graph");
      assert.ok(
        reply.body.connections.some((c: { from: string; to: string }) =>
          c.from === "tone_a.audio" && c.to === "mixer.in_2"
        ),
        "GET /graph lists tone_a.audio -> mixer.in_2",
      );

      // Let go over the side panel: nothing is connected, and the page says so.
      const before = h.rt.describe().connections.length;
      const from = await center(page, 'svg.graph [data-port="tone_b.audio"] .port-dot');
      await dragAlong(page, from, [], panel);
      await page.locator('[data-notice="info"]').waitFor({ timeout: 15_000 });
      assert.match(
        await page.locator('[data-notice="info"]').innerText(),
        /Not connected: tone_b\.audio was let go outside an input/,
      );
      assert.equal(await page.locator("svg.graph .drag-line").count(), 0, "the line is gone");
      await page.screenshot({ path: `${ARTIFACTS}first_view_${width}x${height}_cancelled.png` });
      assert.equal(h.rt.describe().connections.length, before);
      assert.deepEqual(browser.pageErrors, []);
    },
  });
}
