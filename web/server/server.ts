/**
 * `createDashboard()`: the dashboard's HTTP server, which is also the control API.
 *
 * @module
 */

import { Hono } from "hono";
import type { NodeRegistry, Runtime } from "../../mod.ts";
import { accessPolicy, hostGuard, presentsToken } from "./api/auth.ts";
import { apiNotFound, createApi, errorResponse } from "./api/app.ts";
import type { ApiContext } from "./api/context.ts";
import { redactSnapshot } from "./api/redact.ts";
import { ApiError } from "./api/errors.ts";
import { API_BODY_LIMITS } from "./api/validation.ts";
import { ControlPolicy } from "../../frontend/control_policy.ts";
import type { BodyLimits } from "../../frontend/read_body.ts";
import { islandBundle } from "./bundle.ts";
import { type PreviewOptions, PreviewProbes } from "./previews.ts";
import { processorInfos } from "./processor_info.ts";
import type { ProcessorOrigin } from "../../core/registry/processor_origin.ts";
import { type DashboardPlugin, type PluginUi, pluginUis } from "./plugin_ui.ts";
import { pluginFramePath, pluginUiPath, pluginUiRoutes } from "./plugin_ui_routes.ts";
import { renderPage } from "./render_page.tsx";
import { PAGE_HEADERS, staticRoutes } from "./static_routes.ts";
import { API_BASE, type ProcessorInfo, type SnapshotMessage } from "../shared/protocol.ts";
import { LatencyMeter } from "./latency_meter.ts";
import { LiveOutputs } from "./live_outputs.ts";
import { StatsRing, type StatsRingOptions } from "./stats_ring.ts";
import { StreamHub } from "./stream.ts";
import type { ClientBacklog } from "./stream_client.ts";
import { createToken, tokenProblem } from "../../frontend/token.ts";
import type { HttpEndpoint, HttpEndpointFactory } from "../../frontend/http_endpoint.ts";
import { type HttpGuard, httpGuard } from "../../frontend/http_guard.ts";
import { serveStoppable } from "../../frontend/http_server.ts";

/** Where the dashboard serves MCP (streamable HTTP), beside the page and the API. */
export const DASHBOARD_MCP_PATH = "/mcp";

/**
 * Options of {@linkcode createDashboard}.
 *
 * @example Choose the token; calls that change something must present it
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, createDashboard, type DashboardOptions } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const options: DashboardOptions = { port: 0, token: "example-token-0123456789", statsHz: 2 };
 * const dashboard = await createDashboard(rt, options);
 * const addGain = (token: string) =>
 *   fetch(`${dashboard.origin}${API_BASE}/nodes`, {
 *     method: "POST",
 *     headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
 *     body: JSON.stringify({ type: "Gain", id: "gain" }),
 *   });
 * const refused = await addGain("some-other-token-0123456789");
 * assert.equal(refused.status, 401);
 * assert.equal((await refused.json()).error.code, "invalid_token");
 * const added = await addGain("example-token-0123456789");
 * assert.equal(added.status, 201);
 * assert.deepEqual((await added.json()).config, { gain: 1 });
 * await dashboard.close();
 * ```
 */
