/**
 * What the gRPC session tests share: a runner and a server on a real port, a grpc-js client,
 * and helpers to call it and read statuses.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import http2 from "node:http2";
import { destroyOutsideReceive } from "../../sessions/grpc/_http2_guard.ts";
import { fileURLToPath } from "node:url";
import { PipelineRunner, type RunnerOptions } from "../../sessions/mod.ts";
import {
  type GrpcServeOptions,
  type GrpcServer,
  serveGrpc,
  SESSIONS_PROTO_OPTIONS,
  SESSIONS_PROTO_URL,
  STREAMLIB_CODE_KEY,
} from "../../sessions/grpc/mod.ts";

import { BUILTIN, FAULTY, gain, through, tunable } from "./pipelines.ts";

// The grpc-js clients of these tests are Deno `node:http2` client sessions, which Deno 2.9.6 can
// destroy while they take in a GOAWAY and then use freed (the test process died of it; see
// sessions/grpc/_http2_guard.ts, which the server applies to its own sessions): every session
// grpc-js connects in this isolate gets the same guard. node:http2's module object is the one
// grpc-js requires.
{
  const connect = http2.connect;
  (http2 as { connect: typeof http2.connect }).connect = ((...args: Parameters<typeof connect>) => {
    const session = connect(...args);
    destroyOutsideReceive(session as unknown as { destroy(...a: unknown[]): unknown });
    return session;
  }) as typeof http2.connect;
}
export { BUILTIN, FAULTY, gain, through, tunable };
export const TOKEN = "s3cret";

/** The pipelines the test servers serve. */
export const PIPELINES: Record<string, unknown> = {
  gain: gain(2),
  half: gain(0.5),
  tunable: tunable(),
  // `gain` changes live; `channels` (a ChannelConverter beside the path) only at start.
  locked: {
    ...tunable(),
    nodes: [
      { id: "fx", type: "Gain", config: { gain: 1 } },
      { id: "cc", type: "ChannelConverter", config: { channels: 2 } },
    ],
    parameters: { gain: "fx.gain", channels: "cc.channels" },
  },
  thrower: through("Thrower"),
  hanger: through("Hanger"),
  sink: {
    version: 1,
    nodes: [{ id: "sink", type: "NullSink" }],
    inputs: { any: "sink.in" },
    outputs: {},
  },
};

/** The grpc-js client class of `Sessions`, loaded from the `.proto` as the server loads it. */
export function loadSessionsClient(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(fileURLToPath(SESSIONS_PROTO_URL), {
    ...SESSIONS_PROTO_OPTIONS,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    streamlib: { sessions: { v1: { Sessions: grpc.ServiceClientConstructor } } };
  };
  return pkg.streamlib.sessions.v1.Sessions;
}

/** A running test server with its runner and a client. */
export interface Served {
  readonly runner: PipelineRunner;
  readonly server: GrpcServer;
  readonly address: string;
  // deno-lint-ignore no-explicit-any
  readonly client: any;
  close(): Promise<void>;
}

/**
 * A runner and a server on a free port of 127.0.0.1; `gain`, `half` and `thrower` served; the
 * token {@linkcode TOKEN} lets in every pipeline but `forbidden`.
 */
export async function serve(
  runnerOptions: RunnerOptions = {},
  options: Partial<GrpcServeOptions> = {},
): Promise<Served> {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY], ...runnerOptions });
  const server = await serveGrpc({
    runner,
    resolve: (name) => PIPELINES[name],
    authorize: (token, pipeline) =>
      token !== TOKEN ? false : pipeline === "forbidden" ? "forbidden" : true,
    ...options,
  });
  const address = `127.0.0.1:${server.port}`;
  const Sessions = loadSessionsClient();
  const client = new Sessions(address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  return {
    runner,
    server,
    address,
    client,
    async close() {
      client.close();
      await server.close({ graceMs: 2_000 });
      await runner.close();
    },
  };
}

/**
 * A JSON value as a `google.protobuf.Value` message the way grpc-js (proto-loader) takes it; a
 * JSON object as a `Struct` with {@linkcode toStruct}.
 */
export function toValue(value: unknown): unknown {
  if (value === null) return { nullValue: "NULL_VALUE" };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  return { structValue: toStruct(value as Record<string, unknown>) };
}

/** A JSON object as a `google.protobuf.Struct` message for grpc-js. */
export function toStruct(object: Record<string, unknown>): unknown {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toValue(v)])) };
}

/** Call metadata with the bearer token. */
export function auth(token = TOKEN): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** The bytes of interleaved f32 samples. */
export function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** Samples back from their bytes. */
export function samplesOf(bytes: Uint8Array): number[] {
  return [...new Float32Array(new Uint8Array(bytes).buffer)];
}

/** A `Frame` message of stereo 16 kHz audio. */
export function audioFrame(
  values: number[],
  extra: { seq?: number; metadata?: Record<string, string>; timestampNs?: number } = {},
) {
  return { audio: { channels: 2, sampleRate: 16_000, samplesF32le: f32(values) }, ...extra };
}

/** What a finished call answered: a response or a status error with its streamlib code. */
export interface Answer<T> {
  readonly response?: T;
  readonly error?: grpc.ServiceError;
  readonly code?: string;
}

/** The streamlib code of a status's trailing metadata. */
export function codeOf(metadata: grpc.Metadata | undefined): string | undefined {
  return metadata?.get(STREAMLIB_CODE_KEY)[0]?.toString();
}

/** Calls Execute. */
// deno-lint-ignore no-explicit-any
export function execute(served: Served, request: unknown, metadata = auth()): Promise<Answer<any>> {
  return new Promise((resolve) =>
    served.client.Execute(
      request,
      metadata,
      { deadline: Date.now() + 120_000 },
      // deno-lint-ignore no-explicit-any
      (error: grpc.ServiceError | null, response: any) =>
        resolve(error ? { error, code: codeOf(error.metadata) } : { response }),
    )
  );
}

/** An open Stream call, what it received, and its final status. */
export interface StreamCall {
  // deno-lint-ignore no-explicit-any
  readonly call: any;
  // deno-lint-ignore no-explicit-any
  readonly responses: any[];
  readonly status: Promise<grpc.StatusObject & { streamlibCode?: string }>;
  /** Resolves once `n` responses arrived (or the call ended). */
  // deno-lint-ignore no-explicit-any
  received(n: number): Promise<any[]>;
}

/** Opens a Stream call (nothing written yet). */
export function stream(served: Served, metadata = auth()): StreamCall {
  const call = served.client.Stream(metadata);
  // deno-lint-ignore no-explicit-any
  const responses: any[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  call.on("data", (response: unknown) => {
    responses.push(response);
    for (const w of waiters.splice(0)) w();
  });
  call.on("error", () => {});
  const status = new Promise<grpc.StatusObject & { streamlibCode?: string }>((resolve) =>
    call.on("status", (s: grpc.StatusObject) => {
      ended = true;
      for (const w of waiters.splice(0)) w();
      resolve({ ...s, streamlibCode: codeOf(s.metadata) });
    })
  );
  return {
    call,
    responses,
    status,
    async received(n: number) {
      while (responses.length < n && !ended) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return responses;
    },
  };
}

/** Waits until `check()` holds, polling, for up to `ms`. */
export async function eventually(check: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Not reached within ${ms} ms: ${check}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
