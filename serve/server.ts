/**
 * {@linkcode serveSessions}: the server of `streamlib serve`: a folder's pipelines as WebSocket
 * and WebRTC sessions, with tokens, health, readiness, metrics, the operators' API and the
 * sessions page.
 *
 * @module
 */

import {
  ADMIN_SESSIONS_PATH,
  SESSIONS_PAGE_PATH,
  type SessionsPage,
  type SessionsPageFactory,
} from "../frontend/session_admin.ts";
import { createToken, tokenProblem } from "../frontend/token.ts";
import { PipelineRunner, type RunnerOptions } from "../sessions/runner.ts";
import { SessionHandler } from "../sessions/websocket/handler.ts";
import type { SessionObserver } from "../sessions/websocket/observer.ts";
import { SessionAdmin } from "./admin.ts";
import type { WebRtcHandler } from "../sessions/webrtc/handler.ts";
import { type Catalog, findPipeline } from "./catalog.ts";
import { listPipelines } from "./pipelines.ts";
import type { NodeRegistry } from "../core/registry/node_registry.ts";
import { ServeError } from "./errors.ts";
import { CONTENT_TYPE } from "./prometheus/text_format.ts";
import { SessionMetrics } from "./session_metrics.ts";
import { TokenPolicy } from "./tokens.ts";
import { serveStoppable } from "../frontend/http_server.ts";

/** Options of {@linkcode serveSessions}: the catalog, the address, tokens, and the runner's limits. */
export interface ServeOptions extends RunnerOptions {
  /** The pipelines by name (`loadCatalog(folder)`). */
  readonly catalog: Catalog;
  /**
   * The sessions' processors, loaded: `GET /v1/pipelines` lists each parameter's JSON Schema and
   * default from them. Without it, a parameter is listed with its target and description only.
   */
  readonly processors?: NodeRegistry;
  /** The port (0: a free one). Default 8080. */
  readonly port?: number;
  /** The address to bind. Default `127.0.0.1`; another needs tokens. */
  readonly hostname?: string;
  /** Who may open which pipeline. Default: no token, loopback only. */
  readonly tokens?: TokenPolicy;
  /**
   * How long sessions' outputs may take to flush on `close()`, and their graphs to stop: past it
   * a session still running (a processor that never returns) is ended with
   * `server_shutting_down` (at least 500 ms after its transport closed it). Default 5 000 ms.
   */
  readonly drainMs?: number;
  /**
   * How long `close()` keeps taking sessions after `/readyz` turned 503, before the drain
   * starts, so that a load balancer checking `/readyz` stops sending new sessions first (it needs
   * its failed checks times its interval: HAProxy's `fall 2` at `inter 500ms`, about 1 s). Only
   * when `/readyz` was asked since the server started: with nothing checking it, nothing learns
   * from it, and the drain starts at once. Default 0.
   */
  readonly shutdownDelayMs?: number;
  /** The transport's bound of unsent bytes per client (see `SessionHandlerOptions`). */
  readonly maxBufferedBytes?: number;
  /** The transport's bound of frames waiting for a graph (see `SessionHandlerOptions`). */
  readonly maxPendingFrames?: number;
  /** How long a connection may take to send its `open`. Default 10 000 ms. */
  readonly openTimeoutMs?: number;
  /**
   * WebSocket connections held beyond `maxSessions` (waiting for their `open`, or for the client
   * to answer the close); an upgrade past it gets 503 `session_limit_reached`. Default 1 024.
   */
  readonly maxWaitingConnections?: number;
  /** How long a WebSocket client has to answer the server's close. Default 5 000 ms. */
  readonly closeTimeoutMs?: number;
  /** How long a gRPC connection with no call in progress stays open. Default 60 000 ms. */
  readonly maxConnectionIdleMs?: number;
  /**
   * A port for the same pipelines over gRPC (`sessions/grpc/`, the `.proto` in
   * `proto/streamlib/sessions/v1/`), with the same tokens, session limit and metrics (0: a free
   * one). Default: no gRPC.
   */
  readonly grpcPort?: number;
  /**
   * An operator token with the `admin` role, besides the token file's `operators`. Default:
   * when the token file names no operator, 32 random hex digits made now (`SessionServer.adminToken`,
   * printed by `streamlib serve`); else none.
   */
  readonly adminToken?: string;
  /**
   * The dashboard's sessions page to serve at `/dashboard` (`createSessionsPage` of
   * `@streamlib/streamlib/web`, what `streamlib serve` passes), or `false` (the default) for
   * none. `serve/` does not import the dashboard; its caller composes the two.
   */
  readonly dashboard?: SessionsPageFactory | false;
  /**
   * WebRTC sessions at `POST /v1/webrtc/<pipeline>` (`sessions/webrtc/`), with the same tokens,
   * session limit and metrics; `false` turns them off. Default on, each session's UDP socket on
   * the server's address when it is one IP address (or `0.0.0.0`/`::` with a `publicAddress`),
   * else on `127.0.0.1`.
   */
  readonly webrtc?: WebRtcServeOptions | false;
  /**
   * Observers of each transport's sessions beside the metrics (`streamlib serve` logs every
   * session's start and end with them): called once for each transport the server starts, with
   * its name. An observer that throws is ignored; its hooks run on the serving thread, so they
   * must be quick.
   */
  readonly observe?: (transport: SessionTransport) => ServeObserver;
}

