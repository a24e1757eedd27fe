/**
 * {@linkcode ServeError}: why `streamlib serve` cannot start, with a code.
 *
 * @module
 */

/**
 * A server that cannot start: a manifest folder or token file that cannot be read
 * (`file_error`), a manifest that is not a JSON object (`invalid_manifest`), a token file of the
 * wrong shape (`invalid_field`), or no token with a bind address other than loopback
 * (`invalid_argument`).
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { ServeError } from "@streamlib/streamlib/serve";
 *
 * const error = new ServeError("file_error", "Cannot read 'x': not found", { path: "x" });
 * assert.equal(error.code, "file_error");
 * ```
 */
export class ServeError extends Error {
  /** The stable code. */
  readonly code: "file_error" | "invalid_manifest" | "invalid_field" | "invalid_argument";
  /** The file at fault, and more. */
  readonly details: Readonly<Record<string, string>>;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What was wrong and what is valid.
   * @param details The file at fault, and more.
   * @param options The error it comes from (`cause`): a `Deno.errors.AddrInUse` for a gRPC port in
   * use, say.
   */
  constructor(
    code: ServeError["code"],
    message: string,
    details: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ServeError";
    this.code = code;
    this.details = details;
  }
}
