/**
 * Reads the SDP offer of a request: `application/sdp`, bounded, starting with `v=0`; and checks
 * what the native `acceptOffer()` would certainly refuse, before a session is started for it.
 * Internal.
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

/**
 * Refuses an offer the native `acceptOffer()` would certainly refuse, cheaply, before a session's
 * isolate starts for it (about 150 ms of CPU): its SDP parser (str0m's) takes a line `v=0`, then an
 * `o=` line, and with no `m=` line there is no media line to answer. What it may still refuse
 * (a line it does not parse, no codec it can use) it says once the session has started.
 *
 * @param sdp The offer, as {@linkcode readOffer} returned it.
 * @throws {WebRtcSessionError} `webrtc_invalid_offer`.
 */
export function checkOffer(sdp: string): void {
  const lines = sdp.split(/\r?\n/);
  const why = lines[0] !== "v=0"
    ? "its first line must be v=0 alone"
    : !lines[1]?.startsWith("o=")
    ? "its second line must be the origin, o=<username> <session id> <version> IN IP4 <address>"
    : !lines.some((line) => line.startsWith("m="))
    ? "it has no media line (m=audio ... or m=video ...); a session's offer carries an Opus " +
      "audio or H.264 video line"
    : undefined;
  if (why !== undefined) {
    throw new WebRtcSessionError("webrtc_invalid_offer", `Cannot answer the offer: ${why}`);
  }
}
