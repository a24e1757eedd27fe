/**
 * The codes of `node-warning` events: what the runtime, or a processor through `ctx.warn()`,
 * reports about a node that goes on running.
 *
 * @module
 */

/**
 * Every `node-warning` code, with what it means: snake_case, as every error code is.
 *
 * @example Look a warning code up
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE_WARNING_CODES } from "./warning_codes.ts";
 *
 * assert.match(NODE_WARNING_CODES.frame_leak, /never released/);
 * ```
 */
export const NODE_WARNING_CODES = {
  unconnected_required_input: "A required input has no connection at start",
  frame_leak: "Frames were never released by stop (a keep() without release())",
  frame_memory_stall:
    "Frame memory ran out and stayed out: names the node holding the most frames; a node that waited for memory with nothing freed dropped what it could not finish",
  av_drift:
    "A recording's audio timestamps moved away from its sample count past the bound (its source fell behind or jumped): the writer filled or trimmed audio to keep it in step with video",
  gpu_upload_format:
    "A CPU frame of a pixel format the GPU upload does not take (RGBA and BGRA only) reached a GPU input: the connection dropped it",
} as const;

/** A `node-warning` code: a key of {@linkcode NODE_WARNING_CODES}. */
export type NodeWarningCode = keyof typeof NODE_WARNING_CODES;
