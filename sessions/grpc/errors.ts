/**
 * {@linkcode GrpcRequestError}: a gRPC call refused before or outside its session, with a stable
 * code.
 *
 * @module
 */

/**
 * The codes the gRPC transport itself gives, besides the runner's: the front-ends' request and
 * access codes of `frontend/error_codes.ts` (with the wire format's `wire_too_large` for frame
 * metadata past its bounds), and `server_shutting_down` of
 * `core/errors/codes.ts` (every transport's server stops the same way); all listed in
 * `docs/errors.md`.
 */
export const GRPC_REQUEST_CODES = [
  "missing_token",
  "invalid_token",
  "pipeline_not_allowed",
  "pipeline_not_found",
  "grpc_invalid_message",
  "grpc_deadline_exceeded",
  "server_shutting_down",
  "wire_too_large",
] as const;

/** A code of {@linkcode GRPC_REQUEST_CODES}. */
export type GrpcRequestCode = (typeof GRPC_REQUEST_CODES)[number];

/**
 * A call the gRPC transport refused: no or a wrong token (`missing_token`, `invalid_token`), a
 * token without access to the pipeline (`pipeline_not_allowed`), an unknown pipeline
 * (`pipeline_not_found`), a message out of order or without a required field
 * (`grpc_invalid_message`), or the server stopping (`server_shutting_down`). The server maps the
 * code to a gRPC status (`grpcStatusOf()`) and sends it in the trailer `streamlib-code`.
 *
 * @example The code and the details
 * ```ts
 * import assert from "node:assert/strict";
 * import { GrpcRequestError } from "@streamlib/streamlib/sessions/grpc";
 *
 * const error = new GrpcRequestError("pipeline_not_found", "No pipeline 'x'", { pipeline: "x" });
 * assert.equal(error.code, "pipeline_not_found");
 * assert.deepEqual(error.details, { pipeline: "x" });
 * ```
 */
export class GrpcRequestError extends Error {
  /** The stable code. */
  readonly code: GrpcRequestCode;
  /** The offending names and what is valid. */
  readonly details: Readonly<Record<string, string | number | readonly string[]>>;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details The offending names and what is valid.
   */
  constructor(
    code: GrpcRequestCode,
    message: string,
    details: Readonly<Record<string, string | number | readonly string[]>> = {},
  ) {
    super(message);
    this.name = "GrpcRequestError";
    this.code = code;
    this.details = details;
  }
}
