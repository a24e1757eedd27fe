/**
 * Node positions travel in the manifest as UI metadata (`ui.positions`): a node dragged in the
 * dashboard is saved where it was left, and a fresh dashboard that loads the file draws every
 * node where it was (within a pixel). The runtime never sees the positions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { DEMO_NODES } from "../../examples/demo_pipeline.ts";
import { Harness } from "./harness.ts";
import { Browser, center } from "./browser_workspace_fixture.ts";

/** Every node's place in the drawing (its `translate(x,y)`), by id. */
function places(page: Page): Promise<Record<string, [number, number]>> {
  return page.locator("svg.graph [data-node]").evaluateAll((els) =>
    Object.fromEntries(
      els.map((el) => [
        el.getAttribute("data-node"),
        (el.getAttribute("transform")!.match(/[-\d.]+/g) ?? []).map(Number),
      ]),
    )
  );
}

Deno.test({
  name: "A dragged node's place is saved in the manifest and restored by loading it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using source = await Harness.start();
    await using fresh = await Harness.start({ build: () => {}, start: false });
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(source.dashboard.url);

    const before = await places(page);
    const title = await center(page, 'svg.graph [data-node="mixer"] .node-type');
    await page.mouse.move(title.x, title.y);
    await page.mouse.down();
    await page.mouse.move(title.x + 120, title.y + 90, { steps: 6 });
    await page.mouse.up();
    const scale = Number(await page.locator("[data-zoom-level]").getAttribute("data-zoom-level"));
    await page.waitForFunction(
      ([x, y]) => {
        const t = document.querySelector('svg.graph [data-node="mixer"]')?.getAttribute(
          "transform",
        );
        const [tx, ty] = (t?.match(/[-\d.]+/g) ?? []).map(Number);
        return Math.abs(tx - x) < 3 && Math.abs(ty - y) < 3;
      },
      [before.mixer[0] + 120 / scale, before.mixer[1] + 90 / scale],
    );
    const dragged = await places(page);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-action="save-manifest"]'),
    ]);
    const saved = JSON.parse(await Deno.readTextFile((await download.path())!));
    assert.deepEqual(Object.keys(saved.ui.positions).sort(), [...DEMO_NODES].sort());
    for (const id of DEMO_NODES) {
      const [x, y] = dragged[id];
      const at = saved.ui.positions[id];
      assert.ok(
        Math.abs(at.x - x) <= 1 && Math.abs(at.y - y) <= 1,
        `${id}: ${x},${y} saved ${at.x},${at.y}`,
      );
    }

    const target = await browser.open(fresh.dashboard.url);
    await target.locator('input[type="file"][name="manifest"]').setInputFiles({
      name: "pipeline.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(saved)),
    });
    await target.locator("svg.graph [data-node]").nth(DEMO_NODES.length - 1).waitFor();
    await target.waitForFunction(
      ([x, y]) => {
        const t = document.querySelector('svg.graph [data-node="mixer"]')?.getAttribute(
          "transform",
        );
        const [tx, ty] = (t?.match(/[-\d.]+/g) ?? []).map(Number);
        return Math.abs(tx - x) <= 1 && Math.abs(ty - y) <= 1;
      },
      dragged.mixer,
    );
    const restored = await places(target);
    for (const id of DEMO_NODES) {
      const [dx, dy] = [restored[id][0] - dragged[id][0], restored[id][1] - dragged[id][1]];
      assert.ok(Math.abs(dx) <= 1 && Math.abs(dy) <= 1, `${id} moved by ${dx},${dy}`);
    }
    // The runtime keeps no UI metadata; the dashboard's manifest has it back.
    assert.equal("ui" in fresh.rt.describe(), false);
    assert.deepEqual((await fresh.call("GET", "/manifest")).body, saved);
    assert.deepEqual(browser.pageErrors, []);
  },
});
