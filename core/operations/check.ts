/**
 * Checking an operation's request against its schema (`operation_schemas.ts`) the one way every
 * front-end does: the control API for its bodies, MCP for its tool arguments, and
 * `validateManifest()` for each node and connection. The same bad input gives the same issues:
 * the same code (`unknown_field`, `missing_field`, `invalid_field`), the same field and the same
 * valid choices.
 *
 * @module
 */

import { ConfigValidationError, validateConfig } from "../config/validation.ts";
import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { JsonSchema, JsonValue } from "../schema/json_schema.ts";
import { nearMatches } from "../errors/near_matches.ts";
import { expectedWords } from "./schemas.ts";

/** The codes of a request that does not match its operation's schema. */
export type OperationIssueCode = "unknown_field" | "missing_field" | "invalid_field";

/**
 * One problem of an operation's request.
 *
 * @example An unknown field
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA } from "./schemas.ts";
 * import { operationIssues } from "./check.ts";
 *
 * const [issue] = operationIssues(CONNECT_SCHEMA, { from: "a.out", to: "b.in", polcy: "fifo" });
 * assert.equal(issue.code, "unknown_field");
 * assert.equal(issue.field, "polcy");
 * assert.deepEqual(issue.suggestions, ["policy"]);
 * ```
 */
export interface OperationIssue {
  /** What kind of problem. */
  readonly code: OperationIssueCode;
  /** The request's field (`capacity`, `from`); `""` for the request itself. */
  readonly field: string;
  /** What is wrong, in words, without the field: `must be an integer from 1 to 16777216, got 0`. */
  readonly problem: string;
  /**
   * The valid values: the operation's fields for `unknown_field`, an enum's values for
   * `invalid_field`.
   */
  readonly choices?: readonly string[];
  /** For `unknown_field`: the known fields near its name, nearest first. */
  readonly suggestions?: readonly string[];
}

/**
 * The problems of a request against its operation's schema: its own fields only (what is inside
 * a config is its processor's schema to judge, `invalid_config`). Unknown fields come first, since
 * a misspelt field usually explains a missing one; then the rest in field order.
 *
 * @param schema The operation's schema.
 * @param request The request (a body, tool arguments, a manifest entry).
 * @returns The issues; empty when it matches.
 *
 * @example A misspelt port end
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONNECT_SCHEMA } from "./schemas.ts";
 * import { operationIssues } from "./check.ts";
 *
 * const issues = operationIssues(CONNECT_SCHEMA, { from: "tone", to: "mix.in_0", capacity: 0 });
 * assert.deepEqual(issues.map((i) => [i.code, i.field]), [
 *   ["invalid_field", "from"],
 *   ["invalid_field", "capacity"],
 * ]);
 * assert.equal(issues[0].problem, 'must be "node.port" (a node id, a dot, a port name), got "tone"');
 * ```
 */
export function operationIssues(schema: JsonSchema, request: unknown): OperationIssue[] {
  try {
    validateConfig(schema, request ?? {}, "request");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const known = Object.keys(schema.properties ?? {});
    // The request's own fields: not those inside one of its known fields (`config.gain`,
    // `items[2]`). A field the request named itself may hold a dot or, quoted, an ellipsis.
    const inside = (field: string) =>
      known.some((name) => field.startsWith(`${name}.`) || field.startsWith(`${name}[`));
    const own = error.issues.filter((issue) => !inside(issue.field));
    const issues = own.map((issue): OperationIssue => {
      if (issue.reason === "missing") {
        return {
          code: "missing_field",
          field: issue.field,
          problem: `is missing: expected ${expected(schema, issue.field, issue.expected)}`,
        };
      }
      if (issue.reason === "unknown") {
        const suggestions = nearMatches(issue.field, known, 1);
        const hint = suggestions.length > 0 ? `did you mean '${suggestions[0]}'? ` : "";
        const listing = known.length > 0 ? `known fields are ${known.join(", ")}` : "it takes none";
        return {
          code: "unknown_field",
          field: issue.field,
          problem: `is not a field of this operation: ${hint}${listing}`,
          choices: known,
          suggestions,
        };
      }
      return {
        code: "invalid_field",
        field: issue.field,
        problem: `must be ${expected(schema, issue.field, issue.expected)}, got ${issue.actual}`,
        ...(issue.choices ? { choices: issue.choices } : {}),
      };
    });
    return [
      ...issues.filter((i) => i.code === "unknown_field"),
      ...issues.filter((i) => i.code !== "unknown_field"),
    ];
  }
}

