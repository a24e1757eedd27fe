/**
 * Errors as tool results: every failure of a tool becomes a result with `isError: true`, a text
 * an agent can act on (what was wrong, what is valid, which tool to call next) and the same as
 * structured content with a stable `code`.
 *
 * @module
 */

import {
  type ErrorCode,
  type ErrorDetails,
  hasRuntimeCode,
  isCodedError,
} from "../frontend/error_codes.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import { nearMatches } from "../core/errors/near_matches.ts";
import { quote } from "../core/errors/quote.ts";
import { type RequestEnds, requestField } from "../core/operations/request_field.ts";
import { ControlPolicyError } from "../frontend/control_policy.ts";

/**
 * Thrown (and answered as a tool result) when a client calls a tool the server does not have.
 *
 * @example Near matches come first
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnknownToolError } from "@streamlib/streamlib/mcp";
 *
 * assert.equal(
 *   new UnknownToolError("conect", ["connect", "disconnect", "start"]).message,
 *   "Unknown tool 'conect': did you mean connect? available tools: connect, disconnect, start",
 * );
 * ```
 */
export class UnknownToolError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "unknown_tool";
  /** The name called, its near matches and the tools there are (`available`). */
  get details(): ErrorDetails {
    return { tool: this.tool, nearMatches: [...this.nearMatches], available: [...this.available] };
  }
  /** The name that was called. */
  readonly tool: string;
  /** The server's tools. */
  readonly available: readonly string[];
  /** Tools close to the name, nearest first. */
  readonly nearMatches: readonly string[];

  /**
   * Creates the error.
   *
   * @param tool The unknown name.
   * @param available The tools there are.
   */
  constructor(tool: string, available: readonly string[]) {
    const near = nearMatches(tool, available);
    const hint = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
    super(`Unknown tool '${quote(tool)}': ${hint}available tools: ${available.join(", ")}`);
    this.name = "UnknownToolError";
    this.tool = tool;
    this.available = available;
    this.nearMatches = near;
  }
}

/**
 * A failed tool call, as the server reports it (`structuredContent.error` of the result).
 */
export interface ToolFailure {
  /** A stable machine-readable code (`port_not_found`), from the runtime's one table. */
  readonly code: ErrorCode;
  /** What was wrong and what is valid. */
  readonly message: string;
  /**
   * The argument at fault, named as the control API's error `field` names it and as a manifest
   * issue's path ends (`type`, `to`, `config.frequency`); absent when no one argument is.
   */
  readonly field?: string;
  /** What to do next, naming a tool when one helps. */
  readonly hint?: string;
  /** The error's structured fields (the offending name, the valid choices). */
  readonly details: { readonly [key: string]: JsonValue };
}

/** What to do next, by code: the MCP server's own addition to the runtime's contract. */
const HINTS: { readonly [code in ErrorCode]?: (details: ErrorDetails) => string } = {
  memory_budget_exceeded: (d) =>
    `Use smaller frames or capacities, or remove nodes (in use: ${d.usedBytes} of ${d.budgetBytes} bytes); the operator raises the budget with --memory-budget`,
  id_too_long: () => "Use a shorter id, or leave 'id' out to get a generated one",
  path_not_allowed: () =>
    "Use a path inside a media folder (details.available); the operator sets them with --media-dir",
  processor_not_allowed: () =>
    "Use a processor type the operator allowed (details.available); the operator sets them with --allow-processor",
  unknown_field: () => "Check the tool's input schema (tools/list) and call it again",
  missing_field: () => "Check the tool's input schema (tools/list) and call it again",
  invalid_field: () => "Check the tool's input schema (tools/list) and call it again",
  processor_not_found: () => "Call list_processors for every type and describe_processor for one",
  node_not_found: () => "Call get_graph for the ids of the processors in the graph",
  port_not_found: (d) => `Call get_graph or describe_processor for the ports of '${d.processor}'`,
  wrong_port_direction: () => "A connection goes from an output (from) to an input (to)",
  port_type_mismatch: () =>
    "Pick ports with matching frame types (describe_processor), or convert between them",
  input_occupied: (d) =>
    `An input takes one connection: disconnect '${d.existing}' first, or use another input`,
  cycle: () => "The graph must stay acyclic: connect to a processor that is not upstream",
  connection_not_found: () => "Call get_graph for the ids of the connections",
  node_id_taken: () => "Choose another id, or leave 'id' out to get a generated one",
  invalid_node_id: () => "An id is a letter or '_' followed by letters, digits, '_' or '-'",
  placement_unavailable: () =>
    "Leave 'placement' out (or use \"main\"): this server has no Worker hosts",
  invalid_config: (d) => `Call describe_processor with type '${d.processor}' for its config schema`,
  invalid_state: (d) =>
    `The runtime is ${d.state}; this needs ${(d.allowed as string[]).join(" or ")}` +
    (Array.isArray(d.available) && d.available.length > 0
      ? `; call ${d.available.join(" or ")} instead`
      : ""),
  config_locked: () => "Call pause (or stop), then set_config, then resume",
  not_reconfigurable: () =>
    "Call remove_processor, then add_processor with the new config, then connect it again",
  invalid_manifest: () => "Fix every issue listed in details.issues and load it again",
};

