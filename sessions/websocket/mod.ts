/**
 * Pipeline sessions over WebSocket: a {@linkcode SessionHandler} takes a `Request`, upgrades it,
 * and serves one session of a `PipelineRunner` per connection in the session wire format
 * (`docs/wire_format.md`), with typed, coded refusals and bounded memory for any client. A
 * {@linkcode PipelineResolver} decides what each `open` gets (a catalog, tokens: `streamlib
 * serve` has both); a {@linkcode SessionObserver} is told of sessions and frames (metrics). The
 * runner knows nothing of it. See `docs/sessions.md`.
 *
 * @example Serve one pipeline to anyone
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
 *
 * const handler = new SessionHandler({
 *   runner: new PipelineRunner({ maxSessions: 8 }),
 *   resolve: () => ({
 *     version: 1,
 *     nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *     inputs: { audio: "fx.in" },
 *     outputs: { audio: "fx.out" },
 *   }),
 * });
 * // A request that is not a WebSocket upgrade is refused with a code.
 * const response = handler.handle(new Request("http://127.0.0.1/v1/sessions"));
 * assert.equal(response.status, 426);
 * assert.equal((await response.json()).error.code, "upgrade_required");
 * await handler.close();
 * ```
 *
 * @module
 */

export { type PipelineResolver, SessionHandler, type SessionHandlerOptions } from "./handler.ts";
export { type SessionObserver } from "./observer.ts";
export { TransportError, type TransportErrorCode } from "./errors.ts";
