/**
 * The dashboard in Debian's Chromium, driven by playwright-core: the demo graph renders, its
 * numbers move, the buttons drive the runtime, the palette adds, dragging connects, the side
 * panel edits, disconnects and removes, and a failing processor shows its error. Saves a
 * screenshot to `.cache/artifacts/dashboard_demo.png` (`docs/dashboard.png` comes from
 * browser_legibility_test.ts, at 1440x900).
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { DEMO_NODES } from "../../examples/demo_pipeline.ts";
import { Harness, until } from "./harness.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
const ARTIFACTS = fileURLToPath(new URL("../../.cache/artifacts/", import.meta.url));

async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is on the page`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

Deno.test({
  name: "The dashboard in Chromium shows, updates and edits the live demo graph",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // No silent skip: without a browser this test fails and says how to get one.
    assert.ok(
      hasChromium,
      `Chromium is missing at ${CHROMIUM}: run scripts/install_test_deps.sh (apt-get install chromium)`,
    );
    await using h = await Harness.start();
    const userData = await Deno.makeTempDir({ prefix: "streamlib_chromium_" });
    const context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      viewport: { width: 1680, height: 940 },
    });
    const pageErrors: string[] = [];
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(h.dashboard.url);
      await page.locator('[data-link="live"]').waitFor({ timeout: 10_000 });

      await t.step("the demo graph renders with all its nodes and edges", async () => {
        const nodes = await page.locator("svg.graph [data-node]").evaluateAll((els) =>
          els.map((el) => el.getAttribute("data-node"))
        );
        assert.deepEqual(nodes, [...DEMO_NODES]);
        assert.equal(await page.locator("svg.graph [data-connection]").count(), 6);
        assert.equal(new URL(page.url()).searchParams.get("token"), null, "token left the URL");
      });

      await t.step("the numbers, edges and previews change over time", async () => {
        const read = () =>
          page.locator('[data-stats="reverb"], [data-rate]').evaluateAll((els) =>
            els.map((el) => el.textContent).join("|")
          );
        // Stats arrive 10 times a second; on a loaded machine the page may paint late, so wait for
        // a change (bounded) rather than a fixed time.
        const first = await read();
        let now = first;
        for (const deadline = performance.now() + 10_000; performance.now() < deadline;) {
          await page.waitForTimeout(200);
          if ((now = await read()) !== first) break;
        }
        assert.notEqual(now, first, "the numbers change within 10 s");
        await page.locator("g.edge.flow, g.edge.flow-slow").first().waitFor({ timeout: 10_000 });
        await page.waitForFunction(() =>
          Number(
            document.querySelector('[data-preview="scale.out"]')?.getAttribute("data-frames"),
          ) >
            0
        );
        await page.waitForFunction(() =>
          Number(
            document.querySelector('[data-meter="reverb.out"] .meter-rms')?.getAttribute("width"),
          ) > 0
        );
      });

      await t.step("stop and start work from the buttons", async () => {
        await page.click('[data-action="stop"]');
        await until(() => h.rt.state === "stopped", 5000, "stopped");
        await page.locator('.controls [data-state="stopped"]').waitFor();
        await page.waitForFunction(() =>
          document.querySelectorAll("g.edge.flow, g.edge.flow-slow, g.edge.flow-fast").length === 0
        );
        await page.click('[data-action="start"]');
        await until(() => h.rt.state === "running", 5000, "running");
        await page.locator('.controls [data-state="running"]').waitFor();
      });

      await t.step(
        "a processor added from the palette and connected by dragging is in describe()",
        async () => {
          await page.click('[data-processor="NullSink"] .palette-item');
          await page.fill('[data-form="add-NullSink"] input[name="id"]', "page_sink");
          await page.click('[data-form="add-NullSink"] button[type="submit"]');
          await page.locator('svg.graph [data-node="page_sink"]').waitFor();
          assert.ok(h.rt.describe().nodes.some((n) => n.id === "page_sink"));

          const from = await center(page, '[data-port="scale.out"] .port-dot');
          const to = await center(page, '[data-port="page_sink.in"] .port-dot');
          await page.mouse.move(from.x, from.y);
          await page.mouse.down();
          await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
          assert.equal(
            await page.locator('[data-port="page_sink.in"].compatible').count(),
            1,
            "the free VideoFrame-compatible input lights up",
          );
          assert.equal(
            await page.locator('[data-port="mixer.in_2"].incompatible').count(),
            1,
            "an audio input does not",
          );
          await page.mouse.move(to.x, to.y, { steps: 5 });
          await page.mouse.up();
          await until(
            () =>
              h.rt.describe().connections.some((c) =>
                c.from === "scale.out" && c.to === "page_sink.in"
              ),
            5000,
            "the dragged connection",
          );
          await page.locator('g.edge[data-to="page_sink.in"]').waitFor();
        },
      );

      await t.step("the side panel edits config under the recording lock", async () => {
        await page.click('svg.graph [data-node="tone_a"] .node-title');
        await page.locator('[data-panel="node"][data-node="tone_a"]').waitFor();
        assert.ok(
          await page.locator('[data-form="config-tone_a"] input[name="blockSize"]').isDisabled(),
          "a non-live field is locked while running",
        );
        await page.fill('[data-form="config-tone_a"] input[name="frequency"]', "550");
        await page.click('[data-form="config-tone_a"] button[type="submit"]');
        await until(
          () =>
            (h.rt.describe().nodes.find((n) => n.id === "tone_a")?.config as { frequency: number })
              ?.frequency === 550,
          5000,
          "frequency 550",
        );
      });

      await t.step("disconnect and remove from the page", async () => {
        await page.click('g.edge[data-to="page_sink.in"] .edge-label');
        await page.click('[data-panel="connection"] [data-action="disconnect"]');
        await until(
          () => !h.rt.describe().connections.some((c) => c.to === "page_sink.in"),
          5000,
          "disconnected",
        );
        await page.click('svg.graph [data-node="page_sink"] .node-title');
        await page.click('[data-panel="node"] [data-action="remove"]');
        await until(
          () => !h.rt.describe().nodes.some((n) => n.id === "page_sink"),
          5000,
          "removed",
        );
        await page.locator('svg.graph [data-node="page_sink"]').waitFor({ state: "detached" });
      });

      await t.step("an error in a processor shows in the page, with its stack", async () => {
        await page.click('[data-processor="WavFileSource"] .palette-item');
        await page.fill('[data-form="add-WavFileSource"] input[name="id"]', "broken");
        await page.fill(
          '[data-form="add-WavFileSource"] input[name="path"]',
          // Inside the media folder (the working directory) that the control policy allows, in a
          // folder that does not exist: the node fails in setup().
          `${Deno.cwd()}/no-such-folder/missing.wav`,
        );
        await page.click('[data-form="add-WavFileSource"] button[type="submit"]');
        await page.locator('svg.graph [data-node="broken"][data-state="error"]').waitFor();
        await page.locator('.event-log [data-event="node-error"]').first().waitFor();
        await page.click('svg.graph [data-node="broken"] .node-title');
        const box = page.locator('[data-panel="node"] [data-error="broken"]');
        await box.waitFor();
        assert.match(await box.textContent() ?? "", /missing\.wav/);
        assert.match(await box.locator(".stack").textContent() ?? "", /at /);
        await page.click('[data-panel="node"] [data-action="remove"]');
        await page.locator('svg.graph [data-node="broken"]').waitFor({ state: "detached" });
      });

      await t.step("a screenshot of the running dashboard is saved", async () => {
        await page.click('svg.graph [data-node="reverb"] .node-title');
        await page.locator(".island-Palette").evaluate((el) => el.scrollTop = 0);
        await page.waitForTimeout(600);
        await Deno.mkdir(ARTIFACTS, { recursive: true });
        const path = `${ARTIFACTS}dashboard_demo.png`;
        await page.screenshot({ path });
        assert.ok(Deno.statSync(path).size > 10_000);
      });
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
      await Deno.remove(userData, { recursive: true });
    }
  },
});
