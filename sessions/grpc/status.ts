/**
 * How a streamlib error code becomes a gRPC status code, and the trailer that carries the code.
 *
 * @module
 */

/** The trailing metadata key that carries the streamlib error code of a failed call. */
export const STREAMLIB_CODE_KEY = "streamlib-code";

/** gRPC status codes (the numbers every gRPC implementation uses). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A gRPC status code the server answers with. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const BY_CODE: Readonly<Record<string, GrpcStatusCode>> = {
  // The caller's request is wrong.
  invalid_manifest: GrpcStatus.INVALID_ARGUMENT,
  app_frame_mismatch: GrpcStatus.INVALID_ARGUMENT,
  unknown_parameter: GrpcStatus.INVALID_ARGUMENT,
  invalid_parameter: GrpcStatus.INVALID_ARGUMENT,
  app_port_not_found: GrpcStatus.INVALID_ARGUMENT,
  app_port_ended: GrpcStatus.INVALID_ARGUMENT,
  grpc_invalid_message: GrpcStatus.INVALID_ARGUMENT,
  grpc_deadline_exceeded: GrpcStatus.DEADLINE_EXCEEDED,
  body_timeout: GrpcStatus.DEADLINE_EXCEEDED,
  pipeline_not_found: GrpcStatus.NOT_FOUND,
  missing_token: GrpcStatus.UNAUTHENTICATED,
  invalid_token: GrpcStatus.UNAUTHENTICATED,
  pipeline_not_allowed: GrpcStatus.PERMISSION_DENIED,
  // A limit.
  session_limit_reached: GrpcStatus.RESOURCE_EXHAUSTED,
  memory_budget_exceeded: GrpcStatus.RESOURCE_EXHAUSTED,
  message_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  frame_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  wire_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  session_idle_timeout: GrpcStatus.DEADLINE_EXCEEDED,
  session_too_long: GrpcStatus.DEADLINE_EXCEEDED,
  // The server.
  server_shutting_down: GrpcStatus.UNAVAILABLE,
  session_closed: GrpcStatus.UNAVAILABLE,
  session_ended_by_operator: GrpcStatus.ABORTED,
  // The runner's operator calls (never a call's end today, mapped for whoever adapts them).
  session_not_found: GrpcStatus.NOT_FOUND,
  session_unresponsive: GrpcStatus.UNAVAILABLE,
  session_processor_failed: GrpcStatus.INTERNAL,
  session_isolate_died: GrpcStatus.INTERNAL,
  plugin_import_failed: GrpcStatus.INTERNAL,
  plugin_no_registry: GrpcStatus.INTERNAL,
  internal_error: GrpcStatus.INTERNAL,
};

/**
 * The gRPC status a failed call ends with, by its streamlib error code: the caller's mistakes
 * are `INVALID_ARGUMENT`, `NOT_FOUND`, `UNAUTHENTICATED` or `PERMISSION_DENIED`; limits are
 * `RESOURCE_EXHAUSTED` or `DEADLINE_EXCEEDED`; a processor that threw or a dead isolate is
 * `INTERNAL`; the server stopping is `UNAVAILABLE`. A code not listed is `INTERNAL`.
 *
 * @param code A streamlib error code (`docs/errors.md`).
 * @returns The gRPC status code.
 *
 * @example A limit and a caller's mistake
 * ```ts
 * import assert from "node:assert/strict";
 * import { GrpcStatus, grpcStatusOf } from "@streamlib/streamlib/sessions/grpc";
 *
 * assert.equal(grpcStatusOf("session_limit_reached"), GrpcStatus.RESOURCE_EXHAUSTED);
 * assert.equal(grpcStatusOf("pipeline_not_found"), GrpcStatus.NOT_FOUND);
 * assert.equal(grpcStatusOf("no_such_code"), GrpcStatus.INTERNAL);
 * ```
 */
export function grpcStatusOf(code: string): GrpcStatusCode {
  return Object.hasOwn(BY_CODE, code) ? BY_CODE[code] : GrpcStatus.INTERNAL;
}

/** How a call ended (`GrpcServeOptions.onEnded`). */
export interface GrpcCallEnding {
  /**
   * The streamlib code the call's status carried (`streamlib-code`): `""` for `OK`;
   * `client_disconnected` when the client cancelled or reset the call before a status, but
   * `grpc_deadline_exceeded` for a reset within 100 ms of the call's deadline (a client's library
   * resets the call at its deadline itself).
   */
  readonly code: string;
  /** The session opened for the call; absent when none was (a refusal). */
  readonly session?: string;
}
