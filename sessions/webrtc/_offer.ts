/**
 * Reads the SDP offer of a request: `application/sdp`, bounded, starting with `v=0`. Internal.
 *
 * @module
 */

import { type BodyLimits, readBody } from "./_body.ts";
import { WebRtcSessionError } from "./errors.ts";

/**
 * The request's SDP offer.
 *
 * @param request The POST.
 * @param limits The largest body, how long it may take, and the server's stop.
 * @returns The offer's text.
 * @throws {WebRtcSessionError} `unsupported_media_type`, `body_too_large`, `body_incomplete`,
 *   `body_timeout` (a body still unfinished after `timeoutMs`: a client that holds its request
 *   open would otherwise hold a connection, and the server's stop, forever), or
 *   `webrtc_invalid_offer` for a body that is not an SDP offer.
 * @throws {TransportError} `server_shutting_down` when `signal` aborts during the read.
 */
export async function readOffer(request: Request, limits: BodyLimits): Promise<string> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/sdp\s*(;|$)/i.test(type)) {
    throw new WebRtcSessionError(
      "unsupported_media_type",
      `Cannot read the offer: content-type must be application/sdp, got ${
        JSON.stringify(type.slice(0, 80) || "none")
      }`,
      { field: "content-type", available: ["application/sdp"] },
    );
  }
  const body = await readBody(request, limits, "the offer");
  const sdp = new TextDecoder().decode(body);
  if (!sdp.startsWith("v=0")) {
    throw new WebRtcSessionError(
      "webrtc_invalid_offer",
      "Cannot answer the offer: the body is not an SDP offer (it must start with v=0)",
    );
  }
  return sdp;
}
