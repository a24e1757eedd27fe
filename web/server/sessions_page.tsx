/**
 * `createSessionsPage()`: the dashboard's page of a `streamlib serve`'s live sessions, mounted by
 * the server at `/dashboard` (it does not import `web/`: its caller hands it this factory).
 *
 * @module
 */

import { Hono } from "hono";
import { render } from "preact-render-to-string";
import {
  SESSIONS_PAGE_PATH,
  type SessionsPage,
  type SessionsPageContext,
  type SessionsPageFactory,
} from "../../frontend/session_admin.ts";
import App from "../routes/_app.tsx";
import SessionsRoute from "../routes/sessions.tsx";
import type { GraphLayout, SnapshotMessage } from "../shared/protocol.ts";
import { SessionsStore } from "../shared/sessions_store.ts";
import { DashboardStore } from "../shared/store.ts";
import { ApiError } from "./api/errors.ts";
import { errorResponse } from "./api/app.ts";
import { islandBundle } from "./bundle.ts";
import { layoutGraph } from "./layout.ts";
import { PAGE_HEADERS, staticRoutes } from "./static_routes.ts";

/** Layouts kept, by session id (a session's graph keeps its shape for its life). */
const MAX_LAYOUTS = 64;

/** The snapshot the page starts from: no graph until a session is opened. */
function emptySnapshot(): SnapshotMessage {
  return {
    type: "snapshot",
    version: 1,
    processors: [],
    graph: { state: "stopped", nodes: [], connections: [], isolates: {} },
    layout: { width: 0, height: 0, nodes: {}, edges: {} },
    stats: { state: "stopped", timeNs: 0, nodes: {}, connections: {}, levels: {} },
    events: [],
    errors: {},
  };
}

/**
 * The page's HTML: nothing in it is secret (the sessions come from the admin API, with the tab's
 * operator token).
 *
 * @returns The document.
 */
export function renderSessionsPage(): string {
  const snapshot = emptySnapshot();
  const store = new SessionsStore(new DashboardStore(snapshot));
  return `<!DOCTYPE html>${
    render(
      <App snapshot={snapshot} base={SESSIONS_PAGE_PATH} page="sessions" title="streamlib sessions">
        <SessionsRoute store={store} />
      </App>,
    )
  }`;
}

/**
 * Makes the sessions page for a server: `GET /dashboard` (the page: the live sessions, each with
 * a button that opens its graph and one that ends it), `GET /dashboard/static/...` (its bundle
 * and stylesheet) and `GET /dashboard/sessions/:id/layout` (an open session's graph and its
 * layout, for an operator token with the `read` role). The page's script reads the list, the
 * graphs' counters and ends sessions through the server's `/v1/admin/sessions`.
 *
 * @param context The server's session graphs and operator check.
 * @returns The page.
 * @throws {BundleError} When the islands' bundle cannot be built.
 *
 * @example Serve the page from `streamlib serve`'s server
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveSessions } from "@streamlib/streamlib/serve";
 * import { createSessionsPage } from "@streamlib/streamlib/web";
 *
 * const server = await serveSessions({ catalog: new Map(), port: 0, dashboard: createSessionsPage });
 * assert.equal(server.dashboardUrl, `${server.url}/dashboard?token=${server.adminToken}`);
 * const page = await fetch(server.dashboardUrl!);
 * assert.match(await page.text(), /data-page="sessions"/);
 * await server.close();
 * ```
 */
export const createSessionsPage: SessionsPageFactory = async (
  context: SessionsPageContext,
): Promise<SessionsPage> => {
  const bundle = await islandBundle();
  const layouts = new Map<string, GraphLayout>();
  const app = new Hono().basePath(SESSIONS_PAGE_PATH);
  app.onError(errorResponse);
  app.get("/", (c) => c.html(renderSessionsPage(), 200, PAGE_HEADERS));
  staticRoutes(app, bundle);
  app.get("/sessions/:id/layout", async (c) => {
    context.authorize(c.req.raw, "read");
    const id = c.req.param("id");
    const session = await context.inspect(id);
    let layout = layouts.get(session.id);
    if (!layout) {
      layout = await layoutGraph(session.graph);
      if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
      layouts.set(session.id, layout);
    }
    return c.json({ layout, session }, 200, { "cache-control": "no-store" });
  });
  app.notFound((c) =>
    c.json(
      new ApiError(
        404,
        "not_found",
        `Cannot find ${c.req.path.slice(0, 200)}: the sessions page is at ${SESSIONS_PAGE_PATH}`,
      ).body(),
      404,
    )
  );
  return { handle: async (request) => await app.fetch(request) };
};
