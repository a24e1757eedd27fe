/**
 * A plugin's own panel in Chromium: the Balance fixture's panel (tests/fixtures/plugin_ui/balance)
 * reads its node's config, applies a patch that takes effect, follows config changes and levels,
 * and shows a refused patch's typed error; hostile and broken panels
 * (tests/fixtures/plugin_ui/hostile) reach neither the token, the API, the top window nor popups,
 * and a flood, a throw, a syntax error or a module that never loads shows in their panel only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Frame, Page } from "playwright-core";
import { createRuntime } from "../../processors/mod.ts";
import type { Runtime } from "../../mod.ts";
import { createDashboard, type Dashboard, type DashboardPlugin } from "../../web/mod.ts";
import { registry as balanceRegistry } from "../fixtures/plugin_ui/balance/registry.gen.ts";
import { Browser } from "./browser_workspace_fixture.ts";

const FIXTURES = new URL("../fixtures/plugin_ui/", import.meta.url);
const BALANCE: DashboardPlugin = {
  name: "balance",
  folder: fileURLToPath(new URL("balance/", FIXTURES)),
  ui: { module: "ui/panel.js", processors: ["Balance"] },
};

/** A hostile plugin whose panel (one module of the hostile folder) claims the Gain node. */
function hostile(module: string): DashboardPlugin {
  return {
    name: "hostile",
    folder: fileURLToPath(new URL("hostile/", FIXTURES)),
    ui: { module: `ui/${module}.js`, processors: ["Gain"] },
  };
}

/**
 * A plugin whose panel has a syntax error, written to a temporary folder (a file of the repo
 * would fail `deno fmt` and `deno lint`).
 */
async function syntaxError(): Promise<{ plugin: DashboardPlugin; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_plugin_ui_" });
  await Deno.mkdir(`${dir}/ui`);
  await Deno.writeTextFile(
    `${dir}/ui/syntax.js`,
    "export default function mount(root) {\n  root.textContent = ;\n}\n",
  );
  return {
    dir,
    plugin: { name: "hostile", folder: dir, ui: { module: "ui/syntax.js", processors: ["Gain"] } },
  };
}

