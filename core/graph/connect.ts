/**
 * The typed connect rule: an output may feed an input only when their frame types match, checked
 * by the compiler for typed refs and by port type strings at run time.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { isPortTypeCompatible } from "../ports/port_type.ts";
import type { InputRef, OutputRef } from "../ports/port_ref.ts";

/**
 * Thrown when an output's frame type does not fit an input's.
 *
 * @example Catch a mismatch made by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { PortTypeMismatchError, Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", {}, { id: "gain" });
 * rt.add("VideoScale", {}, { id: "scale" });
 * assert.throws(
 *   () => rt.connectByName("gain", "out", "scale", "in"),
 *   (error) => {
 *     assert.ok(error instanceof PortTypeMismatchError);
 *     assert.equal(error.outputType, "AudioFrame<2>");
 *     assert.equal(error.inputType, "VideoFrame");
 *     return true;
 *   },
 * );
 * ```
 */
export class PortTypeMismatchError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "port_type_mismatch";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { from: this.from, to: this.to, outputType: this.outputType, inputType: this.inputType };
  }
  /** `node.port` of the output. */
  readonly from: string;
  /** `node.port` of the input. */
  readonly to: string;
  /** The output's port type string. */
  readonly outputType: string;
  /** The input's port type string. */
  readonly inputType: string;

  /**
   * Creates the error.
   *
   * @param from `node.port` of the output.
   * @param outputType The output's port type string.
   * @param to `node.port` of the input.
   * @param inputType The input's port type string.
   */
  constructor(from: string, outputType: string, to: string, inputType: string) {
    super(`Cannot connect '${from}' to '${to}': ${outputType} does not fit ${inputType}`);
    this.name = "PortTypeMismatchError";
    this.from = from;
    this.to = to;
    this.outputType = outputType;
    this.inputType = inputType;
  }
}

/**
 * Checks that `from` may feed `to`. Its signature is the typed connect rule: both refs must
 * agree on one frame type `T`, so `assertConnectable(camera.outputs.video, gain.inputs.in)` is a
 * compile error. At run time it also compares port type strings, for refs that came from
 * untyped sources.
 *
 * @param from The output.
 * @param to The input.
 * @throws {PortTypeMismatchError} When the port type strings are not compatible.
 *
 * @example Connect a tone generator to a gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertConnectable } from "@streamlib/streamlib";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 * import { testToneGeneratorNode } from "../../processors/sources/test_tone_generator.gen.ts";
 *
 * const tone = testToneGeneratorNode.handle("tone");
 * const gain = gainNode.handle("gain");
 * assert.doesNotThrow(() => assertConnectable(tone.outputs.audio, gain.inputs.in)); // compiles and passes
 * ```
 */
export function assertConnectable<T>(from: OutputRef<T>, to: InputRef<T>): void {
  if (!isPortTypeCompatible(from.portType, to.portType)) {
    throw new PortTypeMismatchError(
      `${from.node}.${from.port}`,
      from.portType,
      `${to.node}.${to.port}`,
      to.portType,
    );
  }
}
