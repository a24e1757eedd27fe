/**
 * {@linkcode WebRtcHandler}: pipeline sessions over WebRTC. A client POSTs an SDP offer for a
 * pipeline and gets a session of its own whose media flows on that peer connection.
 *
 * @module
 */

import { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import type { PipelineRunner } from "../runner.ts";
import type { Session } from "../session.ts";
import { SessionError } from "../errors.ts";
import type { SessionObserver } from "../websocket/observer.ts";
import { credentialError, TransportError } from "../websocket/errors.ts";
import { httpStatusOf, WebRtcSessionError } from "./errors.ts";
import { PeerBridge } from "./peer_bridge.ts";
import { checkOffer, readOffer } from "./_offer.ts";
import { type BearerCredential, readBearer } from "../bearer.ts";
import { readParameters } from "./_patch.ts";
import { queryParameters } from "./_query.ts";

/** Options of {@linkcode WebRtcHandler}. */
export interface WebRtcHandlerOptions {
  /** The runner whose sessions the peers get (its `maxSessions` counts them). */
  readonly runner: PipelineRunner;
  /**
   * The manifest of a pipeline a token may open; throws a typed error (`pipeline_not_found`,
   * `missing_token`, `invalid_token`, `pipeline_not_allowed`) otherwise.
   */
  readonly resolve: (pipeline: string, token: string) => unknown;
  /** Metrics hooks: refused, started, ended, frames in and out. */
  readonly observer?: SessionObserver;
  /** The path the routes hang under. Default `/v1/webrtc`. */
  readonly prefix?: string;
  /** The IP address each session's UDP socket binds. Default `127.0.0.1`. */
  readonly bind?: string;
  /** The address announced in the ICE candidate (needed when `bind` is `0.0.0.0`). */
  readonly publicAddress?: string;
  /** Browser origins, besides the server's own, whose pages may call the routes (CORS). */
  readonly allowedOrigins?: readonly string[];
  /** The largest offer (and `PATCH` body) accepted, in bytes. Default 64 KiB. */
  readonly maxOfferBytes?: number;
  /**
   * How long an offer's (or a `PATCH`'s) body may take to arrive, in milliseconds; past it the
   * request gets 408 `body_timeout`. Default 10 000 ms.
   */
  readonly offerTimeoutMs?: number;
}

interface Live {
  readonly pipeline: string;
  readonly session: Session;
  readonly bridge: PeerBridge;
  /** `PATCH`es waiting for their session's answer. */
  configuring: number;
}

const MEDIA_PORTS = ["audio", "video"];

/**
 * `PATCH`es one session may have waiting for its answer; one past it is refused with 429
 * `configure_overrun` (the other transports' bound too).
 */
const MAX_PENDING_CONFIGURES = 16;

/**
 * Serves pipeline sessions over WebRTC, WHIP-like so standard clients work:
 *
 * - `POST <prefix>/<pipeline>` with `Content-Type: application/sdp`, the offer, and
 *   `Authorization: Bearer <token>` → `201` with the SDP answer and `Location:
 *   <prefix>/<pipeline>/<id>`; the session starts at once and its media flows on that peer
 *   connection ({@linkcode PeerBridge}: `audio`/`video` inputs from the peer, outputs to it). The
 *   answer is ICE-lite with one host candidate on a UDP socket of the session's own. The URL may
 *   carry the pipeline's parameters as `?parameters=<URL-encoded JSON object>` (nothing else:
 *   `400 invalid_query`); a name the pipeline does not declare is `422 unknown_parameter`
 *   (`details.available` lists those it does), a value its field refuses `422 invalid_parameter`.
 * - `PATCH` on the `Location`, with the same token, `Content-Type: application/json` and
 *   `{"parameters": {<name>: <value>}}` (bounded as the offer is) → `204` once the session's
 *   live parameters changed (all or none); `422 unknown_parameter` / `invalid_parameter`, `409
 *   config_locked` (a parameter its processor takes only at start; `details.available` lists
 *   those that change live), `400 invalid_json` / `invalid_body`, `415` for another content
 *   type, `429 configure_overrun` past 16 waiting on one session, `504 session_unresponsive`;
 *   a refused `PATCH` changes nothing and the session goes on.
 * - `DELETE` on the `Location`, with the same token → `200`, the session closed.
 * - `OPTIONS` → the CORS preflight for allowed origins.
 *
 * Refusals are JSON `{ error: { status, code, message, details? } }` with the status of
 * {@linkcode httpStatusOf}. The session ends, and its socket and isolate are freed, when the
 * peer goes (its DTLS close, or its silence: `client_disconnected`), on `DELETE`, or when the
 * session ends on its own (a limit, a fault, its outputs ended).
 *
 * @example A page of an origin not allowed is refused before its offer is read
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "../runner.ts";
 * import { WebRtcHandler } from "./handler.ts";
 *
 * const runner = new PipelineRunner();
 * const handler = new WebRtcHandler({
 *   runner,
 *   resolve: () => ({ version: 1, nodes: [{ id: "fx", type: "Gain" }] }),
 *   allowedOrigins: ["https://app.example"],
 * });
 * const response = await handler.handle(new Request("http://127.0.0.1/v1/webrtc/voice", {
 *   method: "POST",
 *   headers: { "content-type": "application/sdp", origin: "https://evil.example" },
 *   body: "v=0",
 * }));
 * assert.equal(response.status, 403);
 * assert.equal((await response.json()).error.code, "forbidden_origin");
 * assert.equal(runner.active, 0);
 * await handler.close();
 * await runner.close();
 * ```
 */
export class WebRtcHandler {
  readonly #options: WebRtcHandlerOptions;
  readonly #prefix: string;
  readonly #live = new Map<string, Live>();
  #closing = false;
  /** Aborted by `close()`: offers still arriving are refused and their connections let go. */
  readonly #stopping = new AbortController();

  /**
   * Creates the handler.
   *
   * @param options The runner, the resolver, addresses and limits.
   */
  constructor(options: WebRtcHandlerOptions) {
    this.#options = options;
    this.#prefix = options.prefix ?? "/v1/webrtc";
  }

  /** Sessions open over WebRTC now. */
  get active(): number {
    return this.#live.size;
  }

  /**
   * Answers one request under the prefix.
   *
   * @param request The request.
   * @returns The answer (a refusal as JSON with its code).
   */
  async handle(request: Request): Promise<Response> {
    const cors = this.#cors(request);
    let response: Response;
    try {
      if (cors === null) {
        throw new WebRtcSessionError(
          "forbidden_origin",
          `Cannot serve a page of ${
            JSON.stringify(short(request.headers.get("origin") ?? ""))
          }: its origin is not allowed (the server's allowedOrigins option)`,
        );
      }
      response = await this.#route(request);
    } catch (error) {
      response = refusal(error);
    }
    for (const [name, value] of Object.entries(cors ?? {})) response.headers.set(name, value);
    return response;
  }

  /**
   * Ends every session (`server_shutting_down`) and refuses new offers. Idempotent.
   *
   * @returns When every session's isolate and socket are freed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#stopping.abort();
    await Promise.all([...this.#live.values()].map((l) => l.bridge.close("server_shutting_down")));
  }

  /** The CORS headers for the request's origin; `null` for a browser origin not allowed. */
  #cors(request: Request): Record<string, string> | null {
    const origin = request.headers.get("origin");
    if (origin === null || origin === new URL(request.url).origin) return {};
    if (!(this.#options.allowedOrigins ?? []).includes(origin)) return null;
    return {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST, PATCH, DELETE, OPTIONS",
      "access-control-allow-headers": "authorization, content-type",
      "access-control-expose-headers": "location",
      "vary": "origin",
    };
  }

  async #route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const parts = pathname.slice(this.#prefix.length + 1).split("/").map(decode);
    if (!pathname.startsWith(`${this.#prefix}/`) || parts.length > 2 || parts[0] === "") {
      throw new WebRtcSessionError(
        "not_found",
        `No route at ${
          short(pathname)
        }: POST ${this.#prefix}/<pipeline>, PATCH or DELETE ${this.#prefix}/<pipeline>/<session>`,
      );
    }
    const allow = parts.length === 1 ? "POST, OPTIONS" : "PATCH, DELETE, OPTIONS";
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 204, headers: { allow } });
    }
    const token = readBearer(request.headers.get("authorization"));
    if (parts.length === 1 && request.method === "POST") {
      return await this.#offer(request, parts[0], token);
    }
    if (parts.length === 2 && request.method === "DELETE") {
      return await this.#end(parts[0], parts[1], token);
    }
    if (parts.length === 2 && request.method === "PATCH") {
      return await this.#configure(request, parts[0], parts[1], token);
    }
    const response = refusal(
      new WebRtcSessionError("method_not_allowed", `${short(pathname)} takes ${allow}`),
    );
    response.headers.set("allow", allow);
    return response;
  }

  async #offer(request: Request, pipeline: string, token: BearerCredential): Promise<Response> {
    const { runner, observer = {} } = this.#options;
    let endpoint: WebRtcEndpoint | undefined;
    let session: Session | undefined;
    try {
      const manifest = this.#resolve(pipeline, token, `Cannot open '${short(pipeline)}'`);
      checkMediaPorts(pipeline, manifest);
      const parameters = queryParameters(new URL(request.url));
      if (this.#closing) {
        throw new TransportError(
          "server_shutting_down",
          "Cannot open a session: the server is stopping",
        );
      }
      const sdp = await readOffer(request, {
        maxBytes: this.#options.maxOfferBytes ?? 64 * 1024,
        timeoutMs: this.#options.offerTimeoutMs ?? 10_000,
        signal: this.#stopping.signal,
      });
      if (runner.active >= runner.limits.maxSessions) {
        throw new SessionError(
          "session_limit_reached",
          `Cannot open a session of '${
            short(pipeline)
          }': ${runner.active} of ${runner.limits.maxSessions} sessions are open`,
        );
      }
      // What needs no isolate is refused before one is taken (~150 ms of CPU each): the
      // parameters first (the runner's own check, as `stream()` makes it), then an offer the
      // native `acceptOffer()` below would certainly refuse.
      await runner.checkParameters(manifest, parameters);
      checkOffer(sdp);
      // The session first, then the answer: the peer's connect timeout starts with its answer,
      // and an isolate may take a while to start.
      session = await runner.stream(manifest, { pipeline, parameters });
      const id = crypto.randomUUID();
      endpoint = WebRtcEndpoint.create({
        name: `session:${id}`,
        mode: "duplex",
        bind: this.#options.bind ?? "127.0.0.1",
        publicAddress: this.#options.publicAddress,
        maxPeers: 1,
      });
      const { answer } = endpoint.acceptOffer(sdp);
      const bridge = new PeerBridge(session, endpoint, observer);
      this.#live.set(id, { pipeline, session, bridge, configuring: 0 });
      session = undefined;
      endpoint = undefined; // the bridge owns it now
      const sessionId = bridge.sessionId;
      observer.started?.(sessionId, pipeline);
      bridge.done.then((code) => {
        this.#live.delete(id);
        observer.ended?.(sessionId, code);
      });
      const location = `${this.#prefix}/${encodeURIComponent(pipeline)}/${id}`;
      return new Response(answer, {
        status: 201,
        headers: { "content-type": "application/sdp", location },
      });
    } catch (error) {
      endpoint?.close();
      await session?.close();
      observer.refused?.(codeOf(error));
      throw error;
    }
  }

  async #end(pipeline: string, id: string, token: BearerCredential): Promise<Response> {
    const live = this.#find(pipeline, id, token, "end");
    await live.bridge.close("");
    return new Response(null, { status: 200 });
  }

  /** A `PATCH`: the session's new live parameters, answered once its nodes took them. */
  async #configure(
    request: Request,
    pipeline: string,
    id: string,
    token: BearerCredential,
  ): Promise<Response> {
    const live = this.#find(pipeline, id, token, "configure");
    const values = await readParameters(request, {
      maxBytes: this.#options.maxOfferBytes ?? 64 * 1024,
      timeoutMs: this.#options.offerTimeoutMs ?? 10_000,
      signal: this.#stopping.signal,
    });
    if (this.#closing) {
      throw new TransportError(
        "server_shutting_down",
        "Cannot set parameters: the server is stopping",
      );
    }
    if (live.configuring >= MAX_PENDING_CONFIGURES) {
      throw new SessionError(
        "configure_overrun",
        `Cannot set parameters of session ${JSON.stringify(short(id))}: ${live.configuring} ` +
          `changes wait for its answer, the most is ${MAX_PENDING_CONFIGURES}; wait for an answer ` +
          "before sending more",
        live.session.id,
        { maxPending: MAX_PENDING_CONFIGURES },
      );
    }
    live.configuring++;
    try {
      await live.session.configure(values);
    } finally {
      live.configuring--;
    }
    return new Response(null, { status: 204 });
  }

  /**
   * The live session of `id`, once the token may open its pipeline.
   *
   * @throws The resolver's refusal (`missing_token`, ...); {@linkcode WebRtcSessionError}
   * `webrtc_session_not_found`.
   */
  #find(pipeline: string, id: string, token: BearerCredential, verb: string): Live {
    this.#resolve(pipeline, token, `Cannot ${verb} session ${JSON.stringify(short(id))}`);
    const live = this.#live.get(id);
    if (live === undefined || live.pipeline !== pipeline) {
      throw new WebRtcSessionError(
        "webrtc_session_not_found",
        `Cannot ${verb} session ${JSON.stringify(short(id))} of '${
          short(pipeline)
        }': no live session has this id`,
        { session: short(id) },
      );
    }
    return live;
  }

  /**
   * The resolver's manifest for the request's credential. A credential that is no bearer token
   * is refused with `invalid_token` (it was sent) where the resolver needs a token, and is no
   * token where it needs none.
   */
  #resolve(pipeline: string, credential: BearerCredential, action: string): unknown {
    try {
      return this.#options.resolve(pipeline, credential.token);
    } catch (error) {
      if (credential.problem !== undefined && codeOf(error) === "missing_token") {
        throw credentialError(action, credential);
      }
      throw error;
    }
  }
}

