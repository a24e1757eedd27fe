/**
 * The palette in Debian's Chromium shows where a processor came from: a plugin's processor has
 * its origin under its description, a built-in one has none, and the filter matches plugin names.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createDashboard } from "../../web/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { discoverPlugins, loadPlugins, pluginInfo } from "../../plugins/mod.ts";

const CHROMIUM = "/usr/bin/chromium";
const GOOD = fileURLToPath(new URL("../fixtures/plugin_folders/good", import.meta.url));

Deno.test({
  name: "The palette shows a plugin processor's origin and filters by plugin name",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let hasChromium = false;
    try {
      hasChromium = Deno.statSync(CHROMIUM).isFile;
    } catch {
      // Reported below.
    }
    // No silent skip: without a browser this test fails and says how to get one.
    assert.ok(
      hasChromium,
      `Chromium is missing at ${CHROMIUM}: run scripts/install_test_deps.sh (apt-get install chromium)`,
    );
    const loaded = await loadPlugins(await discoverPlugins([GOOD]));
    const origins = new Map(loaded.origins);
    origins.set("Gain", { kind: "builtin" });
    await using dashboard = await createDashboard(createRuntime().use(loaded.registry), {
      origins,
      plugins: loaded.plugins.map(pluginInfo),
      statsHz: 2,
    });
    const userData = await Deno.makeTempDir({ prefix: "streamlib_chromium_" });
    const context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const page = await context.newPage();
      await page.goto(dashboard.url);
      const flip = page.locator('[data-processor="Polarity"] .palette-item .origin');
      await flip.waitFor({ timeout: 15_000 });
      assert.equal(await flip.textContent(), "plugin flip 1.2.0 (typescript)");
      assert.match((await flip.getAttribute("title")) ?? "", /good\/flip$/);
      assert.equal(await page.locator('[data-processor="Gain"] .origin').count(), 0);
      await page.fill(".palette-filter", "flip 1.2");
      await page.waitForFunction(() => document.querySelectorAll("[data-processor]").length === 1);
      assert.deepEqual(
        await page.locator("[data-processor]").evaluateAll((els) =>
          els.map((el) => el.getAttribute("data-processor"))
        ),
        ["Polarity"],
      );
    } finally {
      await context.close();
      await Deno.remove(userData, { recursive: true });
    }
  },
});
