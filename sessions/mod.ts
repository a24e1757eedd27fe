/**
 * Pipeline sessions: a {@linkcode PipelineRunner} runs a manifest for whoever asks, once on whole
 * inputs (`execute()`) or as a streaming {@linkcode Session} (`stream()`: `send`, `outputs()`,
 * `close`), each in an isolate of its own, with limits and typed errors. It knows no transport:
 * WebSocket, gRPC or WebRTC front-ends adapt it. See `docs/sessions.md`.
 *
 * @example A streaming session
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 *
 * const runner = new PipelineRunner();
 * const session = await runner.stream({
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 0.5 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * });
 * const samples = new Float32Array([1, 1]);
 * await session.send("audio", { kind: "audio", channels: 2, sampleRate: 48000, samples }, { metadata: { id: "a" } });
 * session.end("audio");
 * for await (const out of session.outputs()) {
 *   assert.deepEqual([out.output, out.metadata.id, (out.frame as { samples: Float32Array }).samples[0]], ["audio", "a", 0.5]);
 * }
 * await session.close();
 * assert.equal(session.state, "closed");
 * ```
 *
 * @module
 */

export {
  type EndOptions,
  type ExecuteInput,
  PipelineRunner,
  type RunnerOptions,
  type StreamOptions,
} from "./runner.ts";
export type { SessionInfo, SessionSnapshot } from "./info.ts";
export {
  Session,
  type SessionFrame,
  type SessionSendOptions,
  type SessionState,
} from "./session.ts";
export { SessionError } from "./errors.ts";
export { type ResolvedLimits, resolveLimits, type RunnerLimits } from "./limits.ts";
