/**
 * The access token of the front-ends served over HTTP (the dashboard's, MCP's): made at start,
 * checked when given, compared in constant time.
 *
 * @module
 */

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * A new random token: 32 hex digits (128 bits from `crypto.getRandomValues`).
 *
 * @returns The token.
 *
 * @example A token is 32 hex digits
 * ```ts
 * import assert from "node:assert/strict";
 * import { createToken } from "./token.ts";
 *
 * assert.ok(/^[0-9a-f]{32}$/.test(createToken()));
 * ```
 */
export function createToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Checks a token given in options.
 *
 * @param token The token.
 * @returns A phrase saying what is wrong, or `undefined` when it is usable.
 */
export function tokenProblem(token: unknown): string | undefined {
  if (typeof token === "string" && TOKEN.test(token)) return undefined;
  return `token must be 16 to 128 letters, digits, '_' or '-', got ${
    typeof token === "string" ? `${token.length} characters` : typeof token
  }`;
}

/**
 * Compares a presented token with the expected one without an early exit, so the time taken
 * does not reveal how much of it matched.
 *
 * @param presented The token from the request (or `null`).
 * @param expected The server's token.
 * @returns Whether they are equal.
 *
 * @example Compare
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokensMatch } from "./token.ts";
 *
 * assert.ok(tokensMatch("abc", "abc"));
 * assert.equal(tokensMatch("abd", "abc"), false);
 * assert.equal(tokensMatch(null, "abc"), false);
 * ```
 */
export function tokensMatch(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== "string") return false;
  let diff = presented.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= (presented.charCodeAt(i % Math.max(presented.length, 1)) || 0) ^
      expected.charCodeAt(i);
  }
  return diff === 0;
}
