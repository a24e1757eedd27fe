/**
 * {@linkcode serveGrpc}: the pipeline sessions over gRPC (`Sessions.Execute`, `Sessions.Stream`).
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import http2 from "node:http2";
import { destroyOutsideReceive } from "./_http2_guard.ts";
import type { PipelineRunner } from "../runner.ts";
import type { LiveCall, ServeContext } from "./_context.ts";
import { handleExecute } from "./_execute.ts";
import { sessionsService } from "./_service.ts";
import { handleStream } from "./_stream.ts";
import { intake, type IntakeState } from "./_intake.ts";
import type { GrpcCallEnding } from "./status.ts";

export type { GrpcCallEnding } from "./status.ts";
import { GrpcStatus, STREAMLIB_CODE_KEY } from "./status.ts";

/**
 * What `authorize` answers: `true` lets the call in; `false` or `"unauthenticated"` refuses a
 * missing or wrong token (`UNAUTHENTICATED`); `"forbidden"` a token without access to the
 * pipeline (`PERMISSION_DENIED`).
 */
export type GrpcAuthDecision = boolean | "unauthenticated" | "forbidden";

/** Bytes a request message may carry beyond `maxMessageBytes`: its port name, seq, framing. */
export const GRPC_ENVELOPE_BYTES = 64 * 1024;

/** Options of {@linkcode serveGrpc}. */
export interface GrpcServeOptions {
  /** Runs the sessions; its limits bound them (`maxSessions`, `maxMessageBytes`, ...). */
  readonly runner: PipelineRunner;
  /**
   * The manifest of a pipeline by its name, or `undefined` when none has it (the call ends with
   * `NOT_FOUND`, `pipeline_not_found`). It may also throw an error with `code:
   * "pipeline_not_found"` and a message of its own (naming the pipelines there are, say): the call
   * ends with that code and message.
   */
  readonly resolve: (name: string) => unknown | Promise<unknown>;
  /**
   * Whether a call may run a pipeline, given the token of its `authorization: Bearer <token>`
   * metadata (`undefined` when it has none): `true` lets it in; `false` or `"unauthenticated"`
   * ends it with `UNAUTHENTICATED` (`missing_token` or `invalid_token`); `"forbidden"` with
   * `PERMISSION_DENIED` (`pipeline_not_allowed`). Instead of answering, it may throw an error
   * whose `code` is one of those three (`missing_token`, `invalid_token`, `pipeline_not_allowed`):
   * the call ends with that code and the error's message (which may say what the token allows).
   * Asked before `resolve`, so an unknown name is not told to a caller without access. Default:
   * every call may run every pipeline.
   */
  readonly authorize?: (
    token: string | undefined,
    pipeline: string,
  ) => GrpcAuthDecision | Promise<GrpcAuthDecision>;
  /** The port to listen on; 0 (the default) takes a free one (see `GrpcServer.port`). */
  readonly port?: number;
  /** The address to listen on. Default `127.0.0.1`. */
  readonly hostname?: string;
  /**
   * The largest request message taken, in bytes; a larger one ends the call with
   * `RESOURCE_EXHAUSTED`, `message_too_large`. Default: the runner's `maxMessageBytes` plus
   * {@linkcode GRPC_ENVELOPE_BYTES}. An `ExecuteRequest` holds all its frames in one message.
   */
  readonly maxReceiveMessageBytes?: number;
  /**
   * The most bytes an `ExecuteResponse` may hold (its output frames' payloads and metadata,
   * about): the answer is one message, held whole until it is sent, so a run whose outputs come
   * to more is stopped and the call ends with `RESOURCE_EXHAUSTED`, `wire_too_large` (`Stream`
   * sends each output frame as a message of its own). Default: 4 x the runner's
   * `maxMessageBytes` (64 MiB with its default).
   */
  readonly maxExecuteResponseBytes?: number;
  /**
   * How long a call may take to deliver its first request message in full (an
   * `ExecuteRequest`, or a `Stream`'s open), from its headers: past it the call ends with
   * `DEADLINE_EXCEEDED`, `body_timeout`, and what grpc-js buffered of the message is let go (a
   * client that declares a large message and never sends it holds no memory beyond this).
   * Default 10 000 ms.
   */
  readonly firstMessageTimeoutMs?: number;
  /**
   * How many calls may be waiting for their first request message at once; a call beyond it
   * is refused at once with `RESOURCE_EXHAUSTED`, `session_limit_reached`. With
   * `maxReceiveMessageBytes` it bounds the memory partial messages take. Default: the runner's
   * `maxSessions`.
   */
  readonly maxWaitingCalls?: number;
  /**
   * How long a connection may stay with no call in progress (from its connecting, or its last
   * call's end) before the server ends it (HTTP/2 GOAWAY): a peer that connects and sends nothing,
   * or only the HTTP/2 preface, holds no connection longer. A gRPC client reconnects on its next
   * call. Default 60 000 ms.
   */
  readonly maxConnectionIdleMs?: number;
  /**
   * Told once per call how it ended: the streamlib code its client was sent (`""` for `OK`,
   * `client_disconnected` for a call the client cancelled or reset first, `grpc_deadline_exceeded`
   * when that reset came within 100 ms of the call's deadline), with the id of the
   * session opened for it, if any. Every ending is told: the handlers' refusals and statuses,
   * and those grpc-js or the first-message bound sent on their own (a message that does not
   * decompress, the call's deadline, `body_timeout`, `session_limit_reached`), so a metric of
   * refusals and of sessions' ends by code counts what the clients were told.
   */
  readonly onEnded?: (ending: GrpcCallEnding) => void;
}