/** A manifest with no application `audio` or `video` port has nothing to carry over WebRTC. */
function checkMediaPorts(pipeline: string, manifest: unknown): void {
  const { inputs = {}, outputs = {} } = (manifest ?? {}) as {
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  };
  const names = [...Object.keys(inputs), ...Object.keys(outputs)];
  if (!names.some((name) => MEDIA_PORTS.includes(name))) {
    throw new WebRtcSessionError(
      "webrtc_no_media_port",
      `Cannot serve '${
        short(pipeline)
      }' over WebRTC: it has no application input or output named audio or video (it has ${
        names.join(", ") || "none"
      })`,
      { pipeline: short(pipeline), available: names },
    );
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function short(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : "internal_error";
}

/** A refusal as JSON with the status of its code. */
function refusal(error: unknown): Response {
  const code = codeOf(error);
  const status = httpStatusOf(code);
  const message = error instanceof Error ? error.message : String(error);
  const details = (error as { details?: unknown })?.details;
  const headers = new Headers();
  if (status === 401) headers.set("www-authenticate", 'Bearer realm="streamlib"');
  if (status === 503) headers.set("retry-after", "1");
  return Response.json({
    error: {
      status,
      code,
      message,
      // The caller's own mistakes say what is valid; a fault of the server keeps its details.
      ...(status < 500 && details !== null && typeof details === "object" && { details }),
    },
  }, { status, headers });
}