/** tone → balance → trim (Gain) → sink, running. */
async function graph(): Promise<Runtime> {
  const rt = createRuntime().use(balanceRegistry);
  rt.add("TestToneGenerator", { amplitude: 0.5 }, { id: "tone" });
  rt.add("Balance", {}, { id: "balance" });
  rt.add("Gain", { gain: 1 }, { id: "trim" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "balance", "in");
  rt.connectByName("balance", "out", "trim", "in");
  rt.connectByName("trim", "out", "sink", "in");
  await rt.start();
  return rt;
}

/** Selects a node and opens its plugin panel; returns the panel's section. */
async function openPanel(page: Page, node: string, plugin: string) {
  await page.click(`svg.graph [data-node="${node}"] .node-title`);
  const panel = page.locator(`[data-plugin-panel="${plugin}"]`);
  await panel.waitFor();
  assert.equal(await panel.locator("iframe").count(), 0, "loaded on demand only");
  await panel.locator('[data-action="open-plugin-panel"]').click();
  return panel;
}

/** The frame of a plugin's panel, once it is there. */
async function panelFrame(page: Page, plugin: string): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f.url().includes(`/plugins/${plugin}/frame`));
    if (frame) return frame;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no frame of plugin ${plugin}`);
}

Deno.test({
  name: "PluginPanel runs a plugin's panel sandboxed: a good one works, hostile ones are held",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using rt = await graph();
    await using browser = await Browser.launch({ width: 1440, height: 900 });
    const configEvents: string[] = [];
    rt.on((event) => {
      if (event.type === "node-config") configEvents.push(event.node);
    });

    await t.step("the Balance panel reads the config, patches it, follows it", async () => {
      await using dashboard = await createDashboard(rt, { plugins: [BALANCE], statsHz: 10 });
      const page = await browser.open(dashboard.url);
      const panel = await openPanel(page, "balance", "balance");
      assert.equal(await panel.locator("iframe").getAttribute("sandbox"), "allow-scripts");
      await page.locator('[data-plugin-panel="balance"][data-panel-state="ready"]').waitFor({
        timeout: 15_000,
      });
      const frame = await panelFrame(page, "balance");
      const config = frame.locator("[data-config]");
      assert.deepEqual(JSON.parse(await config.textContent() ?? ""), { left: 1, right: 1 });
      // Stats arrive as the dashboard gets them: the call count grows.
      const calls = async () =>
        Number(await frame.locator("[data-calls]").getAttribute("data-calls"));
      await frame.waitForFunction(() =>
        Number(document.querySelector("[data-calls]")?.getAttribute("data-calls")) > 0
      );
      const first = await calls();
      await frame.waitForFunction(
        (n) => Number(document.querySelector("[data-calls]")?.getAttribute("data-calls")) > n,
        first,
      );

      await frame.locator('input[name="left"]').evaluate((el) => {
        (el as HTMLInputElement).value = "0";
      });
      await frame.locator('[data-action="apply"]').click();
      await frame.locator('[data-status="ok"]').waitFor({ timeout: 10_000 });
      const node = () => rt.describe().nodes.find((n) => n.id === "balance")!;
      assert.deepEqual(node().config, { left: 0, right: 1 });
      // It takes effect: the output's left channel goes silent, the right one does not.
      await frame.locator('[data-meter] div:nth-child(1)[data-rms="0"]').waitFor({
        state: "attached", // a bar of width 0 is not visible
        timeout: 10_000,
      });
      const right = Number(
        await frame.locator("[data-meter] div:nth-child(2)").getAttribute("data-rms"),
      );
      assert.ok(right > 0.1, `right channel rms ${right}`);

      // A change made elsewhere reaches the panel.
      const patched = await fetch(`${dashboard.origin}/api/v1/nodes/balance/config`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${dashboard.token}`, "content-type": "application/json" },
        body: JSON.stringify({ config: { right: 0.5 } }),
      });
      assert.equal(patched.status, 200);
      await patched.body?.cancel();
      await frame.locator('[data-config]:text-is(\'{"left":0,"right":0.5}\')').waitFor({
        timeout: 10_000,
      });

      // A patch the schema refuses: the typed error, in the panel and in the dashboard.
      await frame.locator('[data-action="too-loud"]').click();
      await frame.locator('[data-status="invalid_config"]').waitFor({ timeout: 10_000 });
      await panel.locator('[data-plugin-refused="invalid_config"]').waitFor();
      assert.deepEqual(node().config, { left: 0, right: 0.5 });
      assert.ok(
        !(await frame.content()).includes(dashboard.token),
        "the token is not in the frame",
      );
      await page.close();
    });

    await t.step("on a page without the token, a panel's patch is refused read-only", async () => {
      await using dashboard = await createDashboard(rt, { plugins: [BALANCE] });
      const page = await browser.open(`${dashboard.origin}/`, "read-only");
      // The note over the graph says how to get access; clicks go through it to the node below.
      await page.locator('[data-access="read-only"]').evaluate((el) => {
        (el as HTMLElement).style.pointerEvents = "none";
      });
      await openPanel(page, "balance", "balance");
      await page.locator('[data-plugin-panel="balance"][data-panel-state="ready"]').waitFor({
        timeout: 15_000,
      });
      const frame = await panelFrame(page, "balance");
      const before = rt.describe().nodes.find((n) => n.id === "balance")!.config;
      await frame.locator('[data-action="apply"]').click();
      await frame.locator('[data-status="read_only"]').waitFor({ timeout: 10_000 });
      assert.deepEqual(rt.describe().nodes.find((n) => n.id === "balance")!.config, before);
      await page.close();
    });

    await t.step(
      "a hostile panel reaches neither storage, the token, the API, top nor popups",
      async () => {
        await using dashboard = await createDashboard(rt, { plugins: [hostile("probe")] });
        const page = await browser.open(dashboard.url);
        const pagesBefore = browser.context.pages().length;
        await openPanel(page, "trim", "hostile");
        await page.locator('[data-plugin-panel="hostile"][data-panel-state="ready"]').waitFor({
          timeout: 15_000,
        });
        const frame = await panelFrame(page, "hostile");
        await frame.locator("body[data-probe]").waitFor({ state: "attached", timeout: 15_000 });
        const probe = JSON.parse(await frame.locator("body").getAttribute("data-probe") ?? "{}");
        for (
          const attempt of [
            "localStorage",
            "sessionStorage",
            "parentSessionStorage",
            "parentDocument",
            "cookie",
            "fetchGraph",
            "fetchStop",
            "xhr",
            "webSocket",
            "dashboardScript",
          ]
        ) {
          assert.equal(probe[attempt].ok, false, `${attempt}: ${JSON.stringify(probe[attempt])}`);
        }
        for (const attempt of ["localStorage", "sessionStorage", "cookie", "topLocation"]) {
          assert.match(probe[attempt].error, /SecurityError.*(sandboxed|permission)/, attempt);
        }
        for (const attempt of ["parentSessionStorage", "parentDocument"]) {
          assert.match(probe[attempt].error, /SecurityError.*cross-origin/, attempt);
        }
        assert.ok(!probe.windowOpen.ok || probe.windowOpen.value === "null", "no window opened");
        // The frame's CSP stopped every connection before it left the browser.
        const blocked = (probe.violations as string[]).filter((v) => v.startsWith("connect-src"));
        for (const target of ["/api/v1/graph", "/api/v1/runtime/stop", "/api/v1/stream"]) {
          assert.ok(blocked.some((v) => v.endsWith(target)), `${target} in ${blocked.join(", ")}`);
        }
        assert.ok(
          (probe.violations as string[]).some((v) => v.startsWith("script-src")),
          "the dashboard's script was refused",
        );
        assert.equal(
          probe.hostKeys,
          "config,liveFields,locked,node,onConfig,onLevels,onStats,resize,schema,setConfig",
        );
        assert.ok(
          !(await frame.content()).includes(dashboard.token),
          "the token is not in the frame",
        );
        assert.equal(browser.context.pages().length, pagesBefore, "no popup");
        assert.equal(new URL(page.url()).pathname, "/", "the top window stayed");
        await page.locator('[data-link="live"]').waitFor();
        assert.equal(rt.state, "running", "nothing reached the API");
        await page.close();
      },
    );

    const broken: [string, RegExp, string][] = [
      ["throws", /panel exploded at load/, "failed"],
      ["syntax", /SyntaxError|Unexpected token/, "failed"],
      ["never", /did not load within 10 s/, "closed"],
      ["flood", /more than 50 messages a second/, "closed"],
      ["huge", /over 65536 bytes/, "closed"],
      ["flood_patches", /more than 50 messages a second/, "closed"],
    ];
    for (const [module, text, state] of broken) {
      await t.step(`a ${module} panel shows its error in its panel only`, async () => {
        const before = configEvents.filter((n) => n === "trim").length;
        const temp = module === "syntax" ? await syntaxError() : undefined;
        await using dashboard: Dashboard = await createDashboard(rt, {
          plugins: [temp?.plugin ?? hostile(module)],
        });
        const page = await browser.open(dashboard.url);
        const panel = await openPanel(page, "trim", "hostile");
        const status = panel.locator(`[data-plugin-status="${state}"]`);
        await status.waitFor({ timeout: 20_000 });
        assert.match(await status.textContent() ?? "", text);
        assert.equal(await panel.locator("iframe").count(), 0, "the frame is gone");
        // The dashboard carries on: live, and another node's panel opens.
        await page.locator('[data-link="live"]').waitFor();
        await page.click('svg.graph [data-node="tone"] .node-title');
        await page.locator('[data-panel="node"][data-node="tone"]').waitFor();
        const patches = configEvents.filter((n) => n === "trim").length - before;
        assert.ok(patches <= 4, `${patches} patches reached the runtime`);
        await page.close();
        if (temp) await Deno.remove(temp.dir, { recursive: true });
      });
    }
    assert.deepEqual(browser.pageErrors, []);
  },
});
