/**
 * What the gRPC handlers share: the runner, the pipelines, the authorizer, the live calls, and
 * the failure-to-status mapping. Internal.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import { fitUtf8 } from "../_fit_utf8.ts";
import type { PipelineRunner } from "../runner.ts";
import type { GrpcAuthDecision } from "./server.ts";
import { type GrpcRequestCode, GrpcRequestError } from "./errors.ts";
import { grpcStatusOf, STREAMLIB_CODE_KEY } from "./status.ts";
import { CallOutcome } from "./_outcome.ts";
import { readBearer } from "../bearer.ts";

/** A call being served, which the server can stop. */
export interface LiveCall {
  /** Ends the call for shutdown: outputs flushed for up to `graceMs`, then `UNAVAILABLE`. */
  shutdown(graceMs: number): Promise<void>;
}

/** The server's state, shared by its handlers. */
export interface ServeContext {
  readonly runner: PipelineRunner;
  readonly resolve: (name: string) => unknown | Promise<unknown>;
  readonly authorize: (
    token: string | undefined,
    pipeline: string,
  ) => GrpcAuthDecision | Promise<GrpcAuthDecision>;
  readonly calls: Set<LiveCall>;
  /** The most bytes an `ExecuteResponse` may hold (`GrpcServeOptions.maxExecuteResponseBytes`). */
  readonly maxExecuteResponseBytes: number;
  closing: boolean;
  /** Each call's ending, by its request metadata (the interceptor's; see `_intake.ts`). */
  readonly outcomes: WeakMap<object, CallOutcome>;
}

/**
 * The call's ending, which its handler opens the call's session through (a call the interceptor
 * did not see gets one told to no one).
 */
export function outcomeOf(ctx: ServeContext, metadata: grpc.Metadata): CallOutcome {
  return ctx.outcomes.get(metadata) ?? new CallOutcome();
}

/** The mark a request that did not decode carries (see `_service.ts`). */
export const UNDECODABLE = Symbol("undecodable");

/**
 * The manifest of a pipeline the call may run.
 *
 * @throws {GrpcRequestError} `missing_token`, `invalid_token`, `pipeline_not_allowed`,
 * `pipeline_not_found`, `server_shutting_down`.
 */
export async function admit(
  ctx: ServeContext,
  metadata: grpc.Metadata,
  pipeline: string,
): Promise<unknown> {
  if (ctx.closing) {
    throw new GrpcRequestError("server_shutting_down", "The server is stopping: no new session");
  }
  // Several values arrive as a list, as several HTTP headers do: more than one credential.
  const values = metadata.get("authorization").map((v) => typeof v === "string" ? v : "\ufffd");
  const credential = readBearer(values.length === 0 ? undefined : values.join(", "));
  const token = credential.token === "" ? undefined : credential.token;
  const badCredential = () =>
    new GrpcRequestError(
      "invalid_token",
      `Cannot open a session: ${credential.problem} (as metadata)`,
      { field: "authorization" },
    );
  let decision: GrpcAuthDecision;
  try {
    decision = await asked(() => ctx.authorize(token, pipeline));
  } catch (error) {
    // An authorizer that refuses by throwing (`streamlib serve`'s tokens) is given no token for
    // a credential that is not one, and says it is missing: it was sent, and is wrong.
    if (
      credential.problem !== undefined && (error as { code?: unknown }).code === "missing_token"
    ) {
      throw badCredential();
    }
    throw error;
  }
  if (decision === "forbidden") {
    throw new GrpcRequestError(
      "pipeline_not_allowed",
      `Cannot open pipeline '${pipeline.slice(0, 256)}': the token does not give access to it`,
      { pipeline: pipeline.slice(0, 256) },
    );
  }
  if (decision !== true) {
    if (credential.problem !== undefined) throw badCredential();
    throw token === undefined
      ? new GrpcRequestError(
        "missing_token",
        "Cannot open a session: the call needs the token, as metadata 'authorization: Bearer <token>'",
      )
      : new GrpcRequestError("invalid_token", "Cannot open a session: the token is wrong");
  }
  const manifest = await asked(() => ctx.resolve(pipeline));
  if (manifest === undefined) {
    throw new GrpcRequestError(
      "pipeline_not_found",
      `Cannot open pipeline '${pipeline.slice(0, 256)}': no pipeline of this name is served`,
      { pipeline: pipeline.slice(0, 256) },
    );
  }
  return manifest;
}

/** The access and name codes `authorize` and `resolve` may refuse with themselves. */
const REFUSALS: ReadonlySet<string> = new Set<GrpcRequestCode>([
  "missing_token",
  "invalid_token",
  "pipeline_not_allowed",
  "pipeline_not_found",
]);

/**
 * Calls `authorize` or `resolve`. One that throws an error whose `code` is an access or name code
 * (`pipeline_not_allowed`, ...) refuses the call with that code, its message (which may name
 * what the token allows, or the pipelines there are) and its string details; any other error is
 * the server's own and goes on.
 */
async function asked<T>(ask: () => T | Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    const { code, message, details } = error as {
      code?: unknown;
      message?: unknown;
      details?: unknown;
    };
    if (typeof code !== "string" || !REFUSALS.has(code) || typeof message !== "string") {
      throw error;
    }
    const kept: Record<string, string | number | readonly string[]> = {};
    if (details !== null && typeof details === "object") {
      for (const [key, value] of Object.entries(details)) {
        if (
          typeof value === "string" || typeof value === "number" ||
          (Array.isArray(value) && value.every((v) => typeof v === "string"))
        ) kept[key] = value;
      }
    }
    throw new GrpcRequestError(code as GrpcRequestCode, message, kept);
  }
}

/** The most UTF-8 bytes of a status message (at most 3x that percent-encoded): 2 KiB. */
export const GRPC_STATUS_MESSAGE_BYTES = 2048;

/**
 * A failure as the status a call ends with: the gRPC code by the streamlib code, the message as
 * the status message, and the code in the trailer `streamlib-code`.
 */
export function statusOf(error: unknown): Partial<grpc.StatusObject> & { code: grpc.status } {
  const coded = error as { code?: unknown; message?: unknown };
  const code = typeof coded?.code === "string" ? coded.code : "internal_error";
  const message = typeof coded?.message === "string"
    ? coded.message
    : `Internal error: ${String(error)}`;
  const metadata = new grpc.Metadata();
  metadata.set(STREAMLIB_CODE_KEY, fitUtf8(code, 64));
  // The status message travels percent-encoded in the `grpc-message` trailer, and stock clients
  // refuse trailers past 8 KiB (grpcio's default), losing the code with them: a message that
  // lists what is valid (every pipeline of a large folder) is cut to GRPC_STATUS_MESSAGE_BYTES.
  return {
    code: grpcStatusOf(code) as number as grpc.status,
    details: fitUtf8(message, GRPC_STATUS_MESSAGE_BYTES),
    metadata,
  };
}

/** The streamlib code a status carries (`""` for one without: `OK`). */
export function codeOf(status: { metadata?: grpc.Metadata | null }): string {
  const code = status.metadata?.get(STREAMLIB_CODE_KEY)[0];
  return code === undefined ? "" : String(code);
}