export interface DashboardOptions {
  /** The processors the palette offers and the API lists. Default: the runtime's registry. */
  readonly registry?: NodeRegistry;
  /** The TCP port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /**
   * The address to bind. Default `127.0.0.1` (this machine only). Bound beyond loopback
   * (`0.0.0.0`, a LAN address), every API call needs the token, reads included, and the page
   * shows the graph only with it: the Host header cannot be checked there, so that is what keeps
   * a DNS-rebinding page from reading the graph and stats.
   */
  readonly hostname?: string;
  /** The access token. Default: 32 random hex digits, made now. */
  readonly token?: string;
  /** Origins besides the dashboard's own allowed to call the API from a browser. */
  readonly allowedOrigins?: readonly string[];
  /** Stats messages per second on the event stream. Default 10. */
  readonly statsHz?: number;
  /** Preview rates and size. */
  readonly previews?: PreviewOptions;
  /**
   * The server's stats history (`GET /api/v1/history`): `capacity` samples (default 300) one
   * `periodMs` apart (default 1000), so 5 minutes.
   */
  readonly history?: StatsRingOptions;
  /**
   * Bounds of request bodies: `maxBytes` (default 65536; larger answers 413) and `timeoutMs`,
   * how long a whole body may take to arrive (default 10000; slower answers 408).
   */
  readonly requestBody?: Partial<BodyLimits>;
  /**
   * Where to draw nodes at first (top-left corners), e.g. a loaded manifest's `ui.positions`;
   * nodes without one are laid out beside them.
   */
  readonly positions?: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
  /**
   * What a token holder may do: processor types and media folders. Default: every type but
   * SubprocessProcessor, files only inside the working directory.
   */
  readonly control?: ControlPolicy;
  /**
   * The MCP endpoint to serve over streamable HTTP at `/mcp`, behind the same token and control
   * policy: `createMcpEndpoint` of `@streamlib/streamlib/mcp` (what `streamlib dashboard` passes),
   * or `false` (the default) for none. The dashboard does not import MCP; its caller composes
   * the two. It answers loopback Host names only (`127.0.0.1`, `localhost`, `[::1]` with the
   * port), so bound to `0.0.0.0` it is still reachable only from this machine; bound to one LAN
   * address (which loopback cannot reach) it is not served.
   *
   * @example Serve MCP beside the dashboard
   * ```ts
   * import assert from "node:assert/strict";
   * import { createDashboard } from "@streamlib/streamlib/web";
   * import { createMcpEndpoint } from "@streamlib/streamlib/mcp";
   * import { createRuntime } from "@streamlib/streamlib/processors";
   *
   * await using dashboard = await createDashboard(createRuntime(), { mcp: createMcpEndpoint });
   * assert.equal(dashboard.mcpUrl, `${dashboard.origin}/mcp`);
   * const anonymous = await fetch(dashboard.mcpUrl!, { method: "POST", body: "{}" });
   * assert.equal(anonymous.status, 401);
   * await anonymous.body?.cancel();
   * ```
   */
  readonly mcp?: HttpEndpointFactory | false;
  /**
   * Where each processor type came from, by name (the palette and `GET /api/v1/processors`
   * show it): what `streamlib dashboard` gets from the project and its plugins. Default none.
   */
  readonly origins?: ReadonlyMap<string, ProcessorOrigin>;
  /**
   * The plugins: `GET /api/v1/plugins` lists them as given (discovery's `pluginInfo()` of
   * `@streamlib/streamlib/plugins` for each plugin found), and the dashboard serves the own UI of
   * those that have one (`{ name, folder, ui }` is enough; those without `ui` are ignored): a node of a processor in `ui.processors` gets a button in the side
   * panel that opens the plugin's module in a sandboxed frame, and `GET /api/v1/plugins/<name>/ui/<path>`
   * (`<path>` in the plugin folder, as discovery's `pluginUiUrl()` makes it) serves the files of the
   * module's folder. See docs/plugin_ui.md.
   *
   * @example A plugin's panel for its processor
   * ```ts
   * import assert from "node:assert/strict";
   * import { createDashboard } from "@streamlib/streamlib/web";
   * import { createRuntime } from "@streamlib/streamlib/processors";
   *
   * const folder = await Deno.makeTempDir();
   * await Deno.mkdir(`${folder}/ui`);
   * await Deno.writeTextFile(`${folder}/ui/panel.js`, "export default (root) => { root.textContent = 'hi'; };");
   * await using dashboard = await createDashboard(createRuntime(), {
   *   plugins: [{ name: "louder", folder, ui: { module: "ui/panel.js", processors: ["Gain"] } }],
   * });
   * const gain = await (await fetch(`${dashboard.origin}/api/v1/processors/Gain`)).json();
   * assert.equal(gain.ui.module, "/api/v1/plugins/louder/ui/ui/panel.js");
   * const module = await fetch(`${dashboard.origin}${gain.ui.module}`);
   * assert.equal(module.headers.get("content-type"), "text/javascript; charset=utf-8");
   * assert.match(await module.text(), /export default/);
   * ```
   */
  readonly plugins?: readonly DashboardPlugin[];
}

