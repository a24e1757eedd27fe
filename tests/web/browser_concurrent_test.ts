/**
 * Two dashboards in Chromium edit one node: a value typed in one survives while the other
 * changes fields of the same node; an untouched field takes the other's value and says so; a
 * field both changed shows the other's value beside the typed one, which Apply sends.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { Harness, until } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

const FORM = '[data-form="config-tone_a"]';

async function openTone(page: Page): Promise<void> {
  await page.click('svg.graph [data-node="tone_a"] .node-title');
  await page.locator(`[data-panel="node"][data-node="tone_a"] ${FORM}`).waitFor();
}

function toneConfig(h: Harness): Record<string, unknown> {
  return h.rt.describe().nodes.find((n) => n.id === "tone_a")!.config as Record<string, unknown>;
}

Deno.test({
  name: "Two dashboards: a typed value survives another client's change to the same node",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using h = await Harness.start();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const alice = await browser.open(h.dashboard.url);
    const bob = await browser.open(h.dashboard.url);
    await openTone(alice);
    await openTone(bob);

    await t.step("Alice types a frequency; Bob applies an amplitude: both kept", async () => {
      // Typed, not applied.
      await alice.fill(`${FORM} input[name="frequency"]`, "612");
      await bob.fill(`${FORM} input[name="amplitude"]`, "0.125");
      await bob.click(`${FORM} button[type="submit"]`);
      await until(() => toneConfig(h).amplitude === 0.125, 15_000, "amplitude 0.125");
      // Alice's untouched amplitude field takes Bob's value and says so.
      await alice.locator(`${FORM} [data-field="amplitude"] [data-remote="merged"]`).waitFor();
      assert.equal(await alice.inputValue(`${FORM} input[name="amplitude"]`), "0.125");
      assert.equal(await alice.inputValue(`${FORM} input[name="frequency"]`), "612");
      await alice.click(`${FORM} button[type="submit"]`);
      await until(() => toneConfig(h).frequency === 612, 15_000, "frequency 612");
      assert.equal(toneConfig(h).amplitude, 0.125, "Alice's Apply did not undo Bob's change");
    });

    await t.step("both change the same field: Alice sees Bob's value and keeps hers", async () => {
      await alice.fill(`${FORM} input[name="frequency"]`, "700");
      await bob.locator(`${FORM} [data-field="frequency"] [data-remote="merged"]`).waitFor();
      assert.equal(await bob.inputValue(`${FORM} input[name="frequency"]`), "612");
      await bob.fill(`${FORM} input[name="frequency"]`, "800");
      await bob.click(`${FORM} button[type="submit"]`);
      await until(() => toneConfig(h).frequency === 800, 15_000, "frequency 800");
      const note = alice.locator(`${FORM} [data-field="frequency"] [data-remote="conflict"]`);
      await note.waitFor();
      assert.match(await note.textContent() ?? "", /800/);
      assert.equal(await alice.inputValue(`${FORM} input[name="frequency"]`), "700");
      await alice.click(`${FORM} button[type="submit"]`);
      await until(() => toneConfig(h).frequency === 700, 15_000, "frequency 700");
      await alice.locator(`${FORM} [data-remote="conflict"]`).waitFor({ state: "detached" });
    });

    await t.step("Use theirs takes the other value", async () => {
      await bob.fill(`${FORM} input[name="frequency"]`, "900");
      await alice.fill(`${FORM} input[name="frequency"]`, "950");
      await alice.click(`${FORM} button[type="submit"]`);
      await until(() => toneConfig(h).frequency === 950, 15_000, "frequency 950");
      await bob.click(`${FORM} [data-field="frequency"] [data-action="take-theirs"]`);
      assert.equal(await bob.inputValue(`${FORM} input[name="frequency"]`), "950");
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
