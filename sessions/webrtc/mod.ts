/**
 * Pipeline sessions over WebRTC: a client POSTs an SDP offer for a pipeline and gets a session of
 * its own, its audio and video in and the pipeline's media out on the same peer connection
 * (pipecat's small-WebRTC model), on the native str0m endpoint. `streamlib serve` mounts
 * {@linkcode WebRtcHandler} at `/v1/webrtc`; see `docs/sessions.md#webrtc-sessions`.
 *
 * @example Refuse an offer of the wrong type
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { WebRtcHandler } from "@streamlib/streamlib/sessions/webrtc";
 *
 * const runner = new PipelineRunner();
 * const handler = new WebRtcHandler({
 *   runner,
 *   resolve: () => ({ version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { audio: "fx.in" }, outputs: { audio: "fx.out" } }),
 * });
 * const response = await handler.handle(new Request("http://127.0.0.1/v1/webrtc/voice", {
 *   method: "POST",
 *   headers: { "content-type": "text/plain" },
 *   body: "hello",
 * }));
 * assert.equal(response.status, 415);
 * assert.equal((await response.json()).error.code, "unsupported_media_type");
 * await handler.close();
 * await runner.close();
 * ```
 *
 * @module
 */

export {
  httpStatusOf,
  WEBRTC_REFUSAL_CODES,
  WebRtcSessionError,
  type WebRtcSessionErrorCode,
} from "./errors.ts";
export { WebRtcHandler, type WebRtcHandlerOptions } from "./handler.ts";
export type { PeerBridgeCounts } from "./peer_bridge.ts";
