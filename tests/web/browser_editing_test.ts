/**
 * Node-RED-style editing in Chromium: add from the palette, connect by dragging, undo and redo
 * (each an ordinary control-API edit), Shift+click to select several, Delete to remove them and
 * Ctrl+Z to bring them back with their connections.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Harness, until } from "./harness.ts";
import { Browser, center } from "./browser_workspace_fixture.ts";

Deno.test({
  name: "The dashboard undoes and redoes edits, and deletes a multi-selection with the Delete key",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);
    const hasNode = (id: string) => h.rt.describe().nodes.some((n) => n.id === id);
    const hasLink = (from: string, to: string) =>
      h.rt.describe().connections.some((c) => c.from === from && c.to === to);
    const manifest = async () => (await h.call("GET", "/manifest")).body;

    await t.step("add, connect, undo twice, redo twice", async () => {
      const before = await manifest();
      await page.click('[data-processor="Gain"] .palette-item');
      await page.fill('[data-form="add-Gain"] input[name="id"]', "trim");
      await page.click('[data-form="add-Gain"] button[type="submit"]');
      await page.locator('svg.graph [data-node="trim"]').waitFor();
      const from = await center(page, '[data-port="mixer.out"] .port-dot');
      const to = await center(page, '[data-port="trim.in"] .port-dot');
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 8 });
      await page.mouse.up();
      await until(() => hasLink("mixer.out", "trim.in"), 5000, "dragged connection");
      const after = await manifest();

      await page.click('[data-action="undo"]');
      await until(() => !hasLink("mixer.out", "trim.in"), 5000, "undo connect");
      await page.keyboard.press("Control+z");
      await until(() => !hasNode("trim"), 5000, "undo add");
      assert.deepEqual(await manifest(), before);
      await page.click('[data-action="redo"]');
      await until(() => hasNode("trim"), 5000, "redo add");
      await page.keyboard.press("Control+Shift+z");
      await until(() => hasLink("mixer.out", "trim.in"), 5000, "redo connect");
      assert.deepEqual(await manifest(), after);
      await page.locator('[data-action="redo"]:disabled').waitFor(); // nothing left to redo
    });

    await t.step("Shift+click selects several; Delete removes them; Ctrl+Z restores", async () => {
      const before = await manifest();
      const toneB = await page.locator('svg.graph [data-node="tone_b"]').getAttribute("transform");
      await page.click('svg.graph [data-node="trim"] .node-title');
      await page.click('svg.graph [data-node="tone_b"] .node-title', { modifiers: ["Shift"] });
      await page.click('g.edge[data-to="video_out.in"] .edge-label', { modifiers: ["Shift"] });
      const panel = page.locator('[data-panel="many"]');
      await panel.waitFor();
      assert.match(await panel.textContent() ?? "", /3 selected/);
      assert.equal(await page.locator("svg.graph .node.selected").count(), 2);
      await page.keyboard.press("Delete");
      await until(
        () => !hasNode("trim") && !hasNode("tone_b") && !hasLink("scale.out", "video_out.in"),
        5000,
        "all three removed",
      );
      assert.ok(!hasLink("mixer.out", "trim.in") && !hasLink("tone_b.audio", "mixer.in_1"));
      await page.keyboard.press("Control+z");
      await until(
        () =>
          hasLink("tone_b.audio", "mixer.in_1") && hasLink("mixer.out", "trim.in") &&
          hasLink("scale.out", "video_out.in"),
        5000,
        "restored with their connections",
      );
      const restored = await manifest();
      await page.locator('svg.graph [data-node="tone_b"]').waitFor();
      assert.equal(
        await page.locator('svg.graph [data-node="tone_b"]').getAttribute("transform"),
        toneB,
        "tone_b is back where it was",
      );
      const sortNodes = (m: { nodes: { id: string }[] }) =>
        [...m.nodes].sort((a, b) => a.id.localeCompare(b.id));
      const sortLinks = (m: { connections: { from: string; to: string }[] }) =>
        [...m.connections].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
      assert.deepEqual(sortNodes(restored), sortNodes(before));
      assert.deepEqual(sortLinks(restored), sortLinks(before));
    });
    await t.step("a processor dragged from the palette lands where it is dropped", async () => {
      const places = () =>
        page.locator("svg.graph [data-node]").evaluateAll((els) =>
          Object.fromEntries(els.map((el) => [el.dataset.node, el.getAttribute("transform")]))
        );
      // The restored drawing has arrived.
      await page.locator('g.edge[data-to="mixer.in_1"]').waitFor();
      await page.locator('g.edge[data-to="trim.in"]').waitFor();
      await page.locator('g.edge[data-to="video_out.in"]').waitFor();
      await page.waitForTimeout(300);
      const before = await places();
      // An empty spot of the view, right of the drawing's first column.
      const view = (await page.locator(".graph-scroll").boundingBox())!;
      const drop = await page.evaluate((v) => {
        for (let y = v.y + v.height - 60; y > v.y + 40; y -= 10) {
          for (let x = v.x + 300; x < v.x + v.width - 150; x += 10) {
            const hit = document.elementFromPoint(x, y);
            if (hit && !hit.closest(".node, .edge, .graph-tools, .preview-slot")) return { x, y };
          }
        }
        return null;
      }, view);
      assert.ok(drop, "an empty spot");
      await page.dragAndDrop('[data-processor="Gain"] .palette-item', ".graph-scroll", {
        targetPosition: { x: drop.x - view.x, y: drop.y - view.y },
      });
      const node = page.locator('svg.graph [data-node="gain_1"]');
      await node.waitFor();
      await until(() => hasNode("gain_1"), 5000, "gain_1 in the runtime");
      await page.locator('[data-panel="node"][data-node="gain_1"]').waitFor();
      const box = (await node.locator(".node-body").boundingBox())!;
      assert.ok(
        box.x <= drop.x && drop.x <= box.x + box.width && box.y <= drop.y &&
          drop.y <= box.y + box.height,
        `dropped at ${JSON.stringify(drop)}, placed at ${JSON.stringify(box)}`,
      );
      const { gain_1: placed, ...others } = await places();
      assert.deepEqual(others, before, "nothing else moved");
      await page.keyboard.press("Control+z");
      await until(() => !hasNode("gain_1"), 5000, "undo the drop");
      await page.keyboard.press("Control+Shift+z");
      await node.waitFor();
      await page.waitForFunction(
        (t) =>
          document.querySelector('svg.graph [data-node="gain_1"]')?.getAttribute("transform") === t,
        placed,
      );
    });
    await t.step(
      "a node dragged by its body moves there for every client; undo moves it back",
      async () => {
        const other = await browser.open(h.dashboard.url);
        const where = (p: typeof page) =>
          p.locator('svg.graph [data-node="trim"]').getAttribute("transform");
        const start = await where(page);
        const title = await center(page, 'svg.graph [data-node="trim"] .node-type');
        await page.mouse.move(title.x, title.y);
        await page.mouse.down();
        await page.mouse.move(title.x + 100, title.y + 60, { steps: 6 });
        await page.mouse.up();
        const scale = Number(
          await page.locator("[data-zoom-level]").getAttribute("data-zoom-level"),
        );
        const [x0, y0] = start!.match(/[-\d.]+/g)!.map(Number);
        // The other page gets the new place from the server's layout.
        await other.waitForFunction(
          ([x, y]) => {
            const t = document.querySelector('svg.graph [data-node="trim"]')?.getAttribute(
              "transform",
            );
            const [tx, ty] = (t?.match(/[-\d.]+/g) ?? []).map(Number);
            return Math.abs(tx - x) < 3 && Math.abs(ty - y) < 3;
          },
          [x0 + 100 / scale, y0 + 60 / scale],
        );
        await page.keyboard.press("Control+z");
        await other.waitForFunction(
          (t) =>
            document.querySelector('svg.graph [data-node="trim"]')?.getAttribute("transform") === t,
          start,
        );
        await page.waitForFunction(
          (t) =>
            document.querySelector('svg.graph [data-node="trim"]')?.getAttribute("transform") === t,
          start,
        );
      },
    );
    assert.deepEqual(browser.pageErrors, []);
  },
});
