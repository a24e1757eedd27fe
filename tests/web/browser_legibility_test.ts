/**
 * The dashboard in Chromium at laptop sizes with a 12-node graph: text at the default fit renders
 * at 10 px or more (the view scrolls instead of shrinking), zoom, pan and fit work, drop counts
 * sit inside their labels, and an error notice does not move the page. Saves a screenshot to
 * `.cache/artifacts/dashboard.png` (and `docs/dashboard.png` with `STREAMLIB_UPDATE_SCREENSHOT=1`).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Harness } from "./harness.ts";
import {
  addTwelveNodes,
  ARTIFACTS,
  Browser,
  center,
  DOCS_SHOT,
  renderedFontPx,
} from "./browser_workspace_fixture.ts";

const zoomLevel = async (page: Page) =>
  Number(await page.locator("[data-zoom-level]").getAttribute("data-zoom-level"));

Deno.test({
  name: "The dashboard at 1440x900 and 1280x800 renders a 12-node graph's text at >= 10 px",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start({ build: addTwelveNodes });
    assert.equal(h.rt.describe().nodes.length, 12);
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);
    await page.locator("svg.graph [data-node]").nth(11).waitFor();

    for (const [width, height] of [[1280, 800], [1440, 900]]) {
      await t.step(`at ${width}x${height} the default fit keeps text >= 10 px`, async () => {
        await page.setViewportSize({ width, height });
        await page.click('[data-zoom-action="auto"]');
        await page.waitForTimeout(300);
        const { min, scale, count } = await renderedFontPx(page);
        assert.ok(count > 50, `${count} texts measured`);
        assert.ok(min >= 10, `smallest text ${min.toFixed(2)} px at scale ${scale.toFixed(2)}`);
        // The canvas is used: the drawing fills the view in at least one direction.
        const fill = await page.evaluate(() => {
          const view = document.querySelector(".graph-scroll")!;
          const canvas = document.querySelector(".graph-canvas")!.getBoundingClientRect();
          return Math.max(canvas.width / view.clientWidth, canvas.height / view.clientHeight);
        });
        assert.ok(fill > 0.9, `the drawing fills ${(fill * 100).toFixed(0)}% of the view`);
      });
    }

    await t.step("zoom buttons, Ctrl+wheel, fit and pan", async () => {
      const auto = await zoomLevel(page);
      await page.click('[data-zoom-action="in"]');
      assert.ok(await zoomLevel(page) > auto);
      await page.click('[data-zoom-action="out"]');
      await page.click('[data-zoom-action="out"]');
      assert.ok(await zoomLevel(page) < auto);
      const view = await center(page, ".graph-scroll");
      await page.mouse.move(view.x, view.y);
      await page.keyboard.down("Control");
      const before = await zoomLevel(page);
      await page.mouse.wheel(0, -200);
      await page.keyboard.up("Control");
      await page.waitForFunction(
        (b) =>
          Number(document.querySelector("[data-zoom-level]")!.getAttribute("data-zoom-level")) > b,
        before,
      );

      await page.click('[data-zoom-action="fit"]');
      const fits = await page.evaluate(() => {
        const view = document.querySelector(".graph-scroll")!;
        const canvas = document.querySelector(".graph-canvas")!.getBoundingClientRect();
        return canvas.width <= view.clientWidth + 1 && canvas.height <= view.clientHeight + 1;
      });
      assert.ok(fits, "Fit shows the whole graph");

      // Zoomed in, dragging the background pans the view.
      for (let i = 0; i < 3; i++) await page.click('[data-zoom-action="in"]');
      const scroll = () =>
        page.evaluate(() => {
          const v = document.querySelector(".graph-scroll")!;
          return { left: v.scrollLeft, top: v.scrollTop };
        });
      await page.evaluate(() => document.querySelector(".graph-scroll")!.scrollTo(0, 0));
      const start = await scroll();
      const from = await page.evaluate(() => {
        // A background point: inside the view, on no node or edge.
        const v = document.querySelector(".graph-scroll")!.getBoundingClientRect();
        for (let y = v.top + v.height / 2; y < v.bottom - 10; y += 7) {
          for (let x = v.left + v.width / 2; x < v.right - 10; x += 7) {
            const hit = document.elementFromPoint(x, y);
            if (hit && !hit.closest(".node, .edge, .graph-tools, .preview")) return { x, y };
          }
        }
        return null;
      });
      assert.ok(from, "a background point");
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x - 120, from.y - 80, { steps: 6 });
      await page.mouse.up();
      const end = await scroll();
      assert.ok(end.left > start.left + 50 || end.top > start.top + 30, JSON.stringify(end));
      await page.click('[data-zoom-action="auto"]');
    });

    await t.step("drop counts sit inside their label backgrounds", async () => {
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll("g.edge-label")].filter((label) => {
          const bg = label.querySelector(".edge-label-bg")!.getBoundingClientRect();
          return [...label.querySelectorAll("text")].some((text) => {
            const r = text.getBoundingClientRect();
            return r.left < bg.left - 0.5 || r.right > bg.right + 0.5 || r.top < bg.top - 0.5 ||
              r.bottom > bg.bottom + 0.5;
          });
        }).length
      );
      assert.equal(outside, 0);
    });

    await t.step("an error notice does not push the page down", async () => {
      const top = () =>
        page.evaluate(() => document.querySelector(".columns")!.getBoundingClientRect().top);
      const before = await top();
      await page.click('[data-processor="NullSink"] .palette-item');
      await page.fill('[data-form="add-NullSink"] input[name="id"]', "9 not an id");
      await page.click('[data-form="add-NullSink"] button[type="submit"]');
      await page.locator('[data-notice="error"]').waitFor();
      assert.equal(await top(), before);
      await page.click('[data-notice="error"] .dismiss');
      await page.click('[data-processor="NullSink"] .palette-item');
    });

    await t.step("a screenshot at 1440x900 is saved", async () => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.click('[data-zoom-action="auto"]');
      await page.click('svg.graph [data-node="reverb"] .node-title');
      await page.locator(".island-Palette").evaluate((el) => el.scrollTop = 0);
      await page.waitForTimeout(800);
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const path = `${ARTIFACTS}dashboard.png`;
      await page.screenshot({ path });
      assert.ok(Deno.statSync(path).size > 10_000);
      if (Deno.env.get("STREAMLIB_UPDATE_SCREENSHOT") === "1") await Deno.copyFile(path, DOCS_SHOT);
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
