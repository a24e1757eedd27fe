/**
 * The dashboard in Chromium saves the running graph as a manifest (a download of
 * `GET /api/v1/manifest`) and loads it into a fresh dashboard (an upload to
 * `POST /api/v1/manifest`): the graphs are equal. A broken manifest lists every issue by path and
 * changes nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DEMO_NODES } from "../../examples/demo_pipeline.ts";
import { Harness, until } from "./harness.ts";
import { Browser } from "./browser_workspace_fixture.ts";

Deno.test({
  name: "The dashboard saves the graph as a manifest and loads it into a fresh dashboard",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using source = await Harness.start();
    await using fresh = await Harness.start({ build: () => {}, start: false });
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const page = await browser.open(source.dashboard.url);
    let saved = "";

    await t.step("Save downloads the running graph as a manifest", async () => {
      // The page watches its previews: probes, which no manifest sees.
      await until(() => source.rt.probes().length > 0, 10_000, "the page's preview probes");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('[data-action="save-manifest"]'),
      ]);
      assert.equal(download.suggestedFilename(), "pipeline.json");
      saved = await Deno.readTextFile((await download.path())!);
      const manifest = JSON.parse(saved);
      assert.equal(manifest.version, 1);
      assert.deepEqual(manifest.nodes.map((n: { id: string }) => n.id), [...DEMO_NODES]);
      assert.equal(manifest.connections.length, 6);
      assert.ok(source.rt.probes().length > 0, "previews were watched while saving");
      assert.deepEqual(manifest, (await source.call("GET", "/manifest")).body);
    });

    const target = await browser.open(fresh.dashboard.url);
    const chooser = target.locator('input[type="file"][name="manifest"]');

    await t.step("a broken manifest lists every issue by path and adds nothing", async () => {
      const broken = JSON.parse(saved);
      broken.nodes[0].type = "TestToneGenerater";
      broken.nodes[1].config.frequency = -5;
      broken.connections[0].to = "nowhere.in";
      await chooser.setInputFiles({
        name: "broken.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify(broken)),
      });
      const list = target.locator(".manifest-issues");
      await list.waitFor();
      const paths = await list.locator("[data-issue-path]").evaluateAll((els) =>
        els.map((el) => el.getAttribute("data-issue-path"))
      );
      assert.ok(paths.includes("nodes[0].type"), paths.join(", "));
      assert.ok(paths.some((p) => p?.startsWith("nodes[1].config")), paths.join(", "));
      assert.ok(paths.some((p) => p?.startsWith("connections[0]")), paths.join(", "));
      assert.match(await list.textContent() ?? "", /TestToneGenerator/, "suggests the near match");
      assert.equal(fresh.rt.describe().nodes.length, 0);
      await list.locator(".dismiss").click();
    });

    await t.step(
      "the saved manifest loads into a fresh dashboard: the graphs are equal",
      async () => {
        await chooser.setInputFiles({
          name: "pipeline.json",
          mimeType: "application/json",
          buffer: Buffer.from(saved),
        });
        await target.locator(`svg.graph [data-node]`).nth(DEMO_NODES.length - 1).waitFor();
        await target.locator("svg.graph [data-connection]").nth(5).waitFor();
        assert.deepEqual((await fresh.call("GET", "/manifest")).body, JSON.parse(saved));
        const nodes = await target.locator("svg.graph [data-node]").evaluateAll((els) =>
          els.map((el) => el.getAttribute("data-node"))
        );
        assert.deepEqual(nodes, [...DEMO_NODES]);
      },
    );

    await t.step(
      "loading again without replace names the taken ids; with replace it loads",
      async () => {
        await chooser.setInputFiles({
          name: "pipeline.json",
          mimeType: "application/json",
          buffer: Buffer.from(saved),
        });
        await target.locator('.manifest-issues [data-issue-path="nodes[0].id"]').waitFor();
        await target.locator(".manifest-issues .dismiss").click();
        await target.check('.manifest-tools input[name="replace"]');
        await chooser.setInputFiles({
          name: "pipeline.json",
          mimeType: "application/json",
          buffer: Buffer.from(saved),
        });
        await target.locator('[data-notice="info"]').waitFor();
        assert.deepEqual((await fresh.call("GET", "/manifest")).body, JSON.parse(saved));
      },
    );
    await t.step("a manifest file dropped on the graph loads too", async () => {
      const changed = JSON.parse(saved);
      changed.nodes.find((n: { id: string }) => n.id === "tone_a").config.frequency = 555;
      const dataTransfer = await target.evaluateHandle((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], "dropped.json", { type: "application/json" }));
        return dt;
      }, JSON.stringify(changed));
      await target.dispatchEvent(".graph-scroll", "drop", { dataTransfer });
      await until(
        () =>
          (fresh.rt.describe().nodes.find((n) => n.id === "tone_a")?.config as {
            frequency?: number;
          })?.frequency === 555,
        5000,
        "the dropped manifest (replace is ticked)",
      );
      assert.deepEqual((await fresh.call("GET", "/manifest")).body, changed);
    });
    assert.deepEqual(browser.pageErrors, []);
  },
});
