/**
 * A TypeScript client of pipeline sessions over WebSocket (`streamlib serve`, or any
 * `SessionHandler`): {@linkcode connect} to a server, `open()` a named pipeline, `send()` frames
 * on its inputs (paced by the server's confirmations), iterate `outputs()`, `end()` and
 * `close()`; or `execute()` a pipeline on whole inputs. It needs only the wire format
 * (`@streamlib/streamlib/sessions/wire`), not the runtime. See `docs/sessions.md`.
 *
 * @example Stream through a served Gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
 * import { connect } from "@streamlib/streamlib/sessions/client";
 *
 * const runner = new PipelineRunner();
 * const handler = new SessionHandler({
 *   runner,
 *   resolve: () => ({
 *     version: 1,
 *     nodes: [{ id: "fx", type: "Gain", config: { gain: 0.5 } }],
 *     inputs: { voice: "fx.in" },
 *     outputs: { voice: "fx.out" },
 *   }),
 * });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
 * const session = await connect(`ws://127.0.0.1:${server.addr.port}/`).open("voice-fx");
 * const samples = new Float32Array([1, 1]);
 * await session.send("voice", { kind: "audio", channels: 2, sampleRate: 16000, samples }, { metadata: { n: "0" } });
 * session.end("voice");
 * const got = [];
 * for await (const out of session.outputs()) got.push([out.output, out.sequence, out.metadata.n]);
 * assert.deepEqual(got, [["voice", 0, "0"]]);
 * assert.equal((await session.closed).code, "");
 * await session.close();
 * await handler.close();
 * await server.shutdown();
 * await runner.close();
 * ```
 *
 * @module
 */

export {
  type ClientExecuteInput,
  connect,
  type ConnectOptions,
  type OpenOptions,
  SessionClient,
} from "./client.ts";
export {
  type ClientFrame,
  type ClientFrameInput,
  type ClientSendOptions,
  ClientSession,
  type ClientSessionEnd,
  type ClientSessionOptions,
} from "./session.ts";
export { SessionClientError } from "./errors.ts";
export type { ListedParameter, ListedPipeline } from "../wire/pipelines.ts";