/**
 * How long `close()` waits, past its grace period, for the statuses of the calls it ended to
 * leave before it cuts the connections left (a client that never reads keeps its own).
 */
const STATUS_FLUSH_MS = 500;

/** What `close()` takes. */
export interface GrpcCloseOptions {
  /**
   * How long open calls may take to finish: a stream's inputs are ended and its outputs
   * written until then; then the call ends with `UNAVAILABLE`, `server_shutting_down`, and its
   * session is closed. The connections left are cut at the same deadline (at most half a second
   * later, for the statuses to leave), so `close()` takes about `graceMs` even when a client
   * never reads; a processor still inside `process()` holds its session's close, and `close()`,
   * until it returns (the runner's `maxRunMs` at most), not the calls' statuses. Default 5 000 ms.
   */
  readonly graceMs?: number;
}

/**
 * A running gRPC server of pipeline sessions. Made by {@linkcode serveGrpc}.
 *
 * @example Its port, then a graceful close
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { serveGrpc } from "@streamlib/streamlib/sessions/grpc";
 *
 * const runner = new PipelineRunner();
 * const server = await serveGrpc({ runner, resolve: () => undefined });
 * assert.ok(server.port > 0);
 * assert.equal(server.hostname, "127.0.0.1");
 * assert.equal(server.calls, 0);
 * await server.close({ graceMs: 1_000 });
 * await server.close(); // idempotent
 * await runner.close();
 * ```
 */
export class GrpcServer {
  readonly #server: grpc.Server;
  readonly #ctx: ServeContext;
  readonly #intake: IntakeState;
  #closing: Promise<void> | undefined;
  /** The port it listens on. */
  readonly port: number;
  /** The address it listens on. */
  readonly hostname: string;

  /**
   * Wraps a bound server (use {@linkcode serveGrpc}).
   *
   * @param server The grpc-js server.
   * @param ctx The handlers' state.
   * @param hostname The address.
   * @param port The port.
   * @param intake The calls waiting for their first message.
   */
  constructor(
    server: grpc.Server,
    ctx: ServeContext,
    hostname: string,
    port: number,
    intake: IntakeState = { waiting: new Set(), outcomes: new WeakMap() },
  ) {
    this.#server = server;
    this.#ctx = ctx;
    this.#intake = intake;
    this.hostname = hostname;
    this.port = port;
  }

  /** Calls being served now (Execute and Stream). */
  get calls(): number {
    return this.#ctx.calls.size;
  }

  /** Calls whose first request message has not come in full yet (see `maxWaitingCalls`). */
  get waitingCalls(): number {
    return this.#intake.waiting.size;
  }

