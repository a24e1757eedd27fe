/**
 * `GET /api/v1/plugins` and processor origins in the control API, from a dashboard given the
 * discovered plugins (what `streamlib dashboard` passes).
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createDashboard } from "../../web/mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { discoverPlugins, loadPlugins, pluginInfo } from "../../plugins/mod.ts";

const GOOD = fileURLToPath(new URL("../fixtures/plugin_folders/good", import.meta.url));

async function dashboardWithPlugins() {
  const loaded = await loadPlugins(await discoverPlugins([GOOD]));
  const rt = createRuntime().use(loaded.registry);
  const origins = new Map(loaded.origins);
  origins.set("Gain", { kind: "builtin" });
  return await createDashboard(rt, {
    origins,
    plugins: loaded.plugins.map(pluginInfo),
    statsHz: 2,
  });
}

Deno.test("GET /api/v1/plugins lists each plugin's metadata, folder, processors and UI URL", async () => {
  await using dashboard = await dashboardWithPlugins();
  const response = await fetch(`${dashboard.origin}/api/v1/plugins`);
  assert.equal(response.status, 200);
  const { plugins } = await response.json();
  assert.deepEqual(plugins, [{
    name: "flip",
    version: "1.2.0",
    license: "MIT",
    author: "streamlib tests",
    kind: "typescript",
    folder: await Deno.realPath(`${GOOD}/flip`),
    processors: ["Polarity"],
    minRuntime: "0.1.0",
    ui: {
      module: "ui/panel.js",
      processors: ["Polarity"],
      url: "/api/v1/plugins/flip/ui/ui/panel.js",
    },
  }]);
  const index = await (await fetch(`${dashboard.origin}/api/v1`)).json();
  assert.ok(
    index.endpoints.some((e: { method: string; path: string }) =>
      e.method === "GET" && e.path === "/api/v1/plugins"
    ),
  );
});

Deno.test("GET /api/v1/plugins is an empty list when the dashboard was given none", async () => {
  await using dashboard = await createDashboard(createRuntime(), { statsHz: 2 });
  const { plugins } = await (await fetch(`${dashboard.origin}/api/v1/plugins`)).json();
  assert.deepEqual(plugins, []);
});

Deno.test("GET /api/v1/processors gives each processor's origin", async () => {
  await using dashboard = await dashboardWithPlugins();
  const { processors } = await (await fetch(`${dashboard.origin}/api/v1/processors`)).json();
  const byName = new Map(processors.map((p: { name: string }) => [p.name, p]));
  assert.deepEqual((byName.get("Polarity") as { origin: unknown }).origin, {
    kind: "plugin",
    plugin: "flip",
    version: "1.2.0",
    pluginKind: "typescript",
    folder: await Deno.realPath(`${GOOD}/flip`),
  });
  assert.deepEqual((byName.get("Gain") as { origin: unknown }).origin, { kind: "builtin" });
  // A type the dashboard was told nothing about has no origin field.
  assert.equal((byName.get("Reverb") as { origin?: unknown }).origin, undefined);
});
