/**
 * Checking a tool call's arguments against the tool's JSON input schema, with messages that name
 * the argument, what it must be and what was given.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../frontend/error_codes.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import { checkOperation, OperationError } from "../core/operations/check.ts";
import type { McpTool } from "./tool.ts";

/**
 * One problem with a tool call's arguments.
 *
 * @example Read the issues of a failed check
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ArgumentIssue, checkArguments, TOOLS, ToolArgumentsError } from "@streamlib/streamlib/mcp";
 *
 * const connect = TOOLS.find((t) => t.name === "connect")!;
 * let issues: readonly ArgumentIssue[] = [];
 * try {
 *   checkArguments(connect, { from: "tone" });
 * } catch (error) {
 *   if (error instanceof ToolArgumentsError) issues = error.issues;
 * }
 * assert.deepEqual(issues.map((i) => i.argument), ["from", "to"]);
 * ```
 */
export interface ArgumentIssue {
  /** The argument's path (`capacity`, `config.frequency`); `""` for the arguments object. */
  readonly argument: string;
  /** What is wrong, in words: `must be an integer from 1 to 16777216, got 0`. */
  readonly problem: string;
  /** `missing`, `unknown` (not an argument of the tool) or `mismatch` (a wrong value). */
  readonly reason?: "missing" | "unknown" | "mismatch";
  /** The valid values: the tool's arguments for `unknown`, an enum's values for `mismatch`. */
  readonly choices?: readonly string[];
}

/**
 * Thrown when a tool call's arguments do not match the tool's input schema. The message names
 * the first bad argument; `issues` lists all of them.
 *
 * @example The message names the argument and what it must be
 * ```ts
 * import assert from "node:assert/strict";
 * import { ToolArgumentsError } from "@streamlib/streamlib/mcp";
 *
 * const error = new ToolArgumentsError("connect", [
 *   { argument: "policy", problem: 'must be one of "latest", "fifo", got "lifo"' },
 * ]);
 * assert.equal(
 *   error.message,
 *   "Invalid arguments for tool 'connect': 'policy' must be one of \"latest\", \"fifo\", got \"lifo\"",
 * );
 * ```
 */
export class ToolArgumentsError extends TypeError {
  /** Stable machine code: `missing_field`, `unknown_field` or `invalid_field`, by the first issue. */
  readonly code: ErrorCode;
  /** The tool's name. */
  readonly tool: string;
  /** Every problem, in argument order. */
  readonly issues: readonly ArgumentIssue[];

  /**
   * Creates the error.
   *
   * @param tool The tool's name.
   * @param issues The problems, at least one.
   */
  constructor(tool: string, issues: readonly ArgumentIssue[]) {
    const [first] = issues;
    const where = first.argument === "" ? "the arguments" : `'${first.argument}'`;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`Invalid arguments for tool '${tool}': ${where} ${first.problem}${more}`);
    this.name = "ToolArgumentsError";
    this.tool = tool;
    this.issues = issues;
    this.code = first.reason === "missing"
      ? "missing_field"
      : first.reason === "unknown"
      ? "unknown_field"
      : "invalid_field";
  }

  /** The tool, the first bad argument (`field`), its valid alternatives (`available`), every issue. */
  get details(): ErrorDetails {
    const [first] = this.issues;
    return {
      tool: this.tool,
      // A problem of the arguments as a whole names no one argument: no field.
      ...(first.argument === "" ? {} : { field: first.argument }),
      ...(first.choices ? { available: [...first.choices] } : {}),
      issues: this.issues.map((i) => ({
        argument: i.argument,
        problem: i.problem,
        ...(i.reason ? { reason: i.reason } : {}),
        ...(i.choices ? { choices: [...i.choices] } : {}),
      })),
    };
  }
}

/**
 * Checks `args` against `tool.inputSchema` and returns them with defaults filled in.
 *
 * @param tool The tool.
 * @param args The call's `arguments` (missing counts as `{}`).
 * @returns The checked arguments.
 * @throws {ToolArgumentsError} When they do not match, naming every bad argument.
 *
 * @example Reject a misspelled argument
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkArguments, TOOLS } from "@streamlib/streamlib/mcp";
 *
 * const remove = TOOLS.find((t) => t.name === "remove_processor")!;
 * assert.throws(
 *   () => checkArguments(remove, { idd: "tone" }),
 *   (error) => {
 *     assert.equal(
 *       (error as Error).message,
 *       "Invalid arguments for tool 'remove_processor': 'idd' is not an argument: did you mean 'id'? the arguments are id (and 1 more)",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export function checkArguments(tool: McpTool, args: unknown): Record<string, JsonValue> {
  // The check the control API and manifests use (core/operations/check.ts): the tool's own
  // arguments; what is inside one (a config's keys, a manifest) is for the runtime to judge,
  // with its own code (invalid_config, invalid_manifest), as the control API does.
  try {
    return checkOperation(tool.inputSchema, args, tool.name);
  } catch (error) {
    if (!(error instanceof OperationError)) throw error;
    throw new ToolArgumentsError(
      tool.name,
      error.issues.map((issue) => ({
        argument: issue.field,
        problem: issue.problem
          .replace(/^is not a field of this operation: /, "is not an argument: ")
          .replace(/known fields are /, "the arguments are "),
        reason: REASONS[issue.code],
        ...(issue.choices ? { choices: issue.choices } : {}),
      })),
    );
  }
}

const REASONS = {
  missing_field: "missing",
  unknown_field: "unknown",
  invalid_field: "mismatch",
} as const;
