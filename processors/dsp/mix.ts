/**
 * Summing interleaved audio blocks.
 *
 * @module
 */

/**
 * Writes `output[i] = sum over k of inputs[k][i] * gains[k]` for the first `length` samples.
 *
 * Inputs must share the output's channel layout (interleaving). With no inputs the output is
 * silenced. Does not allocate.
 *
 * @param inputs The blocks to sum, each at least `length` samples long. `output` may be one of
 * them.
 * @param gains One linear gain per input; missing gains (or an omitted array) count as 1.
 * @param output The destination block.
 * @param length Samples to mix (all channels). Defaults to `output.length`.
 * @throws {RangeError} When `length` is not an integer in `[0, output.length]` or an input is
 * shorter than `length`.
 *
 * @example Mix two stereo blocks, the second at half level
 * ```ts
 * import assert from "node:assert/strict";
 * import { mix } from "./mix.ts";
 *
 * const a = new Float32Array([0.5, 0.5, 0.25, 0.25]);
 * const b = new Float32Array([0.2, -0.2, 0.2, -0.2]);
 * const out = new Float32Array(4);
 * mix([a, b], [1, 0.5], out);
 * assert.deepEqual(Array.from(out, (x) => x.toFixed(2)), ["0.60", "0.40", "0.35", "0.15"]);
 * ```
 */
export function mix(
  inputs: readonly Float32Array[],
  gains: ArrayLike<number> | undefined,
  output: Float32Array,
  length: number = output.length,
): void {
  if (!Number.isInteger(length) || length < 0 || length > output.length) {
    throw new RangeError(
      `Cannot mix ${length} samples: expected an integer from 0 to the output length ${output.length}`,
    );
  }
  for (let k = 0; k < inputs.length; k++) {
    if (k > 0 && inputs[k] === output) {
      throw new RangeError(
        `Cannot mix into input ${k}: only the first input may be the output buffer`,
      );
    }
    if (inputs[k].length < length) {
      throw new RangeError(
        `Cannot mix ${length} samples: input ${k} has only ${inputs[k].length}`,
      );
    }
  }
  if (inputs.length === 0) {
    output.fill(0, 0, length);
    return;
  }
  // The first input initialises the output, so `output` may alias any input already consumed.
  const firstGain = gains !== undefined && gains.length > 0 ? gains[0] : 1;
  const first = inputs[0];
  for (let i = 0; i < length; i++) output[i] = first[i] * firstGain;
  for (let k = 1; k < inputs.length; k++) {
    const input = inputs[k];
    const gain = gains !== undefined && k < gains.length ? gains[k] : 1;
    for (let i = 0; i < length; i++) output[i] += input[i] * gain;
  }
}
