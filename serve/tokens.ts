/**
 * {@linkcode TokenPolicy}: who may open which pipeline, and who may watch and end sessions.
 *
 * @module
 */

import type { OperatorRole } from "../frontend/session_admin.ts";
import { tokensMatch } from "../frontend/token.ts";
import { TransportError } from "../sessions/websocket/errors.ts";
import { ServeError } from "./errors.ts";

/**
 * Tokens and the pipelines each may open (`"*"`: every one), and the operators' tokens with their
 * role, as a token file holds them:
 * `{ "tokens": { "<token>": ["voice-fx", "*"] }, "operators": { "<token>": "read" } }`.
 */
export interface TokenFile {
  /** Each token and the pipeline names it allows. */
  readonly tokens: Readonly<Record<string, readonly string[]>>;
  /**
   * Each operator's token and its role on `/v1/admin/sessions` and the dashboard page: `read`
   * (list sessions, see their graphs) or `admin` (also end them). Default: none.
   */
  readonly operators?: Readonly<Record<string, OperatorRole>>;
}

const ROLES: readonly OperatorRole[] = ["read", "admin"];

export { type BearerCredential, MAX_BEARER_LENGTH, readBearer } from "../sessions/bearer.ts";
export { credentialError } from "../sessions/websocket/errors.ts";

/**
 * Checks the token of each `open` against an allow-list per token; with no tokens at all, every
 * `open` is allowed (and the server binds to loopback only). Tokens are compared in constant time.
 *
 * @example Allow one pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenPolicy } from "@streamlib/streamlib/serve";
 *
 * const policy = new TokenPolicy({ tokens: { "team-a-0123456789": ["voice-fx"] } });
 * policy.check("voice-fx", "team-a-0123456789");
 * assert.throws(() => policy.check("transcode", "team-a-0123456789"), { code: "pipeline_not_allowed" });
 * assert.throws(() => policy.check("voice-fx", ""), { code: "missing_token" });
 * assert.throws(() => policy.check("voice-fx", "wrong"), { code: "invalid_token" });
 * const none = new TokenPolicy({ tokens: { "disabled-0123456789": [] } });
 * assert.throws(() => none.check("voice-fx", "disabled-0123456789"), {
 *   message: "Cannot open 'voice-fx': the token allows no pipeline (its list in the token file is empty)",
 * });
 * ```
 */
export class TokenPolicy {
  #tokens: readonly (readonly [string, ReadonlySet<string>])[];
  #operators: readonly (readonly [string, OperatorRole])[];

