/**
 * `streamlib serve` as a library: {@linkcode serveSessions} serves a {@linkcode Catalog} of
 * pipelines (`loadCatalog(folder)`: each `<name>.json`) as WebSocket sessions at `/v1/sessions`,
 * with a per-pipeline token allow-list ({@linkcode TokenPolicy}), `/healthz`, `/readyz`,
 * Prometheus `/metrics` ({@linkcode SessionMetrics}) and the operators' `/v1/admin/sessions`
 * ({@linkcode SessionAdmin}: list the live sessions, show one's graph, end one). See
 * `docs/sessions.md#serving-sessions`.
 *
 * @example Serve a folder and open a session
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCatalog, serveSessions, TokenPolicy } from "@streamlib/streamlib/serve";
 * import { connect } from "@streamlib/streamlib/sessions/client";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/double.json`, JSON.stringify({
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * }));
 * const tokens = new TokenPolicy({ tokens: { "secret-token-1": ["double"] } });
 * const server = await serveSessions({ catalog: await loadCatalog(dir), port: 0, tokens });
 * const client = connect(server.sessionsUrl, { token: "secret-token-1" });
 * const block = { kind: "audio", channels: 2, sampleRate: 16000, samples: new Float32Array([0.25, 0.25]) } as const;
 * const out = await client.execute("double", { audio: [block] });
 * assert.equal((out.audio[0].frame as { samples: Float32Array }).samples[0], 0.5);
 * await server.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export { AdminError, SessionAdmin } from "./admin.ts";
export {
  ADMIN_SESSIONS_PATH,
  type OperatorRole,
  type SessionGraphBody,
  type SessionListBody,
  SESSIONS_PAGE_PATH,
  type SessionsPage,
  type SessionsPageContext,
  type SessionsPageFactory,
  type SessionStateName,
  type SessionSummary,
} from "../frontend/session_admin.ts";
export { type Catalog, loadCatalog } from "./catalog.ts";
export { type ListedParameter, type ListedPipeline, listPipelines } from "./pipelines.ts";
export { ServeError } from "./errors.ts";
export { ROUND_TRIP_BUCKETS, SessionMetrics } from "./session_metrics.ts";
export {
  type ServeObserver,
  type ServeOptions,
  serveSessions,
  type SessionServer,
  type SessionTransport,
  type WebRtcServeOptions,
} from "./server.ts";
export { loadTokenFile, type TokenFile, TokenPolicy } from "./tokens.ts";