/** What a field expects, in words: the operation's own words for it, else the schema's. */
function expected(schema: JsonSchema, field: string, words: string): string {
  return expectedWords(schema.properties?.[field]) ?? words;
}

/**
 * Thrown when a request does not match its operation's schema. `code`, `details.field` and
 * `details.available` are those of the first issue ({@linkcode operationIssues} order); every
 * issue is in `issues`.
 *
 * @example The first issue names the error
 * ```ts
 * import assert from "node:assert/strict";
 * import { OperationError } from "./check.ts";
 *
 * const error = new OperationError("connect", [
 *   { code: "invalid_field", field: "policy", problem: 'must be one of "fifo", "latest", got "lifo"', choices: ["fifo", "latest"] },
 * ]);
 * assert.equal(error.code, "invalid_field");
 * assert.equal(error.message, "Cannot connect: 'policy' must be one of \"fifo\", \"latest\", got \"lifo\"");
 * assert.deepEqual(error.details.available, ["fifo", "latest"]);
 * ```
 */
export class OperationError extends TypeError {
  /** Stable machine code: the first issue's. */
  readonly code: ErrorCode;
  /** The operation (`add`, `connect`, a tool's name). */
  readonly operation: string;
  /** Every problem, unknown fields first. */
  readonly issues: readonly OperationIssue[];

  /** The operation, the first bad field (`field`), its valid alternatives (`available`), every issue. */
  get details(): ErrorDetails {
    const [first] = this.issues;
    return {
      operation: this.operation,
      field: first.field,
      ...(first.choices ? { available: [...first.choices] } : {}),
      issues: this.issues.map((i) => ({
        code: i.code,
        field: i.field,
        problem: i.problem,
        ...(i.choices ? { choices: [...i.choices] } : {}),
      })) as JsonValue,
    };
  }

  /**
   * Creates the error.
   *
   * @param operation The operation.
   * @param issues The problems, at least one.
   */
  constructor(operation: string, issues: readonly OperationIssue[]) {
    const [first] = issues;
    const where = first.field === "" ? "the request" : `'${first.field}'`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`Cannot ${operation}: ${where} ${first.problem}${more}`);
    this.name = "OperationError";
    this.code = first.code;
    this.operation = operation;
    this.issues = issues;
  }
}

/**
 * Checks a request against its operation's schema and returns it with the schema's defaults
 * filled in.
 *
 * @param schema The operation's schema.
 * @param request The request.
 * @param operation The operation's name, for the message.
 * @returns The request with defaults.
 * @throws {OperationError} When it does not match, naming every bad field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ADD_NODE_SCHEMA } from "./schemas.ts";
 * import { checkOperation, OperationError } from "./check.ts";
 *
 * assert.deepEqual(checkOperation(ADD_NODE_SCHEMA, { type: "Gain" }, "add"), { type: "Gain" });
 * assert.throws(() => checkOperation(ADD_NODE_SCHEMA, {}, "add"), OperationError);
 * ```
 */
export function checkOperation(
  schema: JsonSchema,
  request: unknown,
  operation: string,
): Record<string, JsonValue> {
  const issues = operationIssues(schema, request);
  if (issues.length > 0) throw new OperationError(operation, issues);
  const checked = { ...(request ?? {}) as Record<string, JsonValue> };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (!Object.hasOwn(checked, name) && field.default !== undefined) checked[name] = field.default;
  }
  return checked;
}
