/**
 * {@linkcode readBearer}: the one parser of a bearer credential (`Authorization: Bearer <token>`)
 * for every transport that takes it in a header or call metadata (HTTP routes, WebRTC offers,
 * gRPC calls; a WebSocket `open` carries its token in its own field). Here, below `serve/`, so the
 * transports under `sessions/` share it; it imports nothing.
 *
 * @module
 */

/** The longest bearer token read: no token of a token file is longer. */
export const MAX_BEARER_LENGTH = 4096;

/**
 * What a request's `Authorization` header (or a gRPC call's `authorization` metadata) carries:
 * the bearer token, `""` when it carries none (no header, or `Bearer` alone), and, when a credential was sent that is not a
 * bearer token this server could have given, why (a caller's token check refuses it with
 * `invalid_token`, not `missing_token`, and says so).
 */
export interface BearerCredential {
  /** The token; `""` when there is none usable. */
  readonly token: string;
  /** Why the credential sent is no bearer token (undefined: none sent, or a well-formed one). */
  readonly problem?: string;
}

/** `Bearer`, spaces, one token of printable ASCII (RFC 6750's form, any visible character). */
const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * Reads a bearer token: the one place every transport's `Authorization` is parsed (HTTP routes,
 * WebRTC offers; a WebSocket `open` carries its token in its own field).
 *
 * @param header The header's value (`null` or undefined: no header; several headers arrive
 * joined with `, `, which is more than one credential).
 * @returns The token, or why what was sent is not one.
 *
 * @example A credential of another scheme is sent, not missing
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBearer } from "./bearer.ts";
 *
 * assert.deepEqual(readBearer("Bearer team-a-0123456789"), { token: "team-a-0123456789" });
 * assert.deepEqual(readBearer(null), { token: "" });
 * assert.match(readBearer("Basic dXNlcjpwYXNz").problem!, /scheme 'Basic'/);
 * assert.match(readBearer("Bearer a, Bearer b").problem!, /more than one credential/);
 * ```
 */
export function readBearer(header: string | null | undefined): BearerCredential {
  const value = (header ?? "").trim();
  if (value === "") return { token: "" };
  const token = BEARER.exec(value)?.[1];
  if (token !== undefined && token.length <= MAX_BEARER_LENGTH) return { token };
  const scheme = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(value)?.[0] ?? "";
  // `Bearer` and no token: the token is missing, not wrong.
  if (scheme.length === value.length && scheme.toLowerCase() === "bearer") return { token: "" };
  const problem = token !== undefined
    ? `the token is ${token.length} characters long, none is over ${MAX_BEARER_LENGTH}`
    : scheme.toLowerCase() !== "bearer"
    ? `the Authorization header uses ${
      scheme === "" ? "no scheme" : `the scheme '${scheme.slice(0, 20)}'`
    }`
    : /,\s*bearer[ \t]/i.test(value)
    ? "the Authorization header carries more than one credential (several headers, or a list)"
    : !/^[ \t]/.test(value.slice(scheme.length))
    ? "the Authorization header has no space between Bearer and the token"
    : "the token has a space, a control character or a character outside printable ASCII";
  return {
    token: "",
    problem: `${problem}; send 'Authorization: Bearer <token>', one token of printable ASCII`,
  };
}
