/**
 * The sample positions and 8-bit weights of bilinear scaling along one axis, shared by the CPU
 * scaler (`scale.ts`) and the GPU one (`gpu/scale.ts`), so both give the same bytes.
 *
 * @module
 */

/** Source sample positions and weights for each destination column or row of one plane. */
export interface Axis {
  /** The source sample before each destination sample. */
  readonly first: Int32Array;
  /** The source sample after it (the same at the edge). */
  readonly second: Int32Array;
  /** Weight of `second` in 1/256ths. */
  readonly weight: Uint16Array;
}

/**
 * Maps destination sample centres onto source sample centres: `s = (d + 0.5) * in / out - 0.5`,
 * clamped to the source.
 *
 * @param inSize Source samples.
 * @param outSize Destination samples.
 * @returns The positions and weights.
 */
export function axis(inSize: number, outSize: number): Axis {
  const first = new Int32Array(outSize);
  const second = new Int32Array(outSize);
  const weight = new Uint16Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const s = Math.min(inSize - 1, Math.max(0, ((d + 0.5) * inSize) / outSize - 0.5));
    const i = Math.floor(s);
    first[d] = i;
    second[d] = Math.min(i + 1, inSize - 1);
    weight[d] = Math.round((s - i) * 256);
  }
  return { first, second, weight };
}
