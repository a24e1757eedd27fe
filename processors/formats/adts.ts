/**
 * {@linkcode parseAdtsHeader}: the stream an ADTS frame (AAC in MPEG-TS, `.aac` files) declares,
 * and {@linkcode AdtsError}, the typed refusal of a malformed or truncated one.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/** Sampling frequencies by ADTS index (ISO/IEC 14496-3, 1.6.3.4); 13 to 15 are reserved. */
const ADTS_RATES = [
  96_000,
  88_200,
  64_000,
  48_000,
  44_100,
  32_000,
  24_000,
  22_050,
  16_000,
  12_000,
  11_025,
  8_000,
  7_350,
];

/**
 * An ADTS frame that is malformed (no sync word, a reserved sampling index, a channel
 * configuration other than mono or stereo) or truncated (fewer bytes than its header says):
 * code `aac_adts_invalid`, with the field at fault.
 *
 * @example A frame cut short
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdtsError, parseAdtsHeader } from "./adts.ts";
 *
 * const frame = new Uint8Array([0xff, 0xf1, 0x4c, 0x80, 0x01, 0x3f, 0xfc, 0x21, 0x10]);
 * assert.throws(
 *   () => parseAdtsHeader(frame.subarray(0, 8)),
 *   (e) => e instanceof AdtsError && e.code === "aac_adts_invalid" && e.field === "frameLength",
 * );
 * ```
 */
export class AdtsError extends RangeError {
  /** The stable code. */
  readonly code = "aac_adts_invalid" as const;
  /** The header field at fault. */
  readonly field: string;
  /** Its value. */
  readonly value: number;
  /** What it may be. */
  readonly expected: string;

  /**
   * Creates the error.
   *
   * @param field The header field at fault.
   * @param value Its value.
   * @param expected What it may be.
   */
  constructor(field: string, value: number, expected: string) {
    super(`Cannot read an ADTS frame: ${field} ${value}, expected ${expected}`);
    this.name = "AdtsError";
    this.field = field;
    this.value = value;
    this.expected = expected;
  }

  /** Structured details: the field, its value and what it may be. */
  get details(): ErrorDetails {
    return { field: this.field, value: this.value, expected: this.expected };
  }
}

/** What an ADTS header declares. */
export interface AdtsHeader {
  /** The AudioSpecificConfig of the stream (2 bytes), what an AAC decoder is created with. */
  readonly audioSpecificConfig: Uint8Array;
  /** Samples per second. */
  readonly sampleRate: number;
  /** 1 or 2. */
  readonly channels: number;
  /** Bytes of the header (7, or 9 with a CRC): the raw frame follows. */
  readonly headerBytes: number;
  /** Bytes of the whole frame, header included. */
  readonly frameBytes: number;
}

/**
 * Reads the header of one ADTS frame.
 *
 * @param frame The frame, header first.
 * @returns What it declares.
 * @throws {AdtsError} For a malformed or truncated frame (`aac_adts_invalid`).
 *
 * @example AAC-LC, 48 kHz, stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAdtsHeader } from "./adts.ts";
 *
 * const header = parseAdtsHeader(new Uint8Array([0xff, 0xf1, 0x4c, 0x80, 0x01, 0x3f, 0xfc, 0x21, 0x10]));
 * assert.deepEqual([...header.audioSpecificConfig], [0x11, 0x90]);
 * assert.deepEqual([header.sampleRate, header.channels, header.headerBytes], [48_000, 2, 7]);
 * ```
 */
export function parseAdtsHeader(frame: Uint8Array): AdtsHeader {
  if (frame.length < 7) throw new AdtsError("frameLength", frame.length, "at least 7 bytes");
  if (frame[0] !== 0xff || (frame[1] & 0xf6) !== 0xf0) {
    throw new AdtsError("syncWord", (frame[0] << 4) | (frame[1] >> 4), "0xfff (layer 0)");
  }
  const objectType = (frame[2] >> 6) + 1;
  const index = (frame[2] >> 2) & 0x0f;
  const sampleRate = ADTS_RATES[index];
  if (sampleRate === undefined) throw new AdtsError("samplingIndex", index, "0 to 12");
  const channels = ((frame[2] & 1) << 2) | (frame[3] >> 6);
  if (channels !== 1 && channels !== 2) {
    throw new AdtsError("channelConfiguration", channels, "1 or 2 (mono or stereo)");
  }
  const headerBytes = (frame[1] & 1) === 1 ? 7 : 9;
  const frameBytes = ((frame[3] & 3) << 11) | (frame[4] << 3) | (frame[5] >> 5);
  if (frameBytes <= headerBytes || frameBytes !== frame.length) {
    throw new AdtsError(
      "frameLength",
      frameBytes,
      `the frame's ${frame.length} bytes, more than its ${headerBytes}-byte header`,
    );
  }
  if ((frame[6] & 3) !== 0) {
    throw new AdtsError("rawDataBlocks", (frame[6] & 3) + 1, "1 (1024 samples)");
  }
  const audioSpecificConfig = new Uint8Array([
    (objectType << 3) | (index >> 1),
    ((index & 1) << 7) | (channels << 3),
  ]);
  return { audioSpecificConfig, sampleRate, channels, headerBytes, frameBytes };
}
