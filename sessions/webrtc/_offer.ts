/**
 * Reads the SDP offer of a request: `application/sdp`, bounded, starting with `v=0`. Internal.
 *
 * @module
 */

import { WebRtcSessionError } from "./errors.ts";

/**
 * The request's SDP offer.
 *
 * @param request The POST.
 * @param maxBytes The largest body taken.
 * @returns The offer's text.
 * @throws {WebRtcSessionError} `unsupported_media_type`, `body_too_large`, `body_incomplete`, or
 *   `webrtc_invalid_offer` for a body that is not an SDP offer.
 */
export async function readOffer(request: Request, maxBytes: number): Promise<string> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/sdp\s*(;|$)/i.test(type)) {
    await request.body?.cancel();
    throw new WebRtcSessionError(
      "unsupported_media_type",
      `Cannot read the offer: content-type must be application/sdp, got ${
        JSON.stringify(type.slice(0, 80) || "none")
      }`,
      { field: "content-type", available: ["application/sdp"] },
    );
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await request.body?.cancel();
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of request.body ?? []) {
      length += chunk.length;
      if (length > maxBytes) throw tooLarge(maxBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof WebRtcSessionError) throw error;
    throw new WebRtcSessionError(
      "body_incomplete",
      `Cannot read the offer: the body was cut off (${(error as Error).message})`,
    );
  }
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  const sdp = new TextDecoder().decode(body);
  if (!sdp.startsWith("v=0")) {
    throw new WebRtcSessionError(
      "webrtc_invalid_offer",
      "Cannot answer the offer: the body is not an SDP offer (it must start with v=0)",
    );
  }
  return sdp;
}

function tooLarge(maxBytes: number): WebRtcSessionError {
  return new WebRtcSessionError(
    "body_too_large",
    `Cannot read the offer: it is over ${maxBytes} bytes, the most an offer may be`,
    { maxBytes },
  );
}
