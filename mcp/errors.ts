/**
 * Errors as tool results: every failure of a tool becomes a result with `isError: true`, a text
 * an agent can act on (what was wrong, what is valid, which tool to call next) and the same as
 * structured content with a stable `code`.
 *
 * @module
 */

import {
  ConfigLockedError,
  ConfigValidationError,
  ConnectionNotFoundError,
  ConnectionOptionsError,
  CycleError,
  DestinationOccupiedError,
  InvalidNodeIdError,
  type JsonValue,
  ManifestError,
  nearMatches,
  NodeNotFoundError,
  NodeOptionsError,
  NotReconfigurableError,
  PlacementUnavailableError,
  PortDirectionError,
  PortNotFoundError,
  PortTypeMismatchError,
  ProcessorNotFoundError,
  RuntimeStateError,
} from "../mod.ts";
import { ToolArgumentsError } from "./arguments.ts";

/**
 * Thrown (and answered as a tool result) when a client calls a tool the server does not have.
 *
 * @example Near matches come first
 * ```ts
 * import { UnknownToolError } from "@streamlib/streamlib/mcp";
 *
 * console.log(new UnknownToolError("conect", ["connect", "disconnect", "start"]).message);
 * // Unknown tool 'conect': did you mean connect? available tools: connect, disconnect, start
 * ```
 */
export class UnknownToolError extends Error {
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
    super(`Unknown tool '${tool}': ${hint}available tools: ${available.join(", ")}`);
    this.name = "UnknownToolError";
    this.tool = tool;
    this.available = available;
    this.nearMatches = near;
  }
}

/**
 * A failed tool call, as the server reports it (`structuredContent.error` of the result).
 *
 * @example The failure of an unknown processor type
 * ```ts
 * import { type ToolFailure, toolFailure } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * let failure: ToolFailure | undefined;
 * try {
 *   createRuntime().add("AudioMixr");
 * } catch (error) {
 *   failure = toolFailure(error);
 * }
 * console.log(failure?.code, failure?.details.nearMatches); // unknown_processor_type [ "AudioMixer" ]
 * ```
 */
export interface ToolFailure {
  /** A stable machine-readable code (`port_not_found`). */
  readonly code: string;
  /** What was wrong and what is valid. */
  readonly message: string;
  /** What to do next, naming a tool when one helps. */
  readonly hint?: string;
  /** The error's structured fields (the offending name, the valid choices). */
  readonly details: { readonly [key: string]: JsonValue };
}

type Mapping = [new (...args: never[]) => Error, (e: never) => Omit<ToolFailure, "message">];

