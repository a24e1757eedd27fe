/**
 * A tab whose token the dashboard refuses (mistyped, or from an earlier start) says so and how to
 * get access, instead of showing frozen numbers: whether the stream refuses it when the tab
 * opens, when it reconnects to a dashboard started again with a new token, or an API call is
 * refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createDashboard } from "../../web/mod.ts";
import { Harness } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

/** Asserts the page is in its refused state: the note, no numbers, nothing to press. */
async function assertRefused(page: Page): Promise<void> {
  const note = page.locator('[data-access="refused"]');
  await note.waitFor({ timeout: 10_000 });
  const text = await note.textContent() ?? "";
  assert.match(text, /refused this tab's token/);
  assert.match(text, /\?token=/, "says how to open the URL with the token");
  assert.match(text, /printed when it started/, "says where the token is printed");
  assert.equal(
    await page.locator('[data-link="refused"]').textContent(),
    "read-only: token refused",
  );
  assert.equal(await page.locator('.controls [data-state="unknown"]').count(), 1);
  for (const action of ["start", "pause", "stop"]) {
    assert.ok(await page.locator(`[data-action="${action}"]`).isDisabled(), action);
  }
  const rates = await page.locator("[data-rate]").allTextContents();
  assert.ok(rates.every((r) => r === "—/s"), rates.join(" | "));
  const marks = await page.locator("[data-preview-state]").evaluateAll((els) =>
    els.map((el) => el.getAttribute("data-preview-state"))
  );
  assert.ok(marks.every((m) => m === "no access"), marks.join(", "));
}

Deno.test({
  name: "A tab with a refused token says so and how to get access",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });

    await t.step("a wrong token in the URL: the stream refuses it, the page says so", async () => {
      const url = new URL(h.dashboard.url);
      url.searchParams.set("token", "not-the-token-0123456789abcdef");
      const page = await browser.open(url.href, "refused");
      await assertRefused(page);
      assert.equal(h.dashboard.clients().length, 0, "no stream was opened");
    });

    await t.step("an API call refused (wrong token): the page turns to the note", async () => {
      const page = await browser.open(h.dashboard.url);
      await page.route("**/api/v1/runtime/**", (route) =>
        route.continue({
          headers: { ...route.request().headers(), authorization: "Bearer wrong-0123456789abcdef" },
        }));
      await page.click('[data-action="pause"]');
      await assertRefused(page);
      assert.equal(h.rt.state, "running", "the refused call changed nothing");
      await page.close();
    });

    await t.step(
      "the dashboard started again with a new token: the open tab's old token is refused",
      async () => {
        const first = await createDashboard(h.rt, { token: "first-token-0123456789abcdef" });
        const port = first.port;
        const page = await browser.open(first.url);
        await first.close();
        await using second = await createDashboard(h.rt, {
          port,
          token: "second-token-0123456789abcdef",
        });
        await assertRefused(page);
        assert.equal(second.clients().length, 0);
      },
    );
    assert.deepEqual(browser.pageErrors, []);
  },
});