/**
 * A running dashboard.
 *
 * @example Ask a running graph's state over HTTP, then close the dashboard
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDashboard, type Dashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const dashboard: Dashboard = await createDashboard(rt); // a free port on 127.0.0.1
 * assert.equal(dashboard.url, `${dashboard.origin}/?token=${dashboard.token}`);
 * const response = await fetch(`${dashboard.origin}/api/v1/runtime`); // reads need no token
 * assert.deepEqual(await response.json(), { state: "running", actions: ["pause", "stop"] });
 * await dashboard.close(); // the runtime keeps running
 * await rt.stop();
 * ```
 */
export interface Dashboard extends AsyncDisposable {
  /** The page's URL, token included: what to open in a browser. */
  readonly url: string;
  /** `http://host:port`, for API clients. */
  readonly origin: string;
  /** The token mutating calls and the event stream need (`Authorization: Bearer <token>`). */
  readonly token: string;
  /** The bound port. */
  readonly port: number;
  /** The MCP endpoint (`http://127.0.0.1:<port>/mcp`, same token), or `undefined` without MCP. */
  readonly mcpUrl: string | undefined;
  /**
   * What waits for each connected event-stream client (socket buffer, queued events, frames and
   * stats, all bounded) and what each missed because it was slow.
   */
  clients(): ClientBacklog[];
  /** Closes clients, closes the preview probes and stops serving. Idempotent; the runtime keeps running. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard for a runtime: the page at `/`, the control API under `/api/v1` and the
 * event stream at `/api/v1/stream`. It binds to 127.0.0.1 unless told otherwise; mutating calls
 * and the stream need the token, which is printed inside `url`. The dashboard uses only the
 * runtime's public API, and a slow or vanished client never slows the runtime.
 *
 * @param runtime The runtime to show and control.
 * @param options Registry, address, token and rates.
 * @returns The running dashboard.
 * @throws {TypeError} When the token is malformed, or a plugin's name, folder or UI module is.
 * @throws {BundleError} When the islands' bundle cannot be built.
 *
 * @example Show a tone on the dashboard
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * await using dashboard = await createDashboard(rt); // or { port: 8787 }
 * const page = await fetch(dashboard.url); // open this URL in a browser
 * assert.equal(page.status, 200);
 * assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
 * await page.body?.cancel();
 * ```
 */
export async function createDashboard(
  runtime: Runtime,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const token = options.token ?? createToken();
  const problem = tokenProblem(token);
  if (problem) throw new TypeError(`Cannot create the dashboard: ${problem}`);
  const hostname = options.hostname ?? "127.0.0.1";
  const uis = pluginUis(options.plugins ?? []);
  const bundle = await islandBundle();
  const processors = withPanels(
    processorInfos(options.registry ?? runtime.registry, options.origins),
    uis,
  );
  const frames = { hub: undefined as StreamHub | undefined };
  const previews = new PreviewProbes(
    runtime,
    (output, message) => frames.hub?.offerFrame(output, message),
    options.previews,
  );
  const hub = new StreamHub({ runtime, processors, previews, statsHz: options.statsHz });
  frames.hub = hub;
  await hub.ready();
  for (const [id, at] of Object.entries(options.positions ?? {})) hub.placeNode(id, at);

  // The policy names the bound port, so the app is made once the server listens.
  const routes: { app?: Hono } = {};
  // Stopped with a signal: a request held half-sent cannot hold the dashboard's close().
  const { server, stop } = serveStoppable(
    {
      hostname,
      port: options.port ?? 0,
      onListen: () => {},
      // Hono answers every error itself; this is the last line, so nothing a client sends can
      // end the process.
      onError: (error) => {
        console.error(`streamlib dashboard: internal error: ${(error as Error)?.stack ?? error}`);
        return new Response(null, { status: 500 });
      },
    },
    (request, info) =>
      routes.app ? routes.app.fetch(request, info) : new Response(null, { status: 503 }),
  );
  const port = server.addr.port;
  const policy = accessPolicy(token, hostname, port, options.allowedOrigins);
  const bodyLimits = { ...API_BODY_LIMITS, ...options.requestBody };
  const control = options.control ?? new ControlPolicy();
  const history = new StatsRing(options.history);
  history.start(() => hub.stats());
  const latency = new LatencyMeter(runtime);
  // The live view's media sockets bind the dashboard's own address when it is one IP address,
  // loopback otherwise (a wildcard or a name).
  const live = new LiveOutputs(
    runtime,
    /^[0-9.]+$/.test(hostname) && hostname !== "0.0.0.0" ? hostname : "127.0.0.1",
  );
  const ctx: ApiContext = {
    runtime,
    processors,
    plugins: options.plugins ?? [],
    hub,
    history,
    latency,
    policy,
    bodyLimits,
    control,
    live,
  };
  // MCP answers loopback names only: served when loopback reaches the server (a loopback or a
  // wildcard bind), not on a bind to one LAN address.
  const mcpHost = ["127.0.0.1", "localhost", "0.0.0.0"].includes(hostname)
    ? (hostname === "localhost" ? "localhost" : "127.0.0.1")
    : hostname === "::1" || hostname === "::"
    ? "[::1]"
    : undefined;
  const mcp = !options.mcp || mcpHost === undefined ? undefined : {
    // MCP messages may be larger than API bodies (4 MiB); they arrive within the same time.
    endpoint: options.mcp(runtime, {
      control,
      requestBody: { timeoutMs: bodyLimits.timeoutMs },
    }),
    guard: httpGuard(port, token, [...policy.origins]),
  };
  routes.app = createApp(ctx, bundle, mcp, uis);

  const host = hostname === "0.0.0.0" || hostname === "::"
    ? "127.0.0.1"
    : hostname.includes(":")
    ? `[${hostname}]`
    : hostname;
  const origin = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      history.close();
      latency.stop();
      live.close();
      hub.close();
      previews.close();
      await mcp?.endpoint.close();
      await stop();
    })();
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    mcpUrl: mcp ? `http://${mcpHost}:${port}${DASHBOARD_MCP_PATH}` : undefined,
    clients: () => hub.clientBacklogs(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function createApp(
  ctx: ApiContext,
  bundle: Uint8Array<ArrayBuffer>,
  mcp: { endpoint: HttpEndpoint; guard: HttpGuard } | undefined,
  uis: readonly PluginUi[],
): Hono {
  const app = new Hono();
  app.onError(errorResponse);
  // MCP checks Host (loopback names only), Origin and the token itself, and answers JSON-RPC.
  if (mcp) app.all(DASHBOARD_MCP_PATH, (c) => mcp.endpoint.handle(c.req.raw, mcp.guard));
  app.use("*", hostGuard(ctx.policy));
  // Ahead of the API: a plugin's sandboxed frame (origin "null", no token) loads these.
  pluginUiRoutes(app, uis, ctx.policy);
  app.route(API_BASE, createApi(ctx));
  app.get("/", (c) => {
    // Beyond loopback the page shows the graph only to a request with the token; the page's
    // script then fills in from the event stream with the token it keeps for the tab.
    const open = !ctx.policy.readsNeedToken || presentsToken(ctx.policy, c.req.raw);
    const snapshot = ctx.hub.snapshot();
    const full = presentsToken(ctx.policy, c.req.raw);
    // Error messages and stacks can name files and quote them: only with the token.
    const html = renderPage(
      !open ? withoutGraph(snapshot) : full ? snapshot : redactSnapshot(snapshot),
    );
    return c.html(html, 200, PAGE_HEADERS);
  });
  staticRoutes(app, bundle);
  app.notFound((c) =>
    c.req.path.startsWith("/api/") ? apiNotFound(c) : c.json(
      new ApiError(404, "not_found", `Cannot find ${c.req.path}: the dashboard is at /`).body(),
      404,
    )
  );
  return app;
}

/** A snapshot with no graph, stats, events or registry: the page shell for a reader without the token. */
function withoutGraph(snapshot: SnapshotMessage): SnapshotMessage {
  return {
    ...snapshot,
    processors: [],
    graph: { ...snapshot.graph, nodes: [], connections: [], isolates: {} },
    layout: { width: 0, height: 0, nodes: {}, edges: {} },
    stats: { ...snapshot.stats, nodes: {}, connections: {}, levels: {} },
    events: [],
    errors: {},
  };
}

/** The processors, each with the panel a plugin ships for it, if any. */
function withPanels(processors: ProcessorInfo[], uis: readonly PluginUi[]): ProcessorInfo[] {
  return processors.map((p) => {
    const ui = uis.find((u) => u.processors.includes(p.name));
    return !ui ? p : {
      ...p,
      ui: {
        plugin: ui.name,
        frame: pluginFramePath(ui.name),
        module: pluginUiPath(ui.name, ui.module),
      },
    };
  });
}