/**
 * Turns anything a tool threw into a {@linkcode ToolFailure}. A coded error (every typed error of
 * the runtime) passes its code, message and details through (with near matches for misspelled
 * names and the valid alternatives as `available`), plus a hint;
 * file errors become `file_error`; anything else is an `internal_error` (a bug in streamlib or
 * a processor, never the agent's fault) whose message is kept.
 *
 * @param error What the tool threw.
 * @param ends Which nodes the call's `from` and `to` named (for the `field` of `node_not_found`).
 * @param fileArgument The argument that named a file, the `field` of a `file_error` (`path`).
 * @returns The failure.
 *
 * @example A misspelled port
 * ```ts
 * import assert from "node:assert/strict";
 * import { toolFailure } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("AudioMixer", {}, { id: "mixer_1" });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * assert.throws(
 *   () => rt.connectByName("tone", "audio", "mixer_1", "in0"),
 *   (error) => {
 *     const failure = toolFailure(error);
 *     assert.equal(failure.code, "port_not_found");
 *     assert.deepEqual(failure.details.nearMatches, ["in_0", "in_1", "in_2"]);
 *     assert.equal(
 *       failure.message,
 *       "Cannot find input 'in0' on 'mixer_1': did you mean in_0 or in_1 or in_2? available inputs: in_0, in_1, in_2, in_3, in_4, in_5, in_6, in_7",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export function toolFailure(
  error: unknown,
  ends: RequestEnds = {},
  fileArgument?: string,
): ToolFailure {
  if (!(error instanceof Error)) {
    return { code: "internal_error", message: String(error), details: {} };
  }
  const coded = error instanceof ControlPolicyError
    ? {
      code: error.code,
      details: { field: error.field, available: [...error.allowed] } as ErrorDetails,
    }
    : isCodedError(error)
    ? error
    : undefined;
  if (coded) {
    const hint = HINTS[coded.code]?.(coded.details);
    const field = error instanceof ControlPolicyError
      ? error.field
      : isCodedError(error) && hasRuntimeCode(error)
      ? requestField(error, ends)
      : undefined;
    return {
      code: coded.code,
      message: boundedMessage(error.message),
      ...(field !== undefined ? { field } : {}),
      ...(hint ? { hint } : {}),
      details: bounded({ ...coded.details }, 0) as { [key: string]: JsonValue },
    };
  }
  if (isFileSystemError(error)) {
    const code = (error as { code?: unknown }).code;
    return {
      code: "file_error",
      message: boundedMessage(error.message),
      ...(fileArgument !== undefined ? { field: fileArgument } : {}),
      hint: "A path names a file (not a folder), resolved against the server's working directory",
      details: { name: error.name, ...(typeof code === "string" ? { errno: code } : {}) },
    };
  }
  return {
    code: "internal_error",
    message: boundedMessage(`${error.name}: ${error.message}`),
    details: { name: error.name },
  };
}

/** Longest message a failure carries whole (4 KiB); a longer one is cut, saying how much. */
export const MAX_FAILURE_MESSAGE_CHARS = 4096;

/** Longest string of a failure's details kept whole; a longer one is quoted in excerpt. */
const MAX_DETAIL_CHARS = 1024;

/**
 * The message, cut after {@linkcode MAX_FAILURE_MESSAGE_CHARS} characters: an error that quotes a
 * huge name whole (a 1 MB type or port) answers in kilobytes, not three times the request.
 */
function boundedMessage(message: string): string {
  if (message.length <= MAX_FAILURE_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_FAILURE_MESSAGE_CHARS)}... (${
    message.length - MAX_FAILURE_MESSAGE_CHARS
  } more characters)`;
}

/** Details with every string longer than {@linkcode MAX_DETAIL_CHARS} quoted in excerpt. */
function bounded(value: JsonValue, depth: number): JsonValue {
  if (typeof value === "string") return value.length > MAX_DETAIL_CHARS ? quote(value) : value;
  if (typeof value !== "object" || value === null || depth > 16) return value;
  if (Array.isArray(value)) return value.map((v) => bounded(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map((
      [k, v],
    ) => [k.length > MAX_DETAIL_CHARS ? quote(k) : k, bounded(v as JsonValue, depth + 1)]),
  );
}

/** Deno's classes of file system errors. */
const FILE_SYSTEM_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.NotCapable,
  Deno.errors.AlreadyExists,
  Deno.errors.IsADirectory,
  Deno.errors.NotADirectory,
  Deno.errors.FilesystemLoop,
];

/**
 * Whether an error is the file system's: one of Deno's classes for it, or an OS error that has no
 * class of its own (`ENOSPC` on a full disk, `EROFS`, ...), which Deno throws as an `Error` with
 * the errno name as `code`.
 */
function isFileSystemError(error: Error): boolean {
  if (FILE_SYSTEM_ERRORS.some((kind) => error instanceof kind)) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) &&
    /\(os error \d+\)/.test(error.message);
}

/**
 * The text an agent reads for a failure: the message, then the hint on its own line.
 *
 * @param failure The failure.
 * @returns The text.
 *
 * @example Message and hint
 * ```ts
 * import assert from "node:assert/strict";
 * import { failureText } from "@streamlib/streamlib/mcp";
 *
 * assert.equal(
 *   failureText({ code: "invalid_state", message: "Cannot pause", hint: "Start first", details: {} }),
 *   "Cannot pause\nHint: Start first",
 * );
 * ```
 */
export function failureText(failure: ToolFailure): string {
  return failure.hint ? `${failure.message}\nHint: ${failure.hint}` : failure.message;
}
