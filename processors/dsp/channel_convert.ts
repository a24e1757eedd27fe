/**
 * Changing the channel count of interleaved audio.
 *
 * @module
 */

/**
 * Converts interleaved audio from `inChannels` to `outChannels` channels.
 *
 * - Same count: a copy.
 * - Downmix (fewer outputs): output channel `j` is the average of the input channels `i` with
 *   `i % outChannels === j`. Mono output averages every input channel; stereo output averages the
 *   even-numbered channels into left and the odd-numbered into right, which keeps `L R` pairs.
 * - Upmix (more outputs): output channel `j` duplicates input channel `j % inChannels`. Mono input
 *   goes to every output channel; stereo input repeats as `L R L R ...`.
 *
 * Does not allocate. `input` and `output` must not overlap unless the counts are equal.
 *
 * @param input Interleaved input samples.
 * @param inChannels Channels in `input`.
 * @param output Interleaved output samples.
 * @param outChannels Channels in `output`.
 * @param frames Frames to convert. Defaults to the most that fit in both buffers.
 * @throws {RangeError} When a channel count is not a positive integer or `frames` does not fit.
 *
 * @example Stereo to mono and back
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertChannels } from "./channel_convert.ts";
 *
 * const stereo = new Float32Array([1, 0, 0.5, 0.5]);
 * const mono = new Float32Array(2);
 * convertChannels(stereo, 2, mono, 1);
 * assert.deepEqual(Array.from(mono), [0.5, 0.5]);
 * const back = new Float32Array(4);
 * convertChannels(mono, 1, back, 2);
 * assert.deepEqual(Array.from(back), [0.5, 0.5, 0.5, 0.5]);
 * ```
 */
export function convertChannels(
  input: Float32Array,
  inChannels: number,
  output: Float32Array,
  outChannels: number,
  frames?: number,
): void {
  if (!Number.isInteger(inChannels) || inChannels <= 0) {
    throw new RangeError(
      `Cannot convert channels: inChannels must be a positive integer, got ${inChannels}`,
    );
  }
  if (!Number.isInteger(outChannels) || outChannels <= 0) {
    throw new RangeError(
      `Cannot convert channels: outChannels must be a positive integer, got ${outChannels}`,
    );
  }
  const fit = Math.min(
    Math.floor(input.length / inChannels),
    Math.floor(output.length / outChannels),
  );
  const count = frames ?? fit;
  if (!Number.isInteger(count) || count < 0 || count > fit) {
    throw new RangeError(
      `Cannot convert ${count} frames from ${inChannels} to ${outChannels} channels: at most ${fit} fit in the buffers`,
    );
  }
  if (inChannels === outChannels) {
    const length = count * inChannels;
    if (input === output) return;
    if (input.length === length) output.set(input);
    else for (let i = 0; i < length; i++) output[i] = input[i];
    return;
  }
  if (inChannels > outChannels) {
    for (let n = 0; n < count; n++) {
      const inBase = n * inChannels;
      const outBase = n * outChannels;
      for (let j = 0; j < outChannels; j++) {
        let sum = 0;
        let contributors = 0;
        for (let i = j; i < inChannels; i += outChannels) {
          sum += input[inBase + i];
          contributors++;
        }
        output[outBase + j] = sum / contributors;
      }
    }
    return;
  }
  for (let n = 0; n < count; n++) {
    const inBase = n * inChannels;
    const outBase = n * outChannels;
    for (let j = 0; j < outChannels; j++) output[outBase + j] = input[inBase + (j % inChannels)];
  }
}
