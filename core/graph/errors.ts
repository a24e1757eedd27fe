/**
 * Errors of graph edits: adding, connecting, disconnecting and removing nodes.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { nearMatches } from "../errors/near_matches.ts";
import { quote, quoteList } from "../errors/quote.ts";
import { MAX_NODE_ID_LENGTH } from "./node_id.ts";

function list(names: readonly string[]): string {
  return quoteList(names);
}

/**
 * Thrown when a node id is not in the graph (never added, or removed).
 *
 * @example Catch an unknown node
 * ```ts
 * import assert from "node:assert/strict";
 * import { NodeNotFoundError } from "@streamlib/streamlib";
 *
 * const error = new NodeNotFoundError("tone_2", ["tone_1"], false);
 * assert.equal(error.message, "Cannot find node 'tone_2': no node has this id, did you mean tone_1? available nodes: tone_1");
 * ```
 */
export class NodeNotFoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "node_not_found";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      removed: this.removed,
      nearMatches: [...this.nearMatches],
      available: [...this.available],
    };
  }
  /** The id asked for (quoted: at most `MAX_QUOTED_CHARS` characters and a count). */
  readonly node: string;
  /** The ids in the graph. */
  readonly available: readonly string[];
  /** Whether a node with this id was in the graph and has been removed. */
  readonly removed: boolean;
  /** Ids in the graph close to the one asked for, nearest first (may be empty). */
  readonly nearMatches: readonly string[];

  /**
   * Creates the error.
   *
   * @param node The missing id.
   * @param available The ids in the graph.
   * @param removed Whether the node was removed.
   */
  constructor(node: string, available: readonly string[], removed: boolean) {
    const why = removed ? "it was removed" : "no node has this id";
    const near = removed ? [] : nearMatches(node, available);
    const guess = near.length > 0 ? `, did you mean ${near.join(" or ")}?` : ",";
    super(`Cannot find node '${quote(node)}': ${why}${guess} available nodes: ${list(available)}`);
    this.name = "NodeNotFoundError";
    this.nearMatches = near;
    this.node = quote(node);
    this.available = available;
    this.removed = removed;
  }
}

/**
 * Thrown when `add()` is given an id that is already taken, or one that is not a valid id.
 *
 * @example Catch a taken id
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidNodeIdError } from "./errors.ts";
 *
 * assert.equal(
 *   new InvalidNodeIdError("tone", "taken").message,
 *   "Cannot add node 'tone': the id is taken, choose another or leave it out",
 * );
 * ```
 */
export class InvalidNodeIdError extends TypeError {
  /** Stable machine code: `node_id_taken` or `invalid_node_id`. */
  readonly code: ErrorCode;
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { node: this.node, reason: this.reason };
  }
  /** The id. */
  readonly node: string;
  /**
   * `taken`: another node has it; `malformed`: it is not a valid id; `too_long`: it has more than
   * `MAX_NODE_ID_LENGTH` characters.
   */
  readonly reason: "taken" | "malformed" | "too_long";

  /**
   * Creates the error.
   *
   * @param node The id.
   * @param reason Why it cannot be used.
   */
  constructor(node: string, reason: "taken" | "malformed" | "too_long") {
    super(
      `Cannot add node '${quote(node)}': ${
        reason === "taken"
          ? "the id is taken, choose another or leave it out"
          : reason === "too_long"
          ? `the id is ${node.length} characters long, the limit is ${MAX_NODE_ID_LENGTH}`
          : "an id is a letter or '_' followed by letters, digits, '_' or '-'"
      }`,
    );
    this.name = "InvalidNodeIdError";
    this.code = reason === "taken" ? "node_id_taken" : "invalid_node_id";
    this.node = quote(node);
    this.reason = reason;
  }
}

/**
 * Thrown when a connection id is not in the graph, for example when disconnecting twice.
 *
 * @example Disconnect twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionNotFoundError } from "./errors.ts";
 *
 * assert.equal(
 *   new ConnectionNotFoundError("conn_1", [], true).message,
 *   "Cannot find connection 'conn_1': it was already disconnected, available connections: none",
 * );
 * ```
 */
export class ConnectionNotFoundError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "connection_not_found";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      connection: this.connection,
      disconnected: this.disconnected,
      available: [...this.available],
    };
  }
  /** The id asked for. */
  readonly connection: string;
  /** The connection ids in the graph. */
  readonly available: readonly string[];
  /** Whether the connection existed and was disconnected. */
  readonly disconnected: boolean;

  /**
   * Creates the error.
   *
   * @param connection The missing id.
   * @param available The ids in the graph.
   * @param disconnected Whether it was disconnected before.
   */
  constructor(connection: string, available: readonly string[], disconnected: boolean) {
    const why = disconnected ? "it was already disconnected" : "no connection has this id";
    super(
      `Cannot find connection '${quote(connection)}': ${why}, available connections: ${
        list(available)
      }`,
    );
    this.name = "ConnectionNotFoundError";
    this.connection = quote(connection);
    this.available = available;
    this.disconnected = disconnected;
  }
}