/**
 * What {@linkcode ServeOptions.observe} gets told: a transport's {@linkcode SessionObserver}
 * hooks, and with a session's end the reason it failed, when it ended with its own error.
 */
export interface ServeObserver extends Omit<SessionObserver, "ended"> {
  /**
   * A session ended.
   *
   * @param session The session's id.
   * @param code `""` when it ended normally, else its code (as {@linkcode SessionObserver}).
   * @param reason What went wrong, in words, when the session failed with that code itself (a
   * processor that threw: `Session 's3' ended: Node 'fx' threw in process(): ...`); `undefined`
   * when it ended normally, or its transport ended it (the client went away, the server stops).
   */
  ended?(session: string, code: string, reason?: string): void;
}

/** The transport a session came over. */
export type SessionTransport = "websocket" | "grpc" | "webrtc";

/** Where WebRTC sessions' media goes and which browser pages may open them. */
export interface WebRtcServeOptions {
  /** The IP address each session's UDP socket binds. */
  readonly bind?: string;
  /** The address announced in the ICE candidate (needed when `bind` is `0.0.0.0` or `::`). */
  readonly publicAddress?: string;
  /** Browser origins, besides the server's own, whose pages may open sessions (CORS). */
  readonly allowedOrigins?: readonly string[];
}

