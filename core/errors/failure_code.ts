/**
 * {@linkcode failureCode}: the stable code of what a processor threw, for node failures and
 * `node-error` events.
 *
 * @module
 */

/**
 * The code of a thrown value: its own `code` when it is a typed error of this library (a string
 * property), `permission_denied` when Deno's permissions refused it (`NotCapable`,
 * `PermissionDenied`: a file, program or address outside the command's scope), else `undefined`.
 *
 * @param error What was thrown.
 * @returns The code, or `undefined`.
 *
 * @example Deno's refusal and a typed error
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureCode } from "./failure_code.ts";
 *
 * const denied = new Deno.errors.NotCapable('Requires write access to "/etc/x.wav"');
 * assert.equal(failureCode(denied), "permission_denied");
 * assert.equal(failureCode(Object.assign(new Error("x"), { code: "invalid_config" })), "invalid_config");
 * assert.equal(failureCode(new TypeError("plain")), undefined);
 * ```
 */
export function failureCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[a-z][a-z0-9_]*$/.test(code)) return code;
  if (error.name === "NotCapable" || error.name === "PermissionDenied") return "permission_denied";
  return undefined;
}