  /**
   * Stops the server: new calls are refused with `UNAVAILABLE` (`server_shutting_down`), open
   * streams have their inputs ended and their outputs written for up to `graceMs`, then each
   * call ends with `UNAVAILABLE` and `server_shutting_down` and its session closes; then the
   * port is released. The runner is left open (its owner closes it). Idempotent.
   *
   * @param options The grace period.
   */
  close(options: GrpcCloseOptions = {}): Promise<void> {
    this.#closing ??= (async () => {
      const graceMs = options.graceMs ?? 5_000;
      // One deadline for the calls and the connections: a call's status that cannot leave (its
      // client never reads) must not hold the connections a second grace period.
      const deadline = performance.now() + graceMs;
      this.#ctx.closing = true;
      await Promise.all([...this.#ctx.calls].map((call: LiveCall) => call.shutdown(graceMs)));
      // The statuses just sent get a moment to reach their clients even at the deadline.
      const left = Math.max(deadline - performance.now(), STATUS_FLUSH_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#server.forceShutdown();
          resolve();
        }, left);
        this.#server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    })();
    return this.#closing;
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Serves pipeline sessions over gRPC: `streamlib.sessions.v1.Sessions` of
 * `proto/streamlib/sessions/v1/sessions.proto`, with `Execute` (unary: a pipeline on whole
 * inputs) and `Stream` (bidirectional: an `open`, then frames both ways). Every session runs in
 * the runner, in an isolate of its own. A failure ends its call with a gRPC status whose
 * message says what was wrong, and the streamlib error code in the trailer `streamlib-code`; a
 * refused frame on a stream is answered in the stream and the session goes on.
 *
 * A client that reads slowly is paced: the server stops reading the session's outputs while
 * the call's send buffer is full, the session's graph stalls, and a client that never reads is
 * ended by the runner's idle timeout (`DEADLINE_EXCEEDED`, `session_idle_timeout`); the
 * server's memory per call stays bounded.
 *
 * @param options The runner, the pipelines, the authorizer, the address.
 * @returns The running server.
 * @throws {Error} When the address cannot be bound (in use, not local).
 *
 * @example Serve a pipeline and run it from a grpc-js client
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
 * const runner = new PipelineRunner({ maxSessions: 2 });
 * const gain = {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * };
 * const server = await serveGrpc({
 *   runner,
 *   resolve: (name) => (name === "gain" ? gain : undefined),
 *   authorize: (token) => token === "secret",
 * });
 * // A client from the same .proto, loaded the same way.
 * const proto = protoLoader.loadSync(fileURLToPath(SESSIONS_PROTO_URL), { ...SESSIONS_PROTO_OPTIONS });
 * const { Sessions } = (grpc.loadPackageDefinition(proto) as any).streamlib.sessions.v1;
 * const client = new Sessions(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
 * const metadata = new grpc.Metadata();
 * metadata.set("authorization", "Bearer secret");
 * const samples = new Uint8Array(new Float32Array([0.25, 0.5]).buffer);
 * const response = await new Promise<any>((resolve, reject) =>
 *   client.Execute({
 *     pipeline: "gain",
 *     inputs: [{ port: "audio", frames: [{ audio: { channels: 2, sampleRate: 48000, samplesF32le: samples } }] }],
 *   }, metadata, (error: Error | null, value: unknown) => (error ? reject(error) : resolve(value)))
 * );
 * const out = response.outputs[0].frames[0].audio.samplesF32le;
 * assert.deepEqual([...new Float32Array(new Uint8Array(out).buffer)], [0.5, 1]);
 * client.close();
 * await server.close();
 * await runner.close();
 * ```
 */
export async function serveGrpc(options: GrpcServeOptions): Promise<GrpcServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? 0;
  const ctx: ServeContext = {
    runner: options.runner,
    resolve: options.resolve,
    authorize: options.authorize ?? (() => true),
    calls: new Set(),
    maxExecuteResponseBytes: positive(
      "maxExecuteResponseBytes",
      options.maxExecuteResponseBytes ?? 4 * options.runner.limits.maxMessageBytes,
    ),
    closing: false,
    outcomes: new WeakMap(),
  };
  const maxReceive = options.maxReceiveMessageBytes ??
    options.runner.limits.maxMessageBytes + GRPC_ENVELOPE_BYTES;
  const firstMessageTimeoutMs = positive(
    "firstMessageTimeoutMs",
    options.firstMessageTimeoutMs ?? 10_000,
  );
  const maxWaitingCalls = positive(
    "maxWaitingCalls",
    options.maxWaitingCalls ?? options.runner.limits.maxSessions,
  );
  const maxConnectionIdleMs = positive(
    "maxConnectionIdleMs",
    options.maxConnectionIdleMs ?? 60_000,
  );
  const waiting: IntakeState = {
    waiting: new Set(),
    outcomes: ctx.outcomes,
    tell: options.onEnded,
  };
  const server = new grpc.Server({
    "grpc.max_connection_idle_ms": maxConnectionIdleMs,
    "grpc.max_receive_message_length": maxReceive,
    "grpc.max_send_message_length": -1,
    interceptors: [intake({ firstMessageTimeoutMs, maxWaitingCalls }, waiting)],
  });
  answerWrongContentType(server);
  server.addService(sessionsService(), {
    Execute: (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => handleExecute(ctx, call, callback),
    Stream: (call: grpc.ServerDuplexStream<unknown, unknown>) => handleStream(ctx, call),
  });
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host}:${port}`,
      grpc.ServerCredentials.createInsecure(),
      (error, actual) =>
        error
          ? reject(new Error(`Cannot serve gRPC on ${host}:${port}: ${error.message}`))
          : resolve(actual),
    )
  );
  guardSessions(server);
  return new GrpcServer(server, ctx, hostname, bound, waiting);
}

/**
 * Guards every HTTP/2 session the server takes from now on against Deno's crash when a session
 * is destroyed while it receives (`_http2_guard.ts`): a client closing an idle connection did it.
 * The HTTP/2 servers are grpc-js's own (`http2Servers`, private, as `_verifyContentType` below);
 * without them (another grpc-js) nothing is guarded.
 */
function guardSessions(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2Server of servers.keys()) {
    (http2Server as http2.Http2Server).prependListener("session", destroyOutsideReceive);
  }
}

