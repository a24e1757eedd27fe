/**
 * The streamlib dashboard and control API.
 *
 * {@linkcode createDashboard} serves, for one runtime, a page with the live graph (auto-laid out,
 * with process times, throughput, fill levels, drops and previews), a palette, a config form
 * generated from each processor's JSON Schema and an event log; and a versioned JSON API under
 * `/api/v1` with a WebSocket event stream, which other programs use to read and change the graph.
 * It binds to 127.0.0.1 by default; mutating calls and the stream need the token printed inside
 * the dashboard URL. See `docs/control_api.md`. {@linkcode createSessionsPage} is the page of a
 * `streamlib serve`'s live sessions (list them, open one's graph, end one), which the server
 * mounts at `/dashboard` (`docs/sessions.md#sessions-in-the-dashboard`).
 *
 * The folder is split by where code runs, as fresh splits its runtime: `server/` (the Hono app,
 * control API in `server/api/`, event stream, previews, live outputs, token, page rendering),
 * `client/` (the browser's entry, socket and API client), `shared/` (the protocol and the store
 * both sides use), and fresh's `routes/`, `islands/`, `components/` and `static/` for the page.
 *
 * @example Start a pipeline with its dashboard, then drive it over HTTP
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 *
 * await using dashboard = await createDashboard(rt); // pass { port: 8787 } for a fixed port
 * assert.ok(dashboard.url.startsWith("http://127.0.0.1:"));
 *
 * const response = await fetch(`${dashboard.origin}/api/v1/nodes/tone/config`, {
 *   method: "PATCH",
 *   headers: { authorization: `Bearer ${dashboard.token}`, "content-type": "application/json" },
 *   body: JSON.stringify({ config: { frequency: 880 } }), // a live field: allowed while running
 * });
 * assert.equal(response.status, 200);
 * await response.body?.cancel();
 * const tone = rt.describe().nodes.find((n) => n.id === "tone")!;
 * assert.equal((tone.config as { frequency: number }).frequency, 880);
 * ```
 *
 * @module
 */

export {
  createDashboard,
  type Dashboard,
  DASHBOARD_MCP_PATH,
  type DashboardOptions,
} from "./server/server.ts";
export { serveDashboard } from "./server/serve_dashboard.ts";
export { createSessionsPage } from "./server/sessions_page.tsx";
export type {
  SessionGraphBody,
  SessionsPage,
  SessionsPageContext,
  SessionsPageFactory,
  SessionStateName,
  SessionSummary,
} from "../frontend/session_admin.ts";
export { ApiError, type ApiErrorFields } from "./server/api/errors.ts";
export { BundleError } from "./server/bundle.ts";
export type { PreviewOptions } from "./server/previews.ts";
export type { ClientBacklog } from "./server/stream_client.ts";
export {
  API_BASE,
  API_VERSION,
  type ApiErrorBody,
  type AudioLevel,
  type ClientMessage,
  type ConnectionRates,
  type DashboardEvent,
  type ErrorMessage,
  type EventsMessage,
  type GraphLayout,
  type GraphMessage,
  type GraphView,
  type LoggedEvent,
  type NodeBox,
  type NodeErrorInfo,
  type NodeRates,
  type Point,
  type ProcessorInfo,
  type ProcessorUi,
  type ServerMessage,
  type SnapshotMessage,
  type StatsMessage,
  type StatsView,
  type WatchMessage,
} from "./shared/protocol.ts";
export {
  decodePreviewFrame,
  type PreviewFrame,
  type PreviewHeader,
} from "./shared/preview_frame.ts";
export type { PolicyProblem } from "../frontend/control_policy.ts";
export { type BodyLimits, BodyReadError, type BodyReadProblem } from "../frontend/read_body.ts";
export type { StatsRingOptions } from "./server/stats_ring.ts";
export type { DashboardPlugin } from "./server/plugin_ui.ts";
// What the dashboard shares with the other front-ends (`frontend/`): the codes its errors carry
// (the runtime's and the front-ends' own) and the contract of an endpoint it can mount (MCP's).
export {
  type ErrorCode as AnyErrorCode,
  FRONTEND_ERROR_CODES,
  type FrontendErrorCode,
} from "../frontend/error_codes.ts";
export type {
  HttpEndpoint,
  HttpEndpointFactory,
  HttpEndpointOptions,
} from "../frontend/http_endpoint.ts";
export type { HttpGuard } from "../frontend/http_guard.ts";