  /**
   * A policy.
   *
   * @param file The tokens and their pipelines (none: everyone may open anything).
   * @throws {ServeError} `invalid_field` when the file is not of the shape above.
   */
  constructor(file: unknown = { tokens: {} }) {
    const tokens = (file as { tokens?: unknown } | null)?.tokens;
    if (tokens === null || typeof tokens !== "object" || Array.isArray(tokens)) {
      throw new ServeError(
        "invalid_field",
        'Invalid token file: expected { "tokens": { "<token>": ["<pipeline>" or "*", ...] } }',
        { field: "tokens" },
      );
    }
    this.#tokens = Object.entries(tokens as Record<string, unknown>).map(([token, names]) => {
      if (token.length < 8 || token.length > 4096) {
        throw new ServeError(
          "invalid_field",
          `Invalid token file: a token is 8 to 4096 characters, got ${token.length}`,
          { field: "tokens" },
        );
      }
      if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
        throw new ServeError(
          "invalid_field",
          'Invalid token file: each token maps to a list of pipeline names (or "*")',
          { field: `tokens.${token.slice(0, 4)}...` },
        );
      }
      return [token, new Set(names as string[])] as const;
    });
    const operators = (file as { operators?: unknown }).operators ?? {};
    if (operators === null || typeof operators !== "object" || Array.isArray(operators)) {
      throw new ServeError(
        "invalid_field",
        'Invalid token file: "operators" maps each operator token to "read" or "admin"',
        { field: "operators" },
      );
    }
    this.#operators = Object.entries(operators as Record<string, unknown>).map(([token, role]) => {
      if (token.length < 8 || token.length > 4096) {
        throw new ServeError(
          "invalid_field",
          `Invalid token file: an operator token is 8 to 4096 characters, got ${token.length}`,
          { field: "operators" },
        );
      }
      if (!ROLES.includes(role as OperatorRole)) {
        throw new ServeError(
          "invalid_field",
          `Invalid token file: an operator's role is "read" or "admin", got ${
            JSON.stringify(role)?.slice(0, 40)
          }`,
          { field: `operators.${token.slice(0, 4)}...` },
        );
      }
      return [token, role as OperatorRole] as const;
    });
  }

  /**
   * Takes `next`'s tokens and operators in place (`streamlib serve --watch` re-reading its token
   * file): every later open and admin request is checked against them; sessions already open
   * carry on.
   *
   * @param next The policy read from the changed file.
   * @throws {ServeError} `invalid_field` when `next` has no tokens and this one has: that would
   * open every pipeline to anyone who reaches the port.
   *
   * @example A token rotated
   * ```ts
   * import assert from "node:assert/strict";
   * import { TokenPolicy } from "@streamlib/streamlib/serve";
   *
   * const policy = new TokenPolicy({ tokens: { "old-token-01": ["*"] } });
   * policy.adopt(new TokenPolicy({ tokens: { "new-token-01": ["*"] } }));
   * assert.throws(() => policy.check("fx", "old-token-01"), { code: "invalid_token" });
   * policy.check("fx", "new-token-01");
   * assert.throws(() => policy.adopt(new TokenPolicy()), { code: "invalid_field" });
   * ```
   */
  adopt(next: TokenPolicy): void {
    if (this.required && !next.required) {
      throw new ServeError(
        "invalid_field",
        "Invalid token file: it lists no token, which would let anyone open any pipeline; the " +
          "tokens read before stay",
        { field: "tokens" },
      );
    }
    this.#tokens = next.#tokens;
    this.#operators = next.#operators;
  }

  /** Whether the file names any operator token (else `streamlib serve` makes one at start). */
  get hasOperators(): boolean {
    return this.#operators.length > 0;
  }

  /**
   * The role of an operator token, compared in constant time.
   *
   * @param token The token given.
   * @returns Its role, or `undefined` when it is no operator's.
   */
  operatorRole(token: string): OperatorRole | undefined {
    let role: OperatorRole | undefined;
    for (const [candidate, r] of this.#operators) {
      if (tokensMatch(token, candidate)) role = r;
    }
    return role;
  }

  /** Whether any token is configured (else the server is open to whoever reaches it). */
  get required(): boolean {
    return this.#tokens.length > 0;
  }

  /**
   * Checks one `open`.
   *
   * @param pipeline The pipeline asked for.
   * @param token The token given (empty: none).
   * @throws {TransportError} `missing_token`, `invalid_token`, or `pipeline_not_allowed`.
   */
  check(pipeline: string, token: string): void {
    if (!this.required) return;
    if (token === "") {
      throw new TransportError(
        "missing_token",
        `Cannot open '${pipeline.slice(0, 80)}': this server needs a token (over WebSocket in ` +
          `the open message's token field, connect(url, { token }); over WebRTC and gRPC as ` +
          `'authorization: Bearer <token>')`,
      );
    }
    let allowed: ReadonlySet<string> | undefined;
    for (const [candidate, names] of this.#tokens) {
      if (tokensMatch(token, candidate)) allowed = names;
    }
    if (allowed === undefined) {
      throw new TransportError(
        "invalid_token",
        `Cannot open '${pipeline.slice(0, 80)}': the token is wrong`,
      );
    }
    if (!allowed.has("*") && !allowed.has(pipeline)) {
      throw new TransportError(
        "pipeline_not_allowed",
        `Cannot open '${pipeline.slice(0, 80)}': ${
          allowed.size === 0
            ? "the token allows no pipeline (its list in the token file is empty)"
            : `the token allows only ${[...allowed].join(", ")}`
        }`,
        { available: [...allowed] },
      );
    }
  }
}

/**
 * Reads a token file.
 *
 * @param path The file: `{ "tokens": { "<token>": ["voice-fx", "*"] } }`.
 * @returns The policy.
 * @throws {ServeError} `file_error` when it cannot be read or is not JSON; `invalid_field` when
 * it is not of that shape, or lists no token (which would let anyone open any pipeline).
 *
 * @example A token for every pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTokenFile } from "@streamlib/streamlib/serve";
 *
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, JSON.stringify({ tokens: { "ops-0123456789": ["*"] } }));
 * const policy = await loadTokenFile(path);
 * assert.ok(policy.required);
 * policy.check("anything", "ops-0123456789");
 * await Deno.remove(path);
 * ```
 */
export async function loadTokenFile(path: string): Promise<TokenPolicy> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ServeError(
      "file_error",
      `Cannot read the token file '${path}': ${(error as Error).message}`,
      {
        path,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ServeError(
      "file_error",
      `Cannot read the token file '${path}': not JSON (${(error as Error).message})`,
      {
        path,
      },
    );
  }
  const policy = new TokenPolicy(parsed);
  // A token file is given to require tokens: one that lists none would open every pipeline to
  // anyone who reaches the port, silently (the server would even bind a public address).
  if (!policy.required) {
    throw new ServeError(
      "invalid_field",
      `Invalid token file '${path}': it lists no token, which would let anyone open any ` +
        'pipeline; list at least one: { "tokens": { "<token>": ["<pipeline>" or "*", ...] } } ' +
        "(to serve without tokens, on loopback only, leave out --token-file)",
      { field: "tokens", path },
    );
  }
  return policy;
}
