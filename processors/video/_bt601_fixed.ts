/**
 * The 16.16 fixed-point coefficients of the BT.601 limited-range matrices in `ycbcr.ts`, shared by
 * the CPU conversion (`color_convert.ts`) and the GPU one (`gpu/color_convert.ts`), so both give
 * the same bytes.
 *
 * @module
 */

const FIX = (x: number) => Math.round(x * 65536);

/** Luma from R'G'B' (0..255): `Y = (Y_R r + Y_G g + Y_B b + Y_BIAS) >> 16`. */
export const Y_R: number = FIX((219 / 255) * 0.299);
/** See {@linkcode Y_R}. */
export const Y_G: number = FIX((219 / 255) * 0.587);
/** See {@linkcode Y_R}. */
export const Y_B: number = FIX((219 / 255) * 0.114);
/** See {@linkcode Y_R}. */
export const Y_BIAS: number = (16 << 16) + (1 << 15);
// Chroma is computed from the sum of a 2x2 block, so these carry an extra factor 1/4 (>> 18).
/** Cb from a 2x2 block's sums: `(U_R r + U_G g + U_B b + C_BIAS) >> 18`. */
export const U_R: number = FIX((224 / 255) * -0.168736);
/** See {@linkcode U_R}. */
export const U_G: number = FIX((224 / 255) * -0.331264);
/** See {@linkcode U_R}. */
export const U_B: number = FIX((224 / 255) * 0.5);
/** Cr from a 2x2 block's sums: `(V_R r + V_G g + V_B b + C_BIAS) >> 18`. */
export const V_R: number = FIX((224 / 255) * 0.5);
/** See {@linkcode V_R}. */
export const V_G: number = FIX((224 / 255) * -0.418688);
/** See {@linkcode V_R}. */
export const V_B: number = FIX((224 / 255) * -0.081312);
/** See {@linkcode U_R}. */
export const C_BIAS: number = (128 << 18) + (1 << 17);
/** R'G'B' from Y'CbCr: `l = K_Y (y - 16)`, `r = (l + K_RV v + 2^15) >> 16`, ... */
export const K_Y: number = FIX(255 / 219);
/** See {@linkcode K_Y}. */
export const K_RV: number = FIX((255 / 224) * 1.402);
/** See {@linkcode K_Y}. */
export const K_GU: number = FIX((255 / 224) * 0.344136);
/** See {@linkcode K_Y}. */
export const K_GV: number = FIX((255 / 224) * 0.714136);
/** See {@linkcode K_Y}. */
export const K_BU: number = FIX((255 / 224) * 1.772);