/** A running server. */
export interface SessionServer {
  /** `http://host:port`, for `/healthz`, `/readyz` and `/metrics`. */
  readonly url: string;
  /** `ws://host:port/v1/sessions`, for session clients. */
  readonly sessionsUrl: string;
  /** `http://host:port/v1/webrtc`: POST an SDP offer to `<webrtcUrl>/<pipeline>` (when on). */
  readonly webrtcUrl?: string;
  /** The port it listens on. */
  readonly port: number;
  /** The gRPC port, when `grpcPort` was given. */
  readonly grpcPort?: number;
  /** The server's own admin token (see `ServeOptions.adminToken`), if it has one. */
  readonly adminToken?: string;
  /**
   * The sessions page (`http://host:port/dashboard`, with `?token=` of the admin token when the
   * server has one), when `dashboard` was given.
   */
  readonly dashboardUrl?: string;
  /** The metrics it serves at `/metrics`. */
  readonly metrics: SessionMetrics;
  /** The runner of its sessions. */
  readonly runner: PipelineRunner;
  /** Whether `close()` was called (`/readyz` answers 503). */
  readonly draining: boolean;
  /**
   * Stops: `/readyz` turns 503 (and, when `/readyz` was asked, new sessions are still taken for
   * `shutdownDelayMs`), every session's outputs flush (up to `drainMs`) and it gets `close` with
   * `server_shutting_down`, the isolates end, then the listener closes. Idempotent.
   */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
/** One IP address (not `0.0.0.0` or `::`, which need a public address to announce). */
const UNSPECIFIED = new Set(["0.0.0.0", "::"]);
const IP_ADDRESS = /^(?!0\.0\.0\.0$)(\d{1,3}\.){3}\d{1,3}$|^(?!::$)[0-9a-f:]*:[0-9a-f:]*$/i;

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

function refusal(
  status: number,
  code: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): Response {
  return json(status, { error: { status, code, message, ...(details && { details }) } });
}

/**
 * Serves a catalog of pipelines: WebSocket sessions at `/v1/sessions` (the pipeline named in the
 * `open`), `GET /healthz` (200 while the process is up), `GET /readyz` (200 when it takes
 * sessions: not draining and below `maxSessions`; else 503), `GET /metrics` (Prometheus text
 * format, `SessionMetrics`), `GET /v1/pipelines` (the pipelines the caller's token may open, with
 * their inputs, outputs and parameters), the operators' API at `/v1/admin/sessions` (list the live sessions,
 * show one's graph, end one; `SessionAdmin`) and, when given one, the dashboard's sessions page
 * at `/dashboard`. With no tokens it binds to loopback only. It keeps no state across sessions
 * beyond counters, so several run behind a load balancer.
 *
 * @param options The catalog, the address, the tokens, the limits.
 * @returns The server, listening.
 * @throws {ServeError} `invalid_argument` for a non-loopback address without tokens, or a
 * malformed `adminToken`.
 *
 * @example Serve, check readiness, scrape
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveSessions } from "@streamlib/streamlib/serve";
 *
 * const catalog = new Map([["gain", {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * }]]);
 * const server = await serveSessions({ catalog, port: 0 });
 * assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
 * const metrics = await (await fetch(`${server.url}/metrics`)).text();
 * assert.match(metrics, /^streamlib_sessions_active 0$/m);
 * await server.close();
 * ```
 */
export async function serveSessions(options: ServeOptions): Promise<SessionServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const tokens = options.tokens ?? new TokenPolicy();
  if (!tokens.required && !LOOPBACK.has(hostname)) {
    throw new ServeError(
      "invalid_argument",
      `Cannot serve on '${hostname}' without tokens: with no token file the server binds to loopback only (127.0.0.1, ::1)`,
      { field: "hostname" },
    );
  }
  const adminToken = options.adminToken ?? (tokens.hasOperators ? undefined : createToken());
  const problem = adminToken === undefined ? undefined : tokenProblem(adminToken);
  if (problem) {
    throw new ServeError("invalid_argument", `Cannot serve: admin ${problem}`, {
      field: "adminToken",
    });
  }
  const drainMs = options.drainMs ?? 5_000;
  const shutdownDelayMs = options.shutdownDelayMs ?? 0;
  if (!(shutdownDelayMs >= 0 && shutdownDelayMs <= 2 ** 31 - 1)) {
    throw new ServeError(
      "invalid_argument",
      `Cannot serve: shutdownDelayMs is from 0 to ${2 ** 31 - 1} ms, got ${shutdownDelayMs}`,
      { field: "shutdownDelayMs" },
    );
  }
  let readinessAsked = false;
  const { catalog } = options;
  // Pooled isolates run each of the catalog's pipelines once before a session asks (at most 16).
  const runner = new PipelineRunner({ warmup: [...catalog.values()].slice(0, 16), ...options });
  const metrics = new SessionMetrics();
  const observerOf = (transport: SessionTransport): SessionObserver =>
    options.observe
      ? alongside(metrics.observer, withReasons(runner, options.observe(transport)))
      : metrics.observer;
  const lookup = (pipeline: string, token: string): unknown => {
    tokens.check(pipeline, token);
    return findPipeline(catalog, pipeline);
  };
  const resolve = (open: { pipeline: string; token: string }): unknown =>
    lookup(open.pipeline, open.token);
  // WebRTC's handler (and the native code it uses) is loaded on its first request.
  const rtc = options.webrtc === false ? undefined : options.webrtc ?? {};
  let webrtc: Promise<WebRtcHandler> | undefined;
  const webrtcHandler = (): Promise<WebRtcHandler> =>
    webrtc ??= import("../sessions/webrtc/handler.ts").then(({ WebRtcHandler }) =>
      new WebRtcHandler({
        runner,
        resolve: lookup,
        observer: observerOf("webrtc"),
        // On the server's own address; on every address only with an address to announce.
        bind: rtc?.bind ??
          (IP_ADDRESS.test(hostname) || (UNSPECIFIED.has(hostname) && rtc?.publicAddress)
            ? hostname
            : "127.0.0.1"),
        publicAddress: rtc?.publicAddress,
        allowedOrigins: rtc?.allowedOrigins,
      })
    );
  const handler = new SessionHandler({
    runner,
    resolve,
    observer: observerOf("websocket"),
    maxBufferedBytes: options.maxBufferedBytes,
    maxPendingFrames: options.maxPendingFrames,
    openTimeoutMs: options.openTimeoutMs,
    maxWaitingConnections: options.maxWaitingConnections,
    closeTimeoutMs: options.closeTimeoutMs,
  });
  const admin = new SessionAdmin(runner, tokens, adminToken);
  const page: SessionsPage | undefined = options.dashboard
    ? await options.dashboard(admin)
    : undefined;
  let draining = false;
  const route = (request: Request): Response | Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === "/v1/sessions") return handler.handle(request);
    if (pathname === ADMIN_SESSIONS_PATH || pathname.startsWith(`${ADMIN_SESSIONS_PATH}/`)) {
      return admin.handle(request);
    }
    if (
      page && (pathname === SESSIONS_PAGE_PATH || pathname.startsWith(`${SESSIONS_PAGE_PATH}/`))
    ) return page.handle(request);
    if (rtc && pathname.startsWith("/v1/webrtc/")) {
      return webrtcHandler().then((h) => h.handle(request));
    }
    const get = pathname === "/healthz" || pathname === "/readyz" || pathname === "/metrics" ||
      pathname === "/v1/pipelines";
    if (!get) {
      return refusal(
        404,
        "not_found",
        `No route at ${pathname.slice(0, 200)}: /v1/sessions, /v1/pipelines, ${
          rtc ? "/v1/webrtc/<pipeline>, " : ""
        }${ADMIN_SESSIONS_PATH}, ${
          page ? `${SESSIONS_PAGE_PATH}, ` : ""
        }/healthz, /readyz, /metrics`,
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = refusal(405, "method_not_allowed", `${pathname} takes GET`);
      response.headers.set("allow", "GET, HEAD");
      return response;
    }
    if (pathname === "/healthz") return json(200, { status: "up" });
    if (pathname === "/v1/pipelines") {
      try {
        return json(200, {
          pipelines: listPipelines(request, catalog, tokens, options.processors),
        });
      } catch (error) {
        const { code, message, details } = error as {
          code: string;
          message: string;
          details?: Record<string, unknown>;
        };
        const response = refusal(401, code, message, details ?? {});
        response.headers.set("www-authenticate", "Bearer");
        return response;
      }
    }
    if (pathname === "/metrics") {
      return new Response(metrics.render(), { headers: { "content-type": CONTENT_TYPE } });
    }
    const { maxSessions } = runner.limits;
    readinessAsked = true;
    if (draining) return json(503, { ready: false, reason: "draining" });
    if (runner.active >= maxSessions) {
      return json(503, {
        ready: false,
        reason: `${runner.active} of ${maxSessions} sessions open`,
      });
    }
    return json(200, {
      ready: true,
      pipelines: catalog.size,
      sessions: runner.active,
      maxSessions,
    });
  };
  // Stopped with a signal once the sessions drained and every handler answered (up to 1 s
  // more): a request held half-sent cannot hold the server's stop (frontend/http_server.ts).
  const listening = Promise.withResolvers<Deno.NetAddr>();
  let stopHttp: (graceMs?: number) => Promise<void>;
  try {
    ({ stop: stopHttp } = serveStoppable({
      port: options.port ?? 8080,
      hostname,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: (error) =>
        refusal(500, "internal_error", `Internal error: ${(error as Error).message}`),
    }, route));
  } catch (error) {
    // A busy port or an address not of this machine: the warmed isolates end with the call.
    await runner.close();
    throw error;
  }
  const addr = await listening.promise;
  const grpc = options.grpcPort === undefined ? undefined : await (async () => {
    const { startGrpc } = await import("./grpc.ts");
    try {
      return await startGrpc({
        runner,
        catalog,
        tokens,
        observer: observerOf("grpc"),
        port: options.grpcPort!,
        hostname,
        maxConnectionIdleMs: options.maxConnectionIdleMs,
      });
    } catch (error) {
      await runner.close();
      await stopHttp(0);
      // grpc-js says a busy port or a foreign address in words only: the same errors as the
      // HTTP port's, for the command line to name with port_in_use / cannot_listen.
      const said = (error as Error).message;
      const cause = /\bEADDRINUSE\b/.test(said)
        ? new Deno.errors.AddrInUse(said)
        : /\bEADDRNOTAVAIL\b/.test(said)
        ? new Deno.errors.AddrNotAvailable(said)
        : error;
      const at = `Cannot serve gRPC on ${hostname}:${options.grpcPort}`;
      throw new ServeError(
        "invalid_argument",
        said.startsWith(at) ? said : `${at}: ${said}`,
        { field: "grpcPort", port: String(options.grpcPort) },
        { cause },
      );
    }
  })();
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let closing: Promise<void> | undefined;
  const url = `http://${host}:${addr.port}`;
  return {
    url,
    sessionsUrl: `ws://${host}:${addr.port}/v1/sessions`,
    webrtcUrl: rtc ? `http://${host}:${addr.port}/v1/webrtc` : undefined,
    port: addr.port,
    grpcPort: grpc?.port,
    adminToken,
    dashboardUrl: page
      ? `${url}${SESSIONS_PAGE_PATH}${adminToken ? `?token=${adminToken}` : ""}`
      : undefined,
    metrics,
    runner,
    get draining() {
      return draining;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        // /readyz answers 503 from now; whoever checks it (a load balancer) needs a few checks
        // to take this server out, and sessions it sends meanwhile are still served.
        if (readinessAsked && shutdownDelayMs > 0) await sleep(shutdownDelayMs);
        const deadline = Date.now() + drainMs;
        await Promise.all([
          handler.close(drainMs),
          grpc?.close({ graceMs: drainMs }),
          webrtc?.then((h) => h.close()),
        ]);
        // Each transport closed its sessions with their code; their graphs stop within what is
        // left of the drain (at least 500 ms), and one that does not (a processor that never
        // returns) is ended then, instead of 5 s more each (Session.close()'s own bound).
        const left = runner.sessions();
        if (left.length > 0) {
          await within(Promise.all(left.map((s) => s.done)), Math.max(deadline - Date.now(), 500));
          await Promise.all(
            runner.sessions().map((s) => s.abort("server_shutting_down", "the server is stopping")),
          );
        }
        await runner.close();
        // Handlers still answering (a scrape, an admin call) get up to 1 s; then the listener
        // and every connection left (requests whose body never came, idle keep-alives) end.
        await stopHttp();
      })();
      return closing;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise`, or `ms` at most (the timer cleared either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * `observer` as a transport's {@linkcode SessionObserver}: each session's object is held from
 * its start to its end (the runner forgets it when it fails, before its transport reports the
 * end), so its end can be told with the error it failed with.
 */
function withReasons(runner: PipelineRunner, observer: ServeObserver): SessionObserver {
  if (observer.ended === undefined) return observer as SessionObserver;
  const ended = observer.ended.bind(observer);
  const open = new Map<string, { readonly error?: { code: string; message: string } }>();
  return {
    ...bound(observer),
    started: (session, pipeline) => {
      try {
        open.set(session, runner.session(session));
      } catch { /* not the runner's (a test's observer): no reason to tell */ }
      observer.started?.(session, pipeline);
    },
    ended: (session, code) => {
      const error = open.get(session)?.error;
      open.delete(session);
      ended(session, code, code !== "" && error?.code === code ? error.message : undefined);
    },
  };
}

/** The hooks of `observer`, each bound to it. */
function bound(observer: ServeObserver): SessionObserver {
  const hooks: Record<string, unknown> = {};
  for (
    const hook of ["refused", "frameIn", "frameOut", "frameDropped", "roundTrip"] as const
  ) {
    const f = observer[hook] as ((...args: never[]) => void) | undefined;
    if (f !== undefined) hooks[hook] = f.bind(observer);
  }
  return hooks as SessionObserver;
}

/**
 * `first`'s hooks, then `second`'s, whose errors are swallowed (a log must not end a session). A
 * hook `second` does not have is `first`'s own, so per-frame hooks cost nothing more when the
 * second observer only watches sessions start and end.
 */
function alongside(first: SessionObserver, second: SessionObserver): SessionObserver {
  const both = <K extends keyof SessionObserver>(hook: K): SessionObserver[K] => {
    const theirs = second[hook] as ((...args: unknown[]) => void) | undefined;
    const ours = first[hook] as ((...args: unknown[]) => void) | undefined;
    if (theirs === undefined) return ours?.bind(first) as SessionObserver[K];
    return ((...args: unknown[]) => {
      ours?.apply(first, args);
      try {
        theirs.apply(second, args);
      } catch { /* the second observer's own problem */ }
    }) as SessionObserver[K];
  };
  return {
    refused: both("refused"),
    started: both("started"),
    ended: both("ended"),
    frameIn: both("frameIn"),
    frameOut: both("frameOut"),
    frameDropped: both("frameDropped"),
    roundTrip: both("roundTrip"),
  };
}
