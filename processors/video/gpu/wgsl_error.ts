/**
 * The error for WGSL that the device refused.
 *
 * @module
 */

/**
 * WGSL that did not compile, or a pipeline the device would not build from it: the device's own
 * messages are in {@linkcode WgslError.messages}, each with its line in the source the author
 * wrote when the device gives one.
 *
 * @example Name the shader and the first message
 * ```ts
 * import assert from "node:assert/strict";
 * import { WgslError } from "./wgsl_error.ts";
 *
 * const error = new WgslError("Sepia", ["unresolved identifier 'colour'"]);
 * assert.equal(error.code, "wgsl_invalid");
 * assert.equal(error.message, "Cannot compile the WGSL of 'Sepia': unresolved identifier 'colour'");
 * ```
 */
export class WgslError extends Error {
  /** The stable machine code. */
  readonly code = "wgsl_invalid";
  /** What a front-end shows beside the message. */
  readonly details: { readonly shader: string; readonly messages: readonly string[] };
  /** The shader's name (an effect's, or a built-in's). */
  readonly shader: string;
  /** The device's messages, in order. */
  readonly messages: readonly string[];

  /**
   * Creates the error.
   *
   * @param shader The shader's name.
   * @param messages The device's messages.
   */
  constructor(shader: string, messages: readonly string[]) {
    super(`Cannot compile the WGSL of '${shader}': ${messages.join("; ")}`);
    this.name = "WgslError";
    this.shader = shader;
    this.messages = messages;
    this.details = { shader, messages };
  }
}
