/**
 * H.264 NAL units in the two framings a recorder and a player meet: Annex B (start codes, what
 * the encoders produce) and AVCC (length prefixes, what MP4 stores, with SPS/PPS in an `avcC`
 * record).
 *
 * @module
 */

/** NAL unit type of an IDR slice. */
export const NAL_IDR = 5;
/** NAL unit type of a sequence parameter set. */
export const NAL_SPS = 7;
/** NAL unit type of a picture parameter set. */
export const NAL_PPS = 8;

const START_CODE = new Uint8Array([0, 0, 0, 1]);

/**
 * The NAL units of an Annex B stream, without their start codes.
 *
 * @param data Annex B bytes.
 * @returns Views into `data`, in order.
 *
 * @example Split SPS, PPS and a slice
 * ```ts
 * import assert from "node:assert/strict";
 * import { annexBUnits } from "./h264_nal.ts";
 *
 * const units = annexBUnits(new Uint8Array([0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 1, 0x65, 3]));
 * assert.deepEqual(units.map((u) => u[0] & 0x1f), [ 7, 8, 5 ]);
 * ```
 */
export function annexBUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) units.push(trimZeros(data.subarray(start, i)));
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0 && start < data.length) units.push(trimZeros(data.subarray(start)));
  return units.filter((u) => u.length > 0);
}

function trimZeros(unit: Uint8Array): Uint8Array {
  let end = unit.length;
  while (end > 0 && unit[end - 1] === 0) end--;
  return unit.subarray(0, end);
}

/**
 * The `nal_unit_type` of a NAL unit.
 *
 * @param unit A NAL unit without start code.
 * @returns Its type, 0 for an empty unit.
 */
export function nalType(unit: Uint8Array): number {
  return unit.length > 0 ? unit[0] & 0x1f : 0;
}

/** SPS, PPS and NAL length size of an `avcC` (AVCDecoderConfigurationRecord). */
export interface AvcDecoderConfig {
  /** Bytes of each NAL length prefix (1, 2 or 4). */
  lengthSize: number;
  /** Sequence parameter sets. */
  sps: Uint8Array[];
  /** Picture parameter sets. */
  pps: Uint8Array[];
}

/**
 * Parses an `avcC` record (ISO/IEC 14496-15).
 *
 * @param avcC The record, as an MP4 stores it.
 * @returns Its parameter sets and length size.
 * @throws {RangeError} For a record that is too short or not version 1.
 */
export function parseAvcDecoderConfig(avcC: Uint8Array): AvcDecoderConfig {
  if (avcC.length < 7 || avcC[0] !== 1) {
    throw new RangeError(`Invalid avcC record: ${avcC.length} bytes, version ${avcC[0]}`);
  }
  const lengthSize = (avcC[4] & 0x3) + 1;
  let offset = 5;
  const read = (count: number) => {
    const sets: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const n = (avcC[offset] << 8) | avcC[offset + 1];
      sets.push(avcC.subarray(offset + 2, offset + 2 + n));
      offset += 2 + n;
    }
    return sets;
  };
  const sps = read(avcC[offset++] & 0x1f);
  const pps = read(avcC[offset++]);
  if (offset > avcC.length) throw new RangeError("Invalid avcC record: truncated parameter sets");
  return { lengthSize, sps, pps };
}

/**
 * Converts a length-prefixed (AVCC) sample to Annex B, optionally with parameter sets in front.
 *
 * @param sample The MP4 sample.
 * @param lengthSize Bytes of each length prefix.
 * @param prefix NAL units to put first (SPS and PPS for a keyframe), or none.
 * @returns A new Annex B buffer.
 * @throws {RangeError} When a length runs past the end of the sample.
 *
 * @example Convert one unit
 * ```ts
 * import assert from "node:assert/strict";
 * import { avccToAnnexB } from "./h264_nal.ts";
 *
 * assert.deepEqual(
 *   avccToAnnexB(new Uint8Array([0, 0, 0, 2, 0x65, 9]), 4),
 *   new Uint8Array([0, 0, 0, 1, 0x65, 9]),
 * );
 * ```
 */
export function avccToAnnexB(
  sample: Uint8Array,
  lengthSize: number,
  prefix: readonly Uint8Array[] = [],
): Uint8Array {
  const units: Uint8Array[] = [...prefix];
  let offset = 0;
  while (offset + lengthSize <= sample.length) {
    let n = 0;
    for (let i = 0; i < lengthSize; i++) n = n * 256 + sample[offset + i];
    offset += lengthSize;
    if (offset + n > sample.length) {
      throw new RangeError(`Invalid AVCC sample: a NAL unit of ${n} bytes runs past its end`);
    }
    units.push(sample.subarray(offset, offset + n));
    offset += n;
  }
  const out = new Uint8Array(units.reduce((sum, u) => sum + 4 + u.length, 0));
  let at = 0;
  for (const unit of units) {
    out.set(START_CODE, at);
    out.set(unit, at + 4);
    at += 4 + unit.length;
  }
  return out;
}
