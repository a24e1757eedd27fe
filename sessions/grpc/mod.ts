/**
 * Pipeline sessions over gRPC: {@linkcode serveGrpc} serves a `PipelineRunner` as the
 * `streamlib.sessions.v1.Sessions` service of `proto/streamlib/sessions/v1/sessions.proto`
 * (unary `Execute`, bidirectional `Stream`), with token auth, every failure a gRPC status with
 * the streamlib code in the trailer `streamlib-code`, and bounded memory per call. Built on
 * `@grpc/grpc-js` (decision 0031); stock clients (Python `grpcio`) call it from the `.proto`.
 * See `docs/sessions.md`, "gRPC".
 *
 * @example A stream session from a grpc-js client
 * ```ts
 * import assert from "node:assert/strict";
 * import * as grpc from "@grpc/grpc-js";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import * as protoLoader from "@grpc/proto-loader";
 * import { fileURLToPath } from "node:url";
 * import {
 *   serveGrpc,
 *   SESSIONS_PROTO_OPTIONS,
 *   SESSIONS_PROTO_URL,
 * } from "@streamlib/streamlib/sessions/grpc";
 *
 * const runner = new PipelineRunner();
 * const server = await serveGrpc({
 *   runner,
 *   resolve: () => ({
 *     version: 1,
 *     nodes: [{ id: "fx", type: "Gain", config: { gain: 0.5 } }],
 *     inputs: { audio: "fx.in" },
 *     outputs: { audio: "fx.out" },
 *   }),
 * });
 * // A client from the same .proto, loaded the same way.
 * const proto = protoLoader.loadSync(fileURLToPath(SESSIONS_PROTO_URL), { ...SESSIONS_PROTO_OPTIONS });
 * const { Sessions } = (grpc.loadPackageDefinition(proto) as any).streamlib.sessions.v1;
 * const client = new Sessions(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
 * const call = client.Stream();
 * const got: any[] = [];
 * const done = new Promise((resolve) => call.on("status", resolve));
 * call.on("data", (response: any) => got.push(response));
 * call.write({ open: { pipeline: "voice" } });
 * const samples = new Uint8Array(new Float32Array([1, 1]).buffer);
 * call.write({ frame: { port: "audio", frame: { seq: 7, metadata: { id: "a" }, audio: { channels: 2, sampleRate: 48000, samplesF32le: samples } } } });
 * call.end();
 * const status = (await done) as { code: number };
 * assert.equal(status.code, grpc.status.OK);
 * assert.deepEqual(got.map((r) => r.message), ["accepted", "frame", "end"]);
 * assert.equal(got[1].frame.frame.seq, 7);
 * assert.equal(got[1].frame.frame.metadata.id, "a");
 * client.close();
 * await server.close();
 * await runner.close();
 * ```
 *
 * @module
 */

export { SESSIONS_PROTO_OPTIONS, SESSIONS_PROTO_URL } from "./proto.ts";
export { GRPC_REQUEST_CODES, type GrpcRequestCode, GrpcRequestError } from "./errors.ts";
export {
  GRPC_ENVELOPE_BYTES,
  type GrpcAuthDecision,
  type GrpcCallEnding,
  type GrpcCloseOptions,
  type GrpcServeOptions,
  GrpcServer,
  serveGrpc,
} from "./server.ts";
export { GrpcStatus, type GrpcStatusCode, grpcStatusOf, STREAMLIB_CODE_KEY } from "./status.ts";