/**
 * Thrown when connecting into an input that already has a connection (inputs take one).
 *
 * @example Read the existing connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { DestinationOccupiedError } from "./errors.ts";
 *
 * const error = new DestinationOccupiedError("gain_1.out", "sink_1.in", "conn_1", "tone_1.audio");
 * assert.equal(error.existing, "conn_1");
 * ```
 */
export class DestinationOccupiedError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "input_occupied";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      from: this.from,
      to: this.to,
      existing: this.existing,
      existingFrom: this.existingFrom,
    };
  }
  /** `node.port` of the output being connected. */
  readonly from: string;
  /** `node.port` of the occupied input. */
  readonly to: string;
  /** The id of the connection the input already has. */
  readonly existing: string;
  /** `node.port` of the output that connection comes from. */
  readonly existingFrom: string;

  /**
   * Creates the error.
   *
   * @param from The output being connected.
   * @param to The occupied input.
   * @param existing The existing connection's id.
   * @param existingFrom The existing connection's output.
   */
  constructor(from: string, to: string, existing: string, existingFrom: string) {
    super(
      `Cannot connect '${from}' to '${to}': the input already has connection '${existing}' from '${existingFrom}', disconnect it first`,
    );
    this.name = "DestinationOccupiedError";
    this.from = from;
    this.to = to;
    this.existing = existing;
    this.existingFrom = existingFrom;
  }
}

/**
 * Thrown when an input is given where an output is expected, or the reverse.
 *
 * @example An input as the source of a connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { PortDirectionError } from "./errors.ts";
 *
 * assert.equal(
 *   new PortDirectionError("mix_1.in_0", "output").message,
 *   "Cannot connect from 'mix_1.in_0': it is an input, expected an output",
 * );
 * ```
 */
export class PortDirectionError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "wrong_port_direction";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { port: this.port, expected: this.expected };
  }
  /** `node.port` of the port. */
  readonly port: string;
  /** The direction that was expected. */
  readonly expected: "input" | "output";

  /**
   * Creates the error.
   *
   * @param port `node.port`.
   * @param expected The direction that was expected.
   */
  constructor(port: string, expected: "input" | "output") {
    const actual = expected === "output" ? "input" : "output";
    const side = expected === "output" ? "from" : "to";
    super(`Cannot connect ${side} '${port}': it is an ${actual}, expected an ${expected}`);
    this.name = "PortDirectionError";
    this.port = port;
    this.expected = expected;
  }
}

/**
 * Thrown when a connection would close a cycle (graphs are acyclic).
 *
 * @example Read the cycle
 * ```ts
 * import assert from "node:assert/strict";
 * import { CycleError } from "./errors.ts";
 *
 * const error = new CycleError(["b.out", "a.in", "a.out", "b.in"]);
 * assert.equal(
 *   error.message,
 *   "Cannot connect 'b.out' to 'a.in': it would close a cycle: b.out -> a.in -> a.out -> b.in",
 * );
 * ```
 */
export class CycleError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "cycle";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { path: [...this.path] };
  }
  /**
   * The ports around the cycle: the new connection's output and input, then each existing
   * connection's output and input back to the first node.
   */
  readonly path: readonly string[];

  /**
   * Creates the error.
   *
   * @param path `node.port` of each port around the cycle, the new connection first.
   */
  constructor(path: readonly string[]) {
    super(
      `Cannot connect '${path[0]}' to '${path[1]}': it would close a cycle: ${path.join(" -> ")}`,
    );
    this.name = "CycleError";
    this.path = path;
  }
}

/**
 * Thrown when a connection's capacity or policy is invalid.
 *
 * @example A zero capacity
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionOptionsError } from "./errors.ts";
 *
 * const error = new ConnectionOptionsError("a.out", "b.in", "capacity must be at least 1", "capacity");
 * assert.ok(error instanceof RangeError);
 * ```
 */
export class ConnectionOptionsError extends RangeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "invalid_connection_options";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      from: this.from,
      to: this.to,
      field: this.field,
      problem: this.problem,
      ...(this.field === "policy" ? { available: ["fifo", "latest"] } : {}),
    };
  }
  /** `node.port` of the output. */
  readonly from: string;
  /** `node.port` of the input. */
  readonly to: string;
  /** The option that is wrong: `capacity` or `policy`. */
  readonly field: "capacity" | "policy";
  /** What is wrong. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param from The output.
   * @param to The input.
   * @param problem What is wrong.
   * @param field The option that is wrong.
   */
  constructor(from: string, to: string, problem: string, field: "capacity" | "policy") {
    super(`Cannot connect '${from}' to '${to}': ${problem}`);
    this.name = "ConnectionOptionsError";
    this.from = from;
    this.to = to;
    this.field = field;
    this.problem = problem;
  }
}
