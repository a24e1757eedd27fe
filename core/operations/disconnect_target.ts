/**
 * The `disconnect` operation's two forms (`DISCONNECT_SCHEMA`): a connection by its id, or by
 * the input it feeds (with its writer, optionally). The control API and MCP read a request with
 * {@linkcode disconnectTarget} and find the connection with {@linkcode findConnection}, so both
 * refuse the same requests with the same codes.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { ConnectionNotFoundError } from "../graph/errors.ts";
import { checkOperation, OperationError } from "./check.ts";
import { DISCONNECT_SCHEMA, PORT_END_WORDS } from "./schemas.ts";

/** Which connection a `disconnect` names: its id, or the input it feeds (and its writer). */
export type DisconnectTarget =
  | { readonly connection: string }
  | { readonly to: string; readonly from?: string };

/**
 * Checks a `disconnect` request against `DISCONNECT_SCHEMA` and says which form it takes.
 *
 * @param request The request (tool arguments, a query's fields).
 * @param operation The operation's name, for the message.
 * @returns The target.
 * @throws {OperationError} When a field is unknown or malformed, when neither `connection` nor
 * `to` is given (`missing_field`, listing both), or when `connection` comes with `from` or `to`
 * (`invalid_field`).
 *
 * @example Both forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { disconnectTarget } from "./disconnect_target.ts";
 *
 * assert.deepEqual(disconnectTarget({ connection: "conn_1" }), { connection: "conn_1" });
 * assert.deepEqual(disconnectTarget({ to: "mix.in_0" }), { to: "mix.in_0" });
 * assert.throws(() => disconnectTarget({ from: "tone.audio" }), /'to' is missing/);
 * ```
 */
export function disconnectTarget(request: unknown, operation = "disconnect"): DisconnectTarget {
  const checked = checkOperation(DISCONNECT_SCHEMA, request, operation);
  const { connection, from, to } = checked as { connection?: string; from?: string; to?: string };
  if (connection !== undefined) {
    const extra = from !== undefined ? "from" : to !== undefined ? "to" : undefined;
    if (extra === undefined) return { connection };
    throw new OperationError(operation, [{
      code: "invalid_field",
      field: extra,
      problem: "cannot be given with 'connection': name a connection by its id or by its ends",
    }]);
  }
  if (to === undefined) {
    throw new OperationError(operation, [{
      code: "missing_field",
      field: from === undefined ? "connection" : "to",
      problem: from === undefined
        ? `is missing: give 'connection' (its id) or 'to' (the input it feeds, ${PORT_END_WORDS})`
        : `is missing: expected the input the connection from '${from}' feeds, ${PORT_END_WORDS}`,
      choices: ["connection", "to"],
    }]);
  }
  return from === undefined ? { to } : { to, from };
}

/**
 * Thrown when no connection feeds the input a `disconnect` names (from the writer it names).
 *
 * @example Read the connected inputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionEndsNotFoundError } from "./disconnect_target.ts";
 *
 * const error = new ConnectionEndsNotFoundError("mix.in_1", undefined, ["mix.in_0"]);
 * assert.equal(error.code, "connection_not_found");
 * assert.equal(error.field, "to");
 * assert.deepEqual(error.details.available, ["mix.in_0"]);
 * ```
 */
export class ConnectionEndsNotFoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "connection_not_found";
  /** The input asked for. */
  readonly to: string;
  /** The writer asked for, if any. */
  readonly from: string | undefined;
  /** The inputs that have a connection. */
  readonly available: readonly string[];
  /** The request field at fault: `from` when the input is connected, but from another output. */
  readonly field: "from" | "to";

  /** The ends asked for, the field at fault and the connected inputs (`available`). */
  get details(): ErrorDetails {
    return {
      to: this.to,
      ...(this.from !== undefined ? { from: this.from } : {}),
      field: this.field,
      available: [...this.available],
    };
  }

  /**
   * Creates the error.
   *
   * @param to The input asked for.
   * @param from The writer asked for, if any.
   * @param available The inputs that have a connection.
   */
  constructor(to: string, from: string | undefined, available: readonly string[]) {
    super(
      `Cannot find a connection into '${to}'${from ? ` from '${from}'` : ""}: connected inputs: ${
        available.join(", ") || "none"
      }`,
    );
    this.name = "ConnectionEndsNotFoundError";
    this.to = to;
    this.from = from;
    this.available = available;
    this.field = from !== undefined && available.includes(to) ? "from" : "to";
  }
}

/**
 * The id of the connection a target names, among a graph's connections.
 *
 * @param connections The graph's connections (`describe().connections`).
 * @param target The target.
 * @returns The connection's id.
 * @throws {ConnectionNotFoundError} When no connection has the id.
 * @throws {ConnectionEndsNotFoundError} When no connection feeds the input (from the writer).
 *
 * @example By its ends
 * ```ts
 * import assert from "node:assert/strict";
 * import { findConnection } from "./disconnect_target.ts";
 *
 * const connections = [{ id: "conn_1", from: "tone.audio", to: "mix.in_0" }];
 * assert.equal(findConnection(connections, { to: "mix.in_0" }), "conn_1");
 * assert.throws(() => findConnection(connections, { to: "mix.in_0", from: "noise.audio" }));
 * ```
 */
export function findConnection(
  connections: readonly { readonly id: string; readonly from: string; readonly to: string }[],
  target: DisconnectTarget,
): string {
  if ("connection" in target) {
    if (connections.some((c) => c.id === target.connection)) return target.connection;
    throw new ConnectionNotFoundError(target.connection, connections.map((c) => c.id), false);
  }
  const { to, from } = target;
  const found = connections.find((c) => c.to === to && (from === undefined || c.from === from));
  if (found) return found.id;
  throw new ConnectionEndsNotFoundError(to, from, connections.map((c) => c.to));
}
