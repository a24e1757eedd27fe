/**
 * What every page of the dashboard serves the same way: the headers of its HTML (a strict
 * content security policy, no caching, no referrer) and its `/static/` files (the islands'
 * bundle, the stylesheet, the icon).
 *
 * @module
 */

import { fileURLToPath as fromFileUrl } from "node:url";
import type { Hono } from "hono";
import { ApiError } from "./api/errors.ts";

const STATIC = new URL("../static/", import.meta.url);
const STATIC_TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  // plugin_frame.js, the shell of a plugin's panel frame (classic script: no bundle, no CORS).
  js: "text/javascript; charset=utf-8",
};

/** The headers of a page's HTML. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
};

/**
 * Adds `GET /static/islands.js` (the bundle) and `GET /static/:file` (`web/static/`) to an app,
 * under its base path.
 *
 * @param app The app.
 * @param bundle The islands' bundle.
 */
export function staticRoutes(app: Hono, bundle: Uint8Array<ArrayBuffer>): void {
  app.get("/static/islands.js", (c) => {
    return c.body(bundle, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    });
  });
  app.get("/static/:file", async (c) => {
    const file = c.req.param("file");
    const ext = /^[a-z0-9_-]+\.([a-z]+)$/.exec(file)?.[1];
    const type = ext ? STATIC_TYPES[ext] : undefined;
    if (!type) throw new ApiError(404, "not_found", `Cannot find /static/${file}`);
    let body: Uint8Array;
    try {
      body = await Deno.readFile(fromFileUrl(new URL(file, STATIC)));
    } catch {
      throw new ApiError(404, "not_found", `Cannot find /static/${file}`);
    }
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": type,
      "cache-control": "no-cache",
    });
  });
}
