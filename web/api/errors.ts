/**
 * Typed API errors, and the mapping of the runtime's typed errors onto HTTP statuses.
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
  ERROR_POLICIES,
  InvalidNodeIdError,
  type JsonValue,
  NodeNotFoundError,
  NodeOptionsError,
  NotReconfigurableError,
  PlacementUnavailableError,
  PortDirectionError,
  PortNotFoundError,
  PortTypeMismatchError,
  ProcessorNotFoundError,
  RuntimeStateError,
} from "../../mod.ts";
import type { ApiErrorBody } from "../shared/protocol.ts";

/**
 * What an {@linkcode ApiError} carries besides its status, code and message.
 *
 * @example Name the offending field and the valid choices
 * ```ts
 * import { ApiError, type ApiErrorFields } from "@streamlib/streamlib/web";
 *
 * const fields: ApiErrorFields = { field: "config.waveform", choices: ["sine", "square"] };
 * const message = `Cannot configure 'TestToneGenerator': config field 'waveform' must be one of "sine", "square", got "saw"`;
 * const error = new ApiError(422, "invalid_config", message, fields);
 * const { field, choices } = error.body().error;
 * console.log(field, choices); // config.waveform [ "sine", "square" ]
 * ```
 */
export interface ApiErrorFields {
  /** The offending request field. */
  readonly field?: string;
  /** The valid choices. */
  readonly choices?: readonly string[];
  /** More structured detail. */
  readonly details?: JsonValue;
}

/**
 * An error the API answers with a JSON body: `{ "error": { status, code, message, field?,
 * choices?, details? } }`.
 *
 * @example A 400 naming the field
 * ```ts
 * import { ApiError } from "./errors.ts";
 *
 * const error = new ApiError(400, "invalid_field", "Cannot connect: 'policy' must be one of fifo, latest", {
 *   field: "policy",
 *   choices: ["fifo", "latest"],
 * });
 * console.log(error.body().error.field); // policy
 * ```
 */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** A stable machine-readable code. */
  readonly code: string;
  /** Field, choices and details. */
  readonly fields: ApiErrorFields;

  /**
   * Creates the error.
   *
   * @param status The HTTP status (4xx, or 500 for bugs).
   * @param code A stable machine-readable code.
   * @param message A sentence saying what is wrong and what is valid.
   * @param fields The offending field, the valid choices, details.
   */
  constructor(status: number, code: string, message: string, fields: ApiErrorFields = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  /**
   * The JSON body of the response.
   *
   * @returns The body.
   */
  body(): ApiErrorBody {
    const { field, choices, details } = this.fields;
    return {
      error: {
        status: this.status,
        code: this.code,
        message: this.message,
        ...(field !== undefined ? { field } : {}),
        ...(choices !== undefined ? { choices } : {}),
        ...(details !== undefined ? { details } : {}),
      },
    };
  }
}

/** Which request field named which node, so runtime errors can point at the right one. */
export interface ErrorContext {
  /** The field that named the output's node (`from`). */
  readonly fromNode?: string;
  /** The field that named the input's node (`to`). */
  readonly toNode?: string;
  /** The config schema, to list the choices of an enum field. */
  readonly configSchema?: { readonly properties?: Record<string, { enum?: readonly JsonValue[] }> };
}

/**
 * Turns anything thrown by a route into an {@linkcode ApiError}: the runtime's typed errors
 * become 4xx with the field and the valid choices; anything else is a 500 (a bug, reported).
 *
 * @param error What was thrown.
 * @param context Which request fields named which nodes.
 * @returns The API error.
 */
export function toApiError(error: unknown, context: ErrorContext = {}): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const endField = (node: string) =>
    node === context.fromNode ? "from" : node === context.toNode ? "to" : undefined;
  if (error instanceof ProcessorNotFoundError) {
    return new ApiError(422, "unknown_processor", message, {
      field: "processor",
      choices: error.available,
    });
  }
  if (error instanceof ConfigValidationError) {
    const first = error.issues[0];
    const leaf = first.field.split(/[.[]/)[0];
    const options = context.configSchema?.properties?.[leaf]?.enum;
    return new ApiError(422, "invalid_config", message, {
      field: first.field === "" ? "config" : `config.${first.field}`,
      ...(options ? { choices: options.map(String) } : {}),
      details: error.issues.map((i) => ({ ...i })),
    });
  }
  if (error instanceof InvalidNodeIdError) {
    return error.reason === "taken"
      ? new ApiError(409, "node_id_taken", message, { field: "id" })
      : new ApiError(400, "invalid_field", message, { field: "id" });
  }
  if (error instanceof NodeOptionsError) {
    const field = /^(\w+)/.exec(error.problem)?.[1] ?? "options";
    const choices = field === "onError" ? ERROR_POLICIES : undefined;
    return new ApiError(422, "invalid_node_options", message, {
      field: field === "expected" || field === "worker" ? "placement" : field,
      ...(choices ? { choices } : {}),
    });
  }
  if (error instanceof PlacementUnavailableError) {
    return new ApiError(422, "placement_unavailable", message, {
      field: "placement",
      choices: ["main", ...error.available],
    });
  }
  if (error instanceof NodeNotFoundError) {
    const field = endField(error.node);
    return field
      ? new ApiError(422, "node_not_found", message, { field, choices: error.available })
      : new ApiError(404, "node_not_found", message, { choices: error.available });
  }
  if (error instanceof PortNotFoundError) {
    return new ApiError(422, "port_not_found", message, {
      field: error.direction === "output" ? "from" : "to",
      choices: error.available,
    });
  }
  if (error instanceof PortDirectionError) {
    return new ApiError(422, "wrong_direction", message, {
      field: error.expected === "output" ? "from" : "to",
    });
  }
  if (error instanceof PortTypeMismatchError) {
    return new ApiError(422, "port_type_mismatch", message, {
      field: "to",
      details: { outputType: error.outputType, inputType: error.inputType },
    });
  }
  if (error instanceof DestinationOccupiedError) {
    return new ApiError(409, "input_occupied", message, {
      field: "to",
      details: { existing: error.existing, existingFrom: error.existingFrom },
    });
  }
  if (error instanceof CycleError) {
    return new ApiError(409, "cycle", message, { field: "to", details: [...error.path] });
  }
  if (error instanceof ConnectionOptionsError) {
    const field = message.includes("policy") ? "policy" : "capacity";
    return new ApiError(400, "invalid_field", message, {
      field,
      ...(field === "policy" ? { choices: ["fifo", "latest"] } : {}),
    });
  }
  if (error instanceof ConnectionNotFoundError) {
    return new ApiError(404, "connection_not_found", message, { choices: error.available });
  }
  if (error instanceof RuntimeStateError) {
    return new ApiError(409, "invalid_state", message, {
      details: { state: error.state, allowed: [...error.allowed] },
    });
  }
  if (error instanceof ConfigLockedError) {
    return new ApiError(409, "recording_lock", message, {
      field: `config.${error.fields[0]}`,
      choices: error.live,
      details: { locked: [...error.fields], state: error.state },
    });
  }
  if (error instanceof NotReconfigurableError) {
    return new ApiError(409, "not_reconfigurable", message, {
      details: { isolate: error.isolate },
    });
  }
  reportError(error);
  return new ApiError(500, "internal_error", `Internal error: ${message}`);
}
