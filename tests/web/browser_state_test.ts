/**
 * The dashboard in Chromium shows when nothing flows: after Pause and Stop the audio meters read
 * zero, greyed, and the thumbnails are marked; a tab opened without the token says how to get
 * access instead of showing numbers.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Harness, until } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

/** The meters' widths of RMS bars and active flags, and the previews' marks. */
function still(page: Page) {
  return page.evaluate(() => ({
    rms: [...document.querySelectorAll("[data-meter] .meter-rms")].map((el) =>
      Number(el.getAttribute("width"))
    ),
    active: [...document.querySelectorAll("[data-meter]")].map((el) =>
      el.getAttribute("data-active")
    ),
    previews: [...document.querySelectorAll("[data-preview-state]")].map((el) =>
      el.getAttribute("data-preview-state")
    ),
  }));
}

Deno.test({
  name: "The dashboard shows paused, stopped and no-access states on meters and previews",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(h.dashboard.url);

    await t.step("running: meters move, previews live", async () => {
      await page.waitForFunction(() =>
        [...document.querySelectorAll("[data-meter] .meter-rms")].some((el) =>
          Number(el.getAttribute("width")) > 0
        )
      );
      const s = await still(page);
      assert.ok(s.active.length >= 4 && s.active.every((a) => a === "true"), JSON.stringify(s));
      assert.deepEqual(s.previews, ["live", "live"]);
    });

    for (const [action, state] of [["pause", "paused"], ["stop", "stopped"]] as const) {
      await t.step(
        `after ${action}: meters at zero and grey, previews marked ${state}`,
        async () => {
          await page.click(`[data-action="${action}"]`);
          await until(() => h.rt.state === state, 5000, state);
          await page.locator(`.controls [data-state="${state}"]`).waitFor();
          await page.waitForTimeout(300);
          const s = await still(page);
          assert.ok(s.rms.every((w) => w === 0), `rms ${s.rms}`);
          assert.ok(s.active.every((a) => a === "false"), `active ${s.active}`);
          assert.deepEqual(s.previews, [state, state]);
          const marks = await page.locator(".preview-mark").allTextContents();
          assert.deepEqual(marks, [state, state]);
        },
      );
    }

    await t.step("started again: live again", async () => {
      await page.click('[data-action="start"]');
      await until(() => h.rt.state === "running", 5000, "running");
      await page.waitForFunction(() =>
        [...document.querySelectorAll("[data-preview-state]")].every((el) =>
          el.getAttribute("data-preview-state") === "live"
        )
      );
    });

    await t.step("a tab without the token says how to get access, shows no numbers", async () => {
      const url = new URL(h.dashboard.url);
      url.searchParams.delete("token");
      const bare = await browser.open(url.href, "read-only");
      const note = bare.locator('[data-access="read-only"]');
      await note.waitFor();
      assert.match(await note.textContent() ?? "", /token/);
      assert.equal(await bare.locator('.controls [data-state="running"]').count(), 0);
      assert.equal(await bare.locator('.controls [data-state="unknown"]').count(), 1);
      const stats = await bare.locator("[data-stats]").allTextContents();
      assert.ok(
        stats.length === 8 && stats.every((s) => !/\d/.test(s.replace(/p50|p99/g, ""))),
        stats.join(" | "),
      );
      const rates = await bare.locator("[data-rate]").allTextContents();
      assert.ok(rates.every((r) => r === "—/s"), rates.join(" | "));
      const s = await still(bare);
      assert.deepEqual(s.previews, ["no access", "no access"]);
      assert.ok(s.active.every((a) => a === "false"));
      assert.ok(await bare.locator('[data-action="start"]').isDisabled());
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