const MAPPINGS: Mapping[] = [
  [ToolArgumentsError, (e: ToolArgumentsError) => ({
    code: "invalid_arguments",
    hint: "Check the tool's input schema (tools/list) and call it again",
    details: { tool: e.tool, issues: e.issues.map((i) => ({ ...i })) },
  })],
  [UnknownToolError, (e: UnknownToolError) => ({
    code: "unknown_tool",
    details: { tool: e.tool, nearMatches: [...e.nearMatches], available: [...e.available] },
  })],
  [ProcessorNotFoundError, (e: ProcessorNotFoundError) => ({
    code: "unknown_processor_type",
    hint: "Call list_processors for every type and describe_processor for one",
    details: {
      type: e.processor,
      nearMatches: [...e.nearMatches],
      available: [...e.available],
    },
  })],
  [NodeNotFoundError, (e: NodeNotFoundError) => ({
    code: "unknown_processor_id",
    hint: "Call get_graph for the ids of the processors in the graph",
    details: {
      id: e.node,
      removed: e.removed,
      nearMatches: nearMatches(e.node, e.available),
      available: [...e.available],
    },
  })],
  [PortNotFoundError, (e: PortNotFoundError) => ({
    code: "port_not_found",
    hint: `Call get_graph or describe_processor for the ports of '${e.processor}'`,
    details: {
      processor: e.processor,
      port: e.port,
      direction: e.direction,
      nearMatches: nearMatches(e.port, e.available),
      available: [...e.available],
    },
  })],
  [PortDirectionError, (e: PortDirectionError) => ({
    code: "wrong_port_direction",
    hint: "A connection goes from an output (source) to an input (destination)",
    details: { port: e.port, expected: e.expected },
  })],
  [PortTypeMismatchError, (e: PortTypeMismatchError) => ({
    code: "port_type_mismatch",
    hint: "Pick ports with matching frame types (describe_processor), or convert between them",
    details: { from: e.from, to: e.to, outputType: e.outputType, inputType: e.inputType },
  })],
  [DestinationOccupiedError, (e: DestinationOccupiedError) => ({
    code: "destination_occupied",
    hint: `An input takes one connection: disconnect '${e.existing}' first, or use another input`,
    details: { from: e.from, to: e.to, existing: e.existing, existingFrom: e.existingFrom },
  })],
  [CycleError, (e: CycleError) => ({
    code: "cycle",
    hint: "The graph must stay acyclic: connect to a processor that is not upstream",
    details: { path: [...e.path] },
  })],
  [ConnectionNotFoundError, (e: ConnectionNotFoundError) => ({
    code: "connection_not_found",
    hint: "Call get_graph for the ids of the connections",
    details: {
      connection: e.connection,
      disconnected: e.disconnected,
      available: [...e.available],
    },
  })],
  [ConnectionOptionsError, (e: ConnectionOptionsError) => ({
    code: "invalid_connection_options",
    details: { from: e.from, to: e.to },
  })],
  [InvalidNodeIdError, (e: InvalidNodeIdError) => ({
    code: e.reason === "taken" ? "id_taken" : "invalid_id",
    hint: e.reason === "taken"
      ? "Choose another id, or leave 'id' out to get a generated one"
      : "An id is a letter or '_' followed by letters, digits, '_' or '-'",
    details: { id: e.node, reason: e.reason },
  })],
  [NodeOptionsError, (e: NodeOptionsError) => ({
    code: "invalid_processor_options",
    details: { id: e.node, problem: e.problem },
  })],
  [PlacementUnavailableError, (e: PlacementUnavailableError) => ({
    code: "placement_unavailable",
    hint: "Leave 'placement' out (or use \"main\"): this server has no Worker hosts",
    details: { id: e.node, placement: e.placement, available: [...e.available] },
  })],
  [ConfigValidationError, (e: ConfigValidationError) => ({
    code: "invalid_config",
    hint: `Call describe_processor with type '${e.processor}' for its config schema`,
    details: { type: e.processor, issues: e.issues.map((i) => ({ ...i })) },
  })],
  [RuntimeStateError, (e: RuntimeStateError) => ({
    code: "invalid_state",
    hint: `The runtime is ${e.state}; this needs ${e.allowed.join(" or ")}`,
    details: { action: e.action, state: e.state, allowed: [...e.allowed] },
  })],
  [ConfigLockedError, (e: ConfigLockedError) => ({
    code: "config_locked_while_running",
    hint: "Call pause (or stop), then set_config, then resume",
    details: { id: e.node, state: e.state, fields: [...e.fields], live: [...e.live] },
  })],
  [NotReconfigurableError, (e: NotReconfigurableError) => ({
    code: "not_reconfigurable",
    hint: "Call remove_processor, then add_processor with the new config, then connect it again",
    details: { id: e.node, isolate: e.isolate },
  })],
  [ManifestError, (e: ManifestError) => ({
    code: "invalid_manifest",
    hint: "Fix every issue listed in details.issues and load it again",
    details: { issues: e.issues.map((i) => ({ ...i } as unknown as JsonValue)) },
  })],
];

/**
 * Turns anything a tool threw into a {@linkcode ToolFailure}. The runtime's typed errors keep
 * their message and carry their fields (with near matches for misspelled names) and a hint;
 * file errors become `file_error`; anything else is an `internal_error` (a bug in streamlib or
 * a processor, never the agent's fault) whose message is kept.
 *
 * @param error What the tool threw.
 * @returns The failure.
 *
 * @example A misspelled port
 * ```ts
 * import { toolFailure } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("AudioMixer", {}, { id: "mixer_1" });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * try {
 *   rt.connectByName("tone", "audio", "mixer_1", "in0");
 * } catch (error) {
 *   const failure = toolFailure(error);
 *   console.log(failure.code, failure.details.nearMatches); // port_not_found [ "in_0", "in_1", "in_2" ]
 *   console.log(failure.message);
 *   // Cannot find input 'in0' on 'mixer_1': available inputs: in_0, in_1, in_2, in_3, in_4, in_5, in_6, in_7
 * }
 * ```
 */
export function toolFailure(error: unknown): ToolFailure {
  if (!(error instanceof Error)) {
    return { code: "internal_error", message: String(error), details: {} };
  }
  for (const [type, map] of MAPPINGS) {
    if (error instanceof type) return { message: error.message, ...map(error as never) };
  }
  if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
    return {
      code: "file_error",
      message: error.message,
      hint: "Paths are resolved against the server's working directory",
      details: { name: error.name },
    };
  }
  return {
    code: "internal_error",
    message: `${error.name}: ${error.message}`,
    details: { name: error.name },
  };
}

/**
 * The text an agent reads for a failure: the message, then the hint on its own line.
 *
 * @param failure The failure.
 * @returns The text.
 *
 * @example Message and hint
 * ```ts
 * import { failureText } from "@streamlib/streamlib/mcp";
 *
 * console.log(failureText({ code: "invalid_state", message: "Cannot pause", hint: "Start first", details: {} }));
 * // Cannot pause
 * // Hint: Start first
 * ```
 */
export function failureText(failure: ToolFailure): string {
  return failure.hint ? `${failure.message}\nHint: ${failure.hint}` : failure.message;
}
