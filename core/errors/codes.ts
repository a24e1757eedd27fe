/**
 * The runtime's table of error codes: every typed error of the runtime, and the request codes
 * its one operation contract gives (`unknown_field`, `missing_field`, `invalid_field`, ...), is
 * named by one of these stable machine codes. The codes only front-ends give (HTTP bodies,
 * tokens, MCP tools) are in `frontend/error_codes.ts`, which merges both tables for the
 * front-ends. Front-ends map the code (the control API to an HTTP status) and pass it through;
 * none reads a message.
 *
 * @module
 */

import type { JsonValue } from "../schema/json_schema.ts";

/**
 * Every runtime error code, with what it means. Runtime codes come with their error class's
 * `code` field; request codes are given when a request itself is wrong (an operation's fields,
 * a manifest's shape).
 *
 * @example Look a code up
 * ```ts
 * import assert from "node:assert/strict";
 * import { ERROR_CODES } from "./codes.ts";
 *
 * assert.equal(ERROR_CODES.port_not_found.origin, "runtime");
 * assert.match(ERROR_CODES.port_not_found.meaning, /port/);
 * ```
 */
export const ERROR_CODES = {
  // Graph edits.
  processor_not_found: { origin: "runtime", meaning: "No processor of this name is registered" },
  duplicate_processor: { origin: "runtime", meaning: "Two definitions of one processor name" },
  processor_not_loaded: {
    origin: "runtime",
    meaning: "A registered processor's module failed to load or does not define it",
  },
  node_not_found: { origin: "runtime", meaning: "No node has this id (never added, or removed)" },
  node_id_taken: { origin: "runtime", meaning: "Another node has this id" },
  invalid_node_id: {
    origin: "runtime",
    meaning: "The id is not a letter or '_' then [A-Za-z0-9_-]",
  },
  invalid_node_options: {
    origin: "runtime",
    meaning: "A node's placement, onError or maxRestarts is invalid",
  },
  placement_unavailable: { origin: "runtime", meaning: "No isolate host for the asked placement" },
  port_not_found: {
    origin: "runtime",
    meaning: "The node has no port of this name in this direction",
  },
  wrong_port_direction: {
    origin: "runtime",
    meaning: "An input was given where an output is expected, or the reverse",
  },
  port_type_mismatch: {
    origin: "runtime",
    meaning: "The output's frame type does not fit the input's",
  },
  input_occupied: {
    origin: "runtime",
    meaning: "The input already has a connection (inputs take one)",
  },
  cycle: { origin: "runtime", meaning: "The connection would close a cycle" },
  invalid_connection_options: {
    origin: "runtime",
    meaning: "A connection's capacity or policy is invalid",
  },
  connection_not_found: { origin: "runtime", meaning: "No connection has this id" },
  port_already_connected: { origin: "runtime", meaning: "A port binding was connected twice" },
  ports_not_bound: { origin: "runtime", meaning: "A processor's ports were used before binding" },
  probe_invalid: {
    origin: "runtime",
    meaning: "A probe's port is not 'node.port', or its everyMs or transform is malformed",
  },
  probe_unsupported: {
    origin: "runtime",
    meaning: "The port's isolate host has no probe support (a host without the probes capability)",
  },
  worker_wait_refused: {
    origin: "runtime",
    meaning:
      'A node was placed on a Worker with wait: "block" but needs its event loop, or its Worker\'s other nodes wait otherwise',
  },
  // Config.
  invalid_config: { origin: "runtime", meaning: "A config does not match its processor's schema" },
  config_locked: {
    origin: "runtime",
    meaning: "The config fields cannot change in this state (only live fields can)",
  },
  not_reconfigurable: {
    origin: "runtime",
    meaning: "The node's isolate cannot change a config in place",
  },
  // Lifecycle and running.
  invalid_state: { origin: "runtime", meaning: "The runtime's state does not allow the call" },
  invalid_argument: {
    origin: "runtime",
    meaning: "A runtime method got an argument of the wrong kind (a listener, options)",
  },
  loop_period_missing: {
    origin: "runtime",
    meaning: "A loop processor's setup() declared no period",
  },
  file_path_conflict: {
    origin: "runtime",
    meaning: "Two writers on one file, or a writer on a file a source reads",
  },
  frame_too_large: { origin: "runtime", meaning: "A frame over the runtime's maxFrameBytes" },
  memory_budget_exceeded: {
    origin: "runtime",
    meaning: "The frames the graph would pin are over the runtime's memory budget",
  },
  frame_released: { origin: "runtime", meaning: "A released frame was used" },
  invalid_frame_shape: {
    origin: "runtime",
    meaning: "A frame was asked for with a size, format, codec or rate that no frame can have",
  },
  message_too_large: { origin: "runtime", meaning: "A cross-isolate message over its size limit" },
  // Application inputs and outputs, pipeline sessions.
  app_port_not_found: {
    origin: "runtime",
    meaning: "The graph has no application input or output of this name",
  },
  invalid_app_port: {
    origin: "runtime",
    meaning: "An application input or output name is malformed, taken, or names a bad port",
  },
  app_frame_mismatch: {
    origin: "runtime",
    meaning: "A frame sent does not fit its application input (kind, channels, shape)",
  },
  unknown_parameter: {
    origin: "request",
    meaning: "A parameter value names a parameter the pipeline does not declare",
  },
  invalid_parameter: {
    origin: "request",
    meaning: "A parameter value does not fit its config field, or a manifest declares a bad one",
  },
  app_port_ended: {
    origin: "runtime",
    meaning: "A frame was sent after the input's end() or after the graph stopped",
  },
  session_limit_reached: {
    origin: "runtime",
    meaning: "The runner already has its maximum of sessions open",
  },
  session_idle_timeout: {
    origin: "runtime",
    meaning: "A session sent and read nothing for its idle timeout",
  },
  session_too_long: { origin: "runtime", meaning: "A session ran past its maximum length" },
  session_isolate_died: {
    origin: "runtime",
    meaning: "A session's isolate crashed, was killed or stopped answering",
  },
  session_processor_failed: {
    origin: "runtime",
    meaning: "A processor of a session's graph threw, or ran past maxRunMs; the session ended",
  },
  session_closed: { origin: "runtime", meaning: "The session is closed or ended" },
  session_ended_by_operator: {
    origin: "runtime",
    meaning: "An operator ended the session (the dashboard's End, DELETE /v1/admin/sessions/:id)",
  },
  session_not_found: { origin: "request", meaning: "No open session has this id" },
  session_unresponsive: {
    origin: "runtime",
    meaning: "A session's isolate did not answer an inspection in time (its event loop is blocked)",
  },
  configure_overrun: {
    origin: "request",
    meaning:
      "A session client sent more parameter changes than the server holds before answering them (16); the session goes on",
  },
  server_shutting_down: {
    origin: "runtime",
    meaning: "The server is stopping: open sessions end with what they made, new ones are refused",
  },
  bare_decorator: { origin: "runtime", meaning: "A decorator was used without ()" },
  // Manifests.
  invalid_manifest: {
    origin: "runtime",
    meaning: "A manifest has problems (each listed in issues)",
  },
  plugin_not_regular_file: {
    origin: "runtime",
    meaning: "A manifest's local plugin entry is not a regular file (missing, a folder, a FIFO)",
  },
  plugin_import_failed: {
    origin: "runtime",
    meaning: "Importing a manifest's plugin module threw",
  },
  plugin_no_registry: {
    origin: "runtime",
    meaning: "A manifest's plugin module exports no registry",
  },
  too_deep: { origin: "request", meaning: "A manifest nests arrays and objects too deep" },
  malformed: { origin: "request", meaning: "A value has the wrong shape or type" },
  unconnected_required_input: {
    origin: "runtime",
    meaning: "A required input has no connection (a warning)",
  },
  plugin_native_unsupported: {
    origin: "runtime",
    meaning: "A manifest names a native plugin and the front-end loads no native code",
  },
  // Plugins: discovery, metadata, loading; templates (`streamlib new`).
  plugin_metadata_invalid: {
    origin: "runtime",
    meaning:
      "A streamlib.plugin.json (or a pluginFolders list) is missing, not JSON, or has a bad field",
  },
  plugin_folder_not_found: { origin: "runtime", meaning: "A listed plugin folder is not a folder" },
  plugin_duplicate: {
    origin: "runtime",
    meaning: "Two plugins in the plugin folders share a name",
  },
  plugin_runtime_too_old: {
    origin: "runtime",
    meaning: "A plugin's minRuntime is newer than this streamlib",
  },
  plugin_entry_invalid: {
    origin: "runtime",
    meaning:
      "A plugin's entry or UI module is missing, outside its folder, or not for this platform",
  },
  plugin_kind_unsupported: { origin: "runtime", meaning: "No loader for the plugin's kind" },
  plugin_load_failed: { origin: "runtime", meaning: "A plugin's code or library failed to load" },
  plugin_processors_mismatch: {
    origin: "runtime",
    meaning: "A plugin registers other processors than its metadata lists",
  },
  codegen_config_invalid: {
    origin: "runtime",
    meaning: "codegen cannot read the project's deno.json, or it is not JSON",
  },
  codegen_folders_missing: {
    origin: "runtime",
    meaning: "codegen has no folders to scan: none in deno.json, none given",
  },
  codegen_folder_not_found: {
    origin: "runtime",
    meaning: "A folder codegen should scan is not there",
  },
  template_not_found: { origin: "runtime", meaning: "No template of this kind" },
  template_name_invalid: { origin: "runtime", meaning: "The name is not valid for the template" },
  template_target_exists: {
    origin: "runtime",
    meaning: "The folder a template would write already exists",
  },
  // Requests.
  unknown_field: { origin: "request", meaning: "A request field the operation does not know" },
  missing_field: { origin: "request", meaning: "A required request field is missing" },
  invalid_field: { origin: "request", meaning: "A request field has an invalid value" },
  // WebRTC (WHEP playback, WHIP ingest).
  webrtc_invalid_offer: {
    origin: "request",
    meaning: "A WHEP/WHIP SDP offer that does not parse or has no usable media line",
  },
  webrtc_not_endpoint: {
    origin: "request",
    meaning:
      "The node is not a WebRTC endpoint of this kind (WhepSink for WHEP, WhipSource for WHIP)",
  },
  webrtc_endpoint_unavailable: {
    origin: "runtime",
    meaning: "The WebRTC node is not running, so it has no endpoint to answer offers",
  },
  webrtc_session_not_found: { origin: "request", meaning: "No live WebRTC session has this id" },
  webrtc_too_many_peers: {
    origin: "runtime",
    meaning: "The WebRTC endpoint has its most live peers (one silent for 3 s is replaced instead)",
  },
  webrtc_endpoint_taken: {
    origin: "runtime",
    meaning: "Another live WebRTC endpoint in this process has the node's id",
  },
  webrtc_publish_failed: {
    origin: "runtime",
    meaning: "Publishing to a WHIP server failed (HTTP error, bad answer, unreachable); retried",
  },
  webrtc_publish_refused: {
    origin: "runtime",
    meaning: "The WHIP server refused the publish: a 4xx other than 429 (bad token); not retried",
  },
  // Network endpoints.
  network_endpoint_failed: {
    origin: "runtime",
    meaning: "A network endpoint's native thread failed (a bug); the node stops with this code",
  },
  rtsp_peer_invalid: {
    origin: "runtime",
    meaning:
      "An RTSP server answered what RtspSource refuses (not RTSP, no H.264 video) or stalled; retried",
  },
  // Access.
  permission_denied: {
    origin: "access",
    meaning: "Deno's permissions refused a node (a file, program or address outside the scope)",
  },
  // Audio resampling.
  resampler_rate_out_of_range: {
    origin: "runtime",
    meaning: "AudioResampler got audio at a sample rate outside 1000 to 768000 Hz",
  },
  resampler_too_many_channels: {
    origin: "runtime",
    meaning: "AudioResampler got audio of more than 8 channels (it takes 1 to 8)",
  },
  // MP4 playback of AAC audio (Mp4FileSource, streamlib validate).
  aac_config_invalid: {
    origin: "runtime",
    meaning: "An MP4's AAC track has a missing or corrupt AudioSpecificConfig",
  },
  aac_channels_unsupported: {
    origin: "runtime",
    meaning: "An MP4's AAC track declares other than 1 or 2 channels (5.1, or a corrupt count)",
  },
  aac_packet_corrupt: {
    origin: "runtime",
    meaning: "An AAC access unit of an MP4 does not decode (truncated or garbled)",
  },
  // Inference models.
  model_not_found: {
    origin: "runtime",
    meaning: "A model file (or the npm package that ships it) is missing",
  },
  model_invalid: {
    origin: "runtime",
    meaning: "A model file is not an ONNX model the inference runtime loads (corrupt, truncated)",
  },
  model_mismatch: {
    origin: "runtime",
    meaning: "A model file has other inputs or outputs than the processor's model (another model)",
  },
  inference_failed: {
    origin: "runtime",
    meaning: "The inference runtime failed to load or to run a model",
  },
  // Audio over SRT.
  srt_audio_format: {
    origin: "runtime",
    meaning:
      "SrtSink got audio of other channels than audioChannels, or at a rate Opus does not take",
  },
  // Subprocess nodes and Python processors.
  child_process_failed: {
    origin: "runtime",
    meaning:
      "A processor's child process crashed, hung past its deadline, reported an error or cannot start",
  },
  child_protocol_error: {
    origin: "runtime",
    meaning: "A processor's child process wrote something that is not a protocol message or reply",
  },
  python_plugin_invalid: {
    origin: "runtime",
    meaning:
      "A Python plugin cannot be described: its entry fails to import, or declares bad processors",
  },
  // GPU frames.
  gpu_unavailable: {
    origin: "runtime",
    meaning:
      "No WebGPU adapter or device in this isolate (install a Vulkan driver: mesa-vulkan-drivers)",
  },
  gpu_device_lost: {
    origin: "runtime",
    meaning: "The isolate's GPU device was lost; its GPU nodes fail and a restart makes a new one",
  },
  gpu_not_ready: {
    origin: "runtime",
    meaning:
      "ctx.gpu or a GPU frame was used by a node that has no GPU port and did not await ctx.gpu.ready()",
  },
  gpu_worker_placement: {
    origin: "runtime",
    meaning:
      "A node with a GpuVideoFrame port was placed on a Worker (GPU nodes run in the main isolate)",
  },
  // GPU effects.
  wgsl_invalid: {
    origin: "runtime",
    meaning: "WGSL (a WgslEffect's, or a kernel's) that the GPU device does not compile",
  },
  lut_invalid: {
    origin: "runtime",
    meaning: "A .cube file that is not a 3D LUT of size 2 to 256 over the domain 0 to 1",
  },
  image_not_found: {
    origin: "runtime",
    meaning:
      "An image's path or URL cannot be read: no such file, an HTTP error, a scheme other than file, http, https, data",
  },
  image_invalid: {
    origin: "runtime",
    meaning:
      "An image file is not a whole PNG or JPEG: truncated, corrupt, or 0 pixels wide or high",
  },
  image_too_large: {
    origin: "runtime",
    meaning:
      "An image is over the limits: wider or higher than 8192 pixels, or a file over 256 MiB",
  },
  image_unsupported: {
    origin: "runtime",
    meaning: "An image file in a format other than PNG or JPEG",
  },
  // The video window (VideoWindow).
  display_unavailable: {
    origin: "runtime",
    meaning: "No display to open a window on: DISPLAY is unset or names no running X server",
  },
  sdl_unavailable: {
    origin: "runtime",
    meaning: "The SDL 2 library a video window needs does not load (Debian: libsdl2-2.0-0)",
  },
  window_surface_unavailable: {
    origin: "runtime",
    meaning:
      "WebGPU cannot present to a window: Deno runs without --unstable-webgpu, or the window is not on X11",
  },
  window_gpu_unavailable: {
    origin: "runtime",
    meaning: "No WebGPU adapter for a video window: no Vulkan driver (Debian: mesa-vulkan-drivers)",
  },
  // Audio out (Speaker).
  speaker_device_unavailable: {
    origin: "runtime",
    meaning:
      "Speaker's output device cannot be opened (none, no such ID, refused, busy) or went away while playing",
  },
  audio_library_missing: {
    origin: "runtime",
    meaning:
      "The native library needs ALSA's libasound (Linux): install libasound2, or libasound2-dev to build",
  },
  // AAC encoding (decision 0049).
  aac_encoder_unavailable: {
    origin: "runtime",
    meaning: "The AAC encoder library is not installed (Debian: apt-get install libvo-aacenc0)",
  },
  aac_encoder_config: {
    origin: "runtime",
    meaning: "AacEncoder got a sample rate, channel count or bit rate AAC-LC cannot encode",
  },
  aac_adts_invalid: {
    origin: "runtime",
    meaning: "An ADTS frame (AAC in MPEG-TS) is malformed or truncated",
  },
  encoded_audio_codec: {
    origin: "runtime",
    meaning:
      "A sink got encoded audio of another codec than its stream carries (RtmpSink: AAC; Mp4Writer, SrtSink: their audioCodec)",
  },
  // Bugs.
  internal_error: {
    origin: "internal",
    meaning: "A bug in streamlib or a processor (never the caller's fault)",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** What the table says of one code. */
export interface ErrorCodeInfo {
  /** `runtime`: a typed error of the runtime; `request`/`access`: a front-end's refusal; `internal`: a bug. */
  readonly origin: "runtime" | "request" | "access" | "internal";
  /** What the code means, in one line. */
  readonly meaning: string;
}

/** A code of {@linkcode ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The structured fields of a coded error: the offending names and, as `available`, the valid ones. */
export interface ErrorDetails {
  /** A named detail, such as `node`, `port`, `field` or `available`. */
  readonly [key: string]: JsonValue;
}

/** An error with a stable code and structured details: what every runtime error class is. */
export interface CodedError extends Error {
  /** The stable machine code. */
  readonly code: ErrorCode;
  /** The offending names and the valid alternatives (`available`). */
  readonly details: ErrorDetails;
}

/**
 * Whether a thrown value carries a code of {@linkcode ERROR_CODES} and details.
 *
 * @param error What was thrown.
 * @returns Whether it is a {@linkcode CodedError}.
 *
 * @example A runtime error is coded; a plain Error is not
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCodedError } from "./codes.ts";
 * import { NodeNotFoundError } from "../graph/errors.ts";
 *
 * assert.ok(isCodedError(new NodeNotFoundError("b", ["a"], false)));
 * assert.ok(!isCodedError(new Error("boom")));
 * ```
 */
export function isCodedError(error: unknown): error is CodedError {
  return hasCodeIn(error, ERROR_CODES);
}

/**
 * Whether a thrown value is an `Error` with structured details and a code of `table`: the one
 * check behind {@linkcode isCodedError} and the front-ends' own, over their wider table.
 *
 * @param error What was thrown.
 * @param table The codes that count.
 * @returns Whether `error` carries one of them and details.
 *
 * @example Check against a table of one's own
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasCodeIn } from "./codes.ts";
 *
 * const error = Object.assign(new Error("x"), { code: "mine", details: {} });
 * assert.ok(hasCodeIn(error, { mine: {} }));
 * assert.ok(!hasCodeIn(error, { theirs: {} }));
 * ```
 */
export function hasCodeIn(error: unknown, table: object): boolean {
  if (!(error instanceof Error)) return false;
  const { code, details } = error as { code?: unknown; details?: unknown };
  return typeof code === "string" && Object.hasOwn(table, code) &&
    typeof details === "object" && details !== null;
}
