/**
 * Reading what a muxer needs from an H.264 sequence parameter set: profile, constraints, level
 * (the `avc1.PPCCLL` codec string) and the picture size after cropping.
 *
 * @module
 */

/** What {@linkcode parseAvcSps} reads. */
export interface AvcSpsInfo {
  /** `profile_idc` (66 baseline, 77 main, 100 high). */
  profileIdc: number;
  /** The constraint flags byte. */
  constraints: number;
  /** `level_idc` (31 is level 3.1). */
  levelIdc: number;
  /** Picture width in pixels, cropping applied. */
  width: number;
  /** Picture height in pixels, cropping applied. */
  height: number;
  /** The RFC 6381 codec string, e.g. `avc1.42c01f`. */
  codec: string;
}

/** Reads bits and Exp-Golomb codes from an RBSP (emulation prevention bytes removed). */
class BitReader {
  #bytes: Uint8Array;
  #bit = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  bit(): number {
    const byte = this.#bytes[this.#bit >> 3];
    if (byte === undefined) throw new RangeError("Invalid SPS: it ends early");
    const value = (byte >> (7 - (this.#bit & 7))) & 1;
    this.#bit++;
    return value;
  }

  bits(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 2 + this.bit();
    return value;
  }

  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new RangeError("Invalid SPS: Exp-Golomb code too long");
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

function unescape(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]);
  }
  return new Uint8Array(out);
}

function skipScalingList(reader: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + reader.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * Parses an SPS NAL unit (with its header byte, without a start code).
 *
 * @param sps The NAL unit.
 * @returns Profile, level, size and codec string.
 * @throws {RangeError} When it is not an SPS or ends early.
 *
 * @example Read a 64x48 Constrained Baseline SPS
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAvcSps } from "./avc_sps.ts";
 *
 * const sps = new Uint8Array([0x67, 0x42, 0xc0, 0x0a, 0x8c, 0x8d, 0x42, 0x12, 0x00]);
 * const info = parseAvcSps(sps);
 * assert.equal(info.codec, "avc1.42c00a");
 * assert.equal(info.profileIdc, 66);
 * ```
 */
export function parseAvcSps(sps: Uint8Array): AvcSpsInfo {
  if ((sps[0] & 0x1f) !== 7) throw new RangeError(`Invalid SPS: NAL unit type ${sps[0] & 0x1f}`);
  const bytes = unescape(sps);
  const [profileIdc, constraints, levelIdc] = [bytes[1], bytes[2], bytes[3]];
  const r = new BitReader(bytes.subarray(4));
  r.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc === 3) r.bit(); // separate_colour_plane_flag
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit() === 1) {
      for (let i = 0; i < (chromaFormatIdc === 3 ? 12 : 8); i++) {
        if (r.bit() === 1) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (frameMbsOnly === 0) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  let [cropLeft, cropRight, cropTop, cropBottom] = [0, 0, 0, 0];
  if (r.bit() === 1) [cropLeft, cropRight, cropTop, cropBottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  const subWidth = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
  const subHeight = chromaFormatIdc === 1 ? 2 : 1;
  const cropUnitX = chromaFormatIdc === 0 ? 1 : subWidth;
  const cropUnitY = (chromaFormatIdc === 0 ? 1 : subHeight) * (2 - frameMbsOnly);
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return {
    profileIdc,
    constraints,
    levelIdc,
    width: widthMbs * 16 - cropUnitX * (cropLeft + cropRight),
    height: heightMapUnits * 16 * (2 - frameMbsOnly) - cropUnitY * (cropTop + cropBottom),
    codec: `avc1.${hex(profileIdc)}${hex(constraints)}${hex(levelIdc)}`,
  };
}
