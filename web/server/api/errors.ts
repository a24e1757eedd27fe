/**
 * Typed API errors, and the mapping of the runtime's typed errors onto HTTP statuses.
 *
 * @module
 */

import { type ErrorCode, hasRuntimeCode, isCodedError } from "../../../frontend/error_codes.ts";
import type { JsonValue } from "../../../core/schema/json_schema.ts";
import { type RequestEnds, requestField } from "../../../core/operations/request_field.ts";
import { ControlPolicyError } from "../../../frontend/control_policy.ts";
import type { ApiErrorBody } from "../../shared/protocol.ts";

/**
 * What an {@linkcode ApiError} carries besides its status, code and message.
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
 * import assert from "node:assert/strict";
 * import { ApiError } from "./errors.ts";
 *
 * const error = new ApiError(400, "invalid_field", "Cannot connect: 'policy' must be one of fifo, latest", {
 *   field: "policy",
 *   choices: ["fifo", "latest"],
 * });
 * assert.equal(error.body().error.field, "policy");
 * ```
 */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** A stable machine-readable code. */
  readonly code: ErrorCode;
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
  constructor(status: number, code: ErrorCode, message: string, fields: ApiErrorFields = {}) {
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

/**
 * The API error for a {@linkcode ControlPolicyError}: 403 `processor_not_allowed` or
 * `path_not_allowed` with the allowed types or folders as choices, 400 `id_too_long`; anything
 * else through {@linkcode toApiError}.
 *
 * @param error What the policy threw.
 * @returns The API error.
 */
export function policyError(error: unknown): ApiError {
  if (!(error instanceof ControlPolicyError)) return toApiError(error);
  return new ApiError(error.code === "id_too_long" ? 400 : 403, error.code, error.message, {
    field: error.field,
    ...(error.allowed.length > 0 ? { choices: error.allowed } : {}),
  });
}

/**
 * The HTTP status of every error code: the control API's one mapping of the runtime's contract.
 * `node_not_found` is 404 when the path names the node, 422 when a body field does.
 */
export const HTTP_STATUS: { readonly [code in ErrorCode]: number } = {
  processor_not_found: 422,
  duplicate_processor: 409,
  processor_not_loaded: 500,
  node_not_found: 404,
  node_id_taken: 409,
  invalid_node_id: 400,
  invalid_node_options: 422,
  invalid_argument: 400,
  placement_unavailable: 422,
  port_not_found: 422,
  wrong_port_direction: 422,
  port_type_mismatch: 422,
  input_occupied: 409,
  cycle: 409,
  invalid_connection_options: 400,
  connection_not_found: 404,
  port_already_connected: 409,
  probe_invalid: 400,
  probe_unsupported: 422,
  worker_wait_refused: 422,
  ports_not_bound: 500,
  invalid_config: 422,
  config_locked: 409,
  not_reconfigurable: 409,
  invalid_state: 409,
  loop_period_missing: 500,
  file_path_conflict: 409,
  frame_too_large: 413,
  memory_budget_exceeded: 409,
  frame_released: 500,
  invalid_frame_shape: 500,
  message_too_large: 413,
  app_port_not_found: 404,
  invalid_app_port: 422,
  app_frame_mismatch: 422,
  unknown_parameter: 422,
  invalid_parameter: 422,
  app_port_ended: 409,
  session_limit_reached: 503,
  session_idle_timeout: 408,
  session_too_long: 408,
  session_isolate_died: 500,
  session_processor_failed: 500,
  session_closed: 409,
  session_ended_by_operator: 409,
  session_not_found: 404,
  session_unresponsive: 504,
  configure_overrun: 429,
  server_shutting_down: 503,
  bare_decorator: 500,
  invalid_manifest: 422,
  plugin_not_regular_file: 422,
  plugin_import_failed: 422,
  plugin_no_registry: 422,
  too_deep: 400,
  malformed: 400,
  unconnected_required_input: 422,
  plugin_native_unsupported: 422,
  plugin_metadata_invalid: 422,
  plugin_folder_not_found: 422,
  plugin_duplicate: 409,
  plugin_runtime_too_old: 422,
  plugin_entry_invalid: 422,
  plugin_kind_unsupported: 422,
  plugin_load_failed: 422,
  plugin_processors_mismatch: 422,
  codegen_config_invalid: 422,
  codegen_folders_missing: 422,
  codegen_folder_not_found: 404,
  template_not_found: 404,
  template_name_invalid: 400,
  template_target_exists: 409,
  unknown_field: 400,
  missing_field: 400,
  invalid_field: 400,
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  body_incomplete: 400,
  body_timeout: 408,
  body_too_large: 413,
  unsupported_media_type: 415,
  upgrade_required: 426,
  wire_malformed: 400,
  wire_truncated: 400,
  wire_version: 400,
  wire_too_large: 413,
  pipeline_not_found: 404,
  webrtc_no_media_port: 422,
  grpc_invalid_message: 400,
  grpc_deadline_exceeded: 504,
  wire_unexpected: 400,
  input_overrun: 429,
  client_disconnected: 400,
  connection_failed: 502,
  connection_lost: 502,
  unknown_tool: 404,
  unknown_resource: 404,
  unknown_action: 404,
  file_error: 422,
  not_found: 404,
  method_not_allowed: 405,
  webrtc_invalid_offer: 400,
  webrtc_not_endpoint: 422,
  webrtc_endpoint_unavailable: 503,
  webrtc_session_not_found: 404,
  webrtc_too_many_peers: 503,
  webrtc_endpoint_taken: 409,
  webrtc_publish_failed: 502,
  webrtc_publish_refused: 502,
  network_endpoint_failed: 502,
  rtsp_peer_invalid: 502,
  resampler_rate_out_of_range: 422,
  resampler_too_many_channels: 422,
  aac_config_invalid: 422,
  aac_channels_unsupported: 422,
  aac_packet_corrupt: 422,
  model_not_found: 422,
  model_invalid: 422,
  model_mismatch: 422,
  inference_failed: 500,
  srt_audio_format: 422,
  child_process_failed: 502,
  child_protocol_error: 502,
  python_plugin_invalid: 422,
  gpu_unavailable: 503,
  gpu_device_lost: 500,
  gpu_not_ready: 500,
  gpu_worker_placement: 422,
  wgsl_invalid: 422,
  lut_invalid: 422,
  image_not_found: 422,
  image_invalid: 422,
  image_too_large: 422,
  image_unsupported: 422,
  display_unavailable: 503,
  sdl_unavailable: 503,
  window_surface_unavailable: 503,
  window_gpu_unavailable: 503,
  speaker_device_unavailable: 503,
  audio_library_missing: 500,
  aac_encoder_unavailable: 503,
  aac_encoder_config: 422,
  aac_adts_invalid: 422,
  encoded_audio_codec: 422,
  missing_token: 401,
  invalid_token: 401,
  forbidden_origin: 403,
  forbidden_host: 403,
  processor_not_allowed: 403,
  path_not_allowed: 403,
  id_too_long: 400,
  pipeline_not_allowed: 403,
  operation_not_allowed: 403,
  permission_denied: 403,
  internal_error: 500,
  plugin_ui_not_found: 404,
  plugin_ui_file_not_found: 404,
  plugin_ui_path_invalid: 400,
  plugin_ui_path_outside: 403,
};

/**
 * Turns anything thrown by a route into an {@linkcode ApiError}: a coded error (every typed
 * error of the runtime) gets the status of its code ({@linkcode HTTP_STATUS}), the request field
 * it points at (`requestField()`, as MCP names it), its valid alternatives (`details.available`)
 * as `choices`, and its details; anything else is a 500 (a bug, logged).
 *
 * @param error What was thrown.
 * @param context Which request fields named which nodes.
 * @returns The API error.
 */
export function toApiError(error: unknown, context: RequestEnds = {}): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ControlPolicyError) return policyError(error);
  const message = error instanceof Error ? error.message : String(error);
  if (isCodedError(error)) {
    const field = hasRuntimeCode(error) ? requestField(error, context) : undefined;
    const status = error.code === "node_not_found" && field !== undefined
      ? 422
      : HTTP_STATUS[error.code];
    const { available } = error.details;
    return new ApiError(status, error.code, message, {
      ...(field !== undefined ? { field } : {}),
      ...(Array.isArray(available) ? { choices: available.map(String) } : {}),
      details: { ...error.details },
    });
  }
  // Logged, never rethrown or passed to reportError(): an unexpected error is this request's
  // failure (a 500), not the process's.
  console.error(`streamlib: internal error: ${(error as Error)?.stack ?? message}`);
  return new ApiError(500, "internal_error", `Internal error: ${message}`);
}