function positive(name: string, value: number): number {
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new RangeError(`Invalid ${name}: must be a positive number, got ${value}`);
  }
  return value;
}

/**
 * A request whose content-type is not `application/grpc*` (curl, a browser, an HTTP/2 client
 * that is not gRPC) gets HTTP 415 with `grpc-status` 3 (`INVALID_ARGUMENT`), the code
 * `unsupported_media_type` in `streamlib-code`, and a JSON body saying what is valid. A method
 * other than POST (grpc-js served a GET as a call) gets HTTP 405, `grpc-status` 3 and
 * `method_not_allowed`.
 *
 * grpc-js answers it with `:status` of `http2.constants.HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE`,
 * which Deno's `node:http2` lacks: the answer went out as HTTP 200 with no `grpc-status`, a
 * success to an HTTP client and an unexplained failure to a gRPC one. The constant is set, so
 * grpc-js's own answer is a 415 even when its (private) check replaced here is gone.
 */
function answerWrongContentType(server: grpc.Server): void {
  const constants = http2.constants as unknown as Record<string, number | undefined>;
  constants.HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE ??= 415;
  type Check = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;
  const target = server as unknown as { _verifyContentType?: Check };
  if (typeof target._verifyContentType !== "function") return;
  target._verifyContentType = (stream, headers) => {
    const type = headers["content-type"];
    const method = headers[":method"];
    if (method !== "POST") return refuseMethod(stream, String(method));
    if (typeof type === "string" && type.startsWith("application/grpc")) return true;
    const found = typeof type === "string" ? JSON.stringify(type.slice(0, 100)) : "none";
    const message = `Cannot take a gRPC call with content-type ${found}: gRPC calls are ` +
      `application/grpc (or application/grpc+proto) over HTTP/2`;
    try {
      stream.respond({
        ":status": 415,
        "content-type": "application/json",
        "grpc-status": String(GrpcStatus.INVALID_ARGUMENT),
        "grpc-message": encodeURIComponent(message),
        [STREAMLIB_CODE_KEY]: "unsupported_media_type",
      });
      stream.end(JSON.stringify({
        error: { status: 415, code: "unsupported_media_type", message },
      }));
    } catch { /* the stream is gone */ }
    return false;
  };
}

/** Answers a request whose method is not POST: HTTP 405, `INVALID_ARGUMENT`, `method_not_allowed`. */
function refuseMethod(stream: http2.ServerHttp2Stream, method: string): false {
  const message = `Cannot take a gRPC call with method ${
    JSON.stringify(method.slice(0, 20))
  }: gRPC calls are POST`;
  try {
    stream.respond({
      ":status": 405,
      allow: "POST",
      "content-type": "application/json",
      "grpc-status": String(GrpcStatus.INVALID_ARGUMENT),
      "grpc-message": encodeURIComponent(message),
      [STREAMLIB_CODE_KEY]: "method_not_allowed",
    });
    stream.end(JSON.stringify({ error: { status: 405, code: "method_not_allowed", message } }));
  } catch { /* the stream is gone */ }
  return false;
}
