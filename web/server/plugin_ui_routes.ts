/**
 * The routes of plugin UIs: `GET /api/v1/plugins/<name>/ui/<path>` serves the files of a
 * plugin's UI folder, and `GET /plugins/<name>/frame` the sandboxed page the dashboard frames a
 * plugin's panel in. Decision 0045 says why a sandboxed frame.
 *
 * @module
 */

import type { Hono } from "hono";
import { API_BASE } from "../shared/protocol.ts";
import type { AccessPolicy } from "./api/auth.ts";
import { ApiError } from "./api/errors.ts";
import { type PluginUi, pluginUiFile } from "./plugin_ui.ts";

/**
 * The path of a plugin's frame page.
 *
 * @param name The plugin.
 * @returns `/plugins/<name>/frame`.
 */
export function pluginFramePath(name: string): string {
  return `/plugins/${encodeURIComponent(name)}/frame`;
}

/**
 * The URL path of a file of a plugin's UI folder.
 *
 * @param name The plugin.
 * @param path The file's path in the plugin folder, `/`-separated.
 * @returns `/api/v1/plugins/<name>/ui/<path>`, each segment percent-encoded.
 */
export function pluginUiPath(name: string, path: string): string {
  return `${API_BASE}/plugins/${encodeURIComponent(name)}/ui/${
    path.split("/").map(encodeURIComponent).join("/")
  }`;
}

const UI_ROUTE = new RegExp(`^${API_BASE}/plugins/([^/]+)/ui/(.*)$`);
const HOST = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

/**
 * The content security policy of a plugin's frame: its own shell script and the plugin's UI
 * folder may run, nothing may be fetched or framed, and the page is sandboxed even when opened
 * on its own (`sandbox allow-scripts`: an opaque origin, no storage, no cookies, no popups, no
 * navigation of the top window).
 *
 * @param origin The dashboard's origin as the browser reached it (`http://127.0.0.1:8787`).
 * @param name The plugin.
 * @param dir The folder of its UI module in the plugin folder, as segments.
 * @param ancestors The origins allowed to frame it (the dashboard's).
 * @returns The header's value.
 */
export function pluginFramePolicy(
  origin: string,
  name: string,
  dir: readonly string[],
  ancestors: readonly string[],
): string {
  const ui = `${origin}${pluginUiPath(name, dir.length ? `${dir.join("/")}/` : "")}`;
  return [
    "default-src 'none'",
    `script-src ${origin}/static/plugin_frame.js ${ui}`,
    `style-src 'unsafe-inline' ${ui}`,
    `img-src data: blob: ${ui}`,
    `font-src ${ui}`,
    "connect-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "object-src 'none'",
    "media-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors.join(" ")}`,
    "sandbox allow-scripts",
  ].join("; ");
}

/**
 * Adds the plugin UI routes to the dashboard's app, ahead of the API (whose reads need the token
 * beyond loopback: a sandboxed frame has none to give, and these files are code like
 * `/static/`, not state).
 *
 * @param app The dashboard's app.
 * @param uis The plugin UIs.
 * @param policy The access rules (origins).
 */
export function pluginUiRoutes(app: Hono, uis: readonly PluginUi[], policy: AccessPolicy): void {
  const byName = new Map(uis.map((ui) => [ui.name, ui]));
  const find = (raw: string) => {
    let name = raw;
    try {
      name = decodeURIComponent(raw);
    } catch { /* reported as unknown below */ }
    const ui = byName.get(name);
    if (!ui) {
      const names = [...byName.keys()];
      throw new ApiError(
        404,
        "plugin_ui_not_found",
        `Cannot find a UI of plugin ${JSON.stringify(name.slice(0, 80))}: plugins with a UI: ${
          names.join(", ") || "none"
        }`,
        { field: "name", choices: names },
      );
    }
    return ui;
  };
  // A panel's frame has an opaque origin, so its module imports arrive with `Origin: null`.
  const allowedOrigin = (origin: string | undefined, host: string | undefined) =>
    origin === undefined || origin === "null" || policy.origins.has(origin) ||
    (policy.hosts === null && origin === `http://${host}`);

  app.get(`${API_BASE}/plugins/:name/ui/*`, async (c) => {
    const url = c.req.url;
    const path = url.slice(url.indexOf("/", url.indexOf("://") + 3)).split(/[?#]/)[0];
    const match = UI_ROUTE.exec(path);
    if (!match) throw new ApiError(404, "plugin_ui_file_not_found", "Cannot find the file");
    const ui = find(match[1]);
    const origin = c.req.header("origin");
    if (!allowedOrigin(origin, c.req.header("host"))) {
      throw new ApiError(
        403,
        "forbidden_origin",
        `Cannot serve a plugin UI file to origin ${JSON.stringify(origin?.slice(0, 80))}`,
        { field: "origin", choices: [...policy.origins] },
      );
    }
    const { file, type } = await pluginUiFile(ui, match[2]);
    const body = await Deno.readFile(file);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": type,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      // Opened on its own (an SVG, say), a file runs nothing and reaches nothing.
      "content-security-policy": "default-src 'none'; sandbox",
      "access-control-allow-origin": origin === undefined ? "*" : origin,
      "vary": "origin",
    });
  });

  app.get("/plugins/:name/frame", (c) => {
    const ui = find(c.req.param("name"));
    const host = c.req.header("host") ?? "";
    if (!HOST.test(host)) {
      throw new ApiError(400, "invalid_field", "Cannot frame a plugin UI: malformed Host header", {
        field: "host",
      });
    }
    const origin = `http://${host}`;
    const ancestors = policy.hosts === null ? [...policy.origins, origin] : [...policy.origins];
    const module = pluginUiPath(ui.name, ui.module);
    const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${ui.name}</title>
<script defer src="/static/plugin_frame.js"></script>
</head><body data-plugin="${ui.name}" data-module="${module}" style="margin:0;font:13px system-ui,sans-serif">
<main id="plugin-root"></main>
</body></html>`;
    return c.html(html, 200, {
      "content-security-policy": pluginFramePolicy(origin, ui.name, ui.dir, ancestors),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    });
  });
}
