/**
 * WHEP playback (`/api/v1/whep/:id`) and WHIP ingest (`/api/v1/whip/:id`) endpoints: an SDP
 * offer in, 201 with the SDP answer and the session's `Location` out; `DELETE` on the location
 * ends the session (draft-ietf-wish-whep, RFC 9725). Same host, origin and token rules as every
 * mutating call of the control API.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { WebRtcEndpoint } from "../../../ffi/net/webrtc_endpoint.ts";
import { WebRtcError } from "../../../ffi/net/webrtc_errors.ts";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { requestText, short } from "./validation.ts";

/** The processor behind each protocol. */
const PROCESSOR = { whep: "WhepSink", whip: "WhipSource" } as const;
/** The mode the processor's endpoint runs in. */
const MODE = { whep: "send", whip: "receive" } as const;

type Protocol = keyof typeof PROCESSOR;

/**
 * The WHEP and WHIP routes.
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function webrtcRoutes(ctx: ApiContext): Hono {
  const api = new Hono();
  for (const protocol of ["whep", "whip"] as const) {
    api.post(`/${protocol}/:id`, (c) => offer(ctx, c, protocol));
    api.delete(`/${protocol}/:id/:session`, (c) => end(ctx, c, protocol));
  }
  // The live view of any encoded output (WHEP, fed by a probe; see live_outputs.ts).
  api.post("/live/:node/:port", async (c) => {
    const node = c.req.param("node")!, port = c.req.param("port")!;
    const sdp = await sdpBody(ctx, c, `${node}.${port}`);
    const { session, answer } = ctx.live.offer(node, port, sdp);
    const location = `/api/v1/live/${encodeURIComponent(node)}/${
      encodeURIComponent(port)
    }/${session}`;
    return c.body(answer, 201, { "content-type": "application/sdp", location });
  });
  api.delete("/live/:node/:port/:session", (c) => {
    const node = c.req.param("node")!, port = c.req.param("port")!;
    ctx.live.end(node, port, sessionId(`${node}.${port}`, c.req.param("session")!));
    return c.body(null, 200);
  });
  return api;
}

/** The request's SDP offer: `application/sdp`, bounded, starting with `v=0`. */
async function sdpBody(ctx: ApiContext, c: Context, id: string): Promise<string> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/sdp\s*(;|$)/i.test(type)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Cannot read the offer: content-type must be application/sdp, got ${
        JSON.stringify(short(type) || "none")
      }`,
      { field: "content-type", choices: ["application/sdp"] },
    );
  }
  const sdp = await requestText(c.req.raw, ctx.bodyLimits);
  if (!sdp.startsWith("v=0")) {
    throw new WebRtcError(
      "webrtc_invalid_offer",
      id,
      `Cannot answer for '${short(id)}': the body is not an SDP offer (it must start with v=0)`,
    );
  }
  return sdp;
}

/** A session id from the path; `webrtc_session_not_found` when it cannot be one. */
function sessionId(id: string, text: string): number {
  const session = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!(session <= 0x7fff_ffff)) {
    throw new WebRtcError(
      "webrtc_session_not_found",
      id,
      `Cannot end session ${JSON.stringify(short(text))} of '${short(id)}': not a session id`,
    );
  }
  return session;
}

/** The live endpoint of node `id`, checked to be a node of the protocol's processor. */
function endpointOf(ctx: ApiContext, id: string, protocol: Protocol): WebRtcEndpoint {
  const node = ctx.runtime.describe().nodes.find((n) => n.id === id);
  if (!node) ctx.runtime.node(id); // throws NodeNotFoundError (404 node_not_found)
  const want = PROCESSOR[protocol];
  if (node!.type !== want) {
    throw new WebRtcError(
      "webrtc_not_endpoint",
      id,
      `Cannot ${protocol.toUpperCase()} to '${short(id)}': it is a ${node!.type}, ` +
        `${protocol.toUpperCase()} needs a ${want}`,
    );
  }
  const endpoint = WebRtcEndpoint.find(id);
  if (!endpoint || endpoint.mode !== MODE[protocol]) {
    throw new WebRtcError(
      "webrtc_endpoint_unavailable",
      id,
      `Cannot ${protocol.toUpperCase()} to '${
        short(id)
      }': the node is not running (start the runtime)`,
    );
  }
  return endpoint;
}

async function offer(ctx: ApiContext, c: Context, protocol: Protocol): Promise<Response> {
  const id = c.req.param("id")!;
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/sdp\s*(;|$)/i.test(type)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Cannot read the offer: content-type must be application/sdp, got ${
        JSON.stringify(short(type) || "none")
      }`,
      { field: "content-type", choices: ["application/sdp"] },
    );
  }
  const sdp = await requestText(c.req.raw, ctx.bodyLimits);
  const endpoint = endpointOf(ctx, id, protocol);
  if (!sdp.startsWith("v=0")) {
    throw new WebRtcError(
      "webrtc_invalid_offer",
      id,
      `Cannot ${protocol.toUpperCase()} to '${
        short(id)
      }': the body is not an SDP offer (it must start with v=0)`,
    );
  }
  const { session, answer } = endpoint.acceptOffer(sdp);
  const location = `/api/v1/${protocol}/${encodeURIComponent(id)}/${session}`;
  return c.body(answer, 201, { "content-type": "application/sdp", location });
}

function end(ctx: ApiContext, c: Context, protocol: Protocol): Response {
  const id = c.req.param("id")!;
  const text = c.req.param("session")!;
  const session = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  const endpoint = endpointOf(ctx, id, protocol);
  if (!(session <= 0x7fff_ffff)) {
    throw new WebRtcError(
      "webrtc_session_not_found",
      id,
      `Cannot end session ${JSON.stringify(short(text))} of '${short(id)}': not a session id`,
    );
  }
  endpoint.closeSession(session);
  return c.body(null, 200);
}
