/**
 * AAC-LC encoding with the VisualOn AAC encoder (`libvo-aacenc`, Apache-2.0), loaded at run time
 * with `Deno.dlopen` so that a machine without it builds and runs everything else
 * (docs/decisions/0049-aac-encoding-with-vo-aacenc.md).
 *
 * @module
 */

import { AacEncoderConfigError, AacEncoderUnavailableError } from "./aac_encoder_errors.ts";

/** Samples per channel in one AAC-LC frame. */
export const AAC_FRAME_SAMPLES = 1024;

/**
 * Samples per channel by which libvo-aacenc delays its output (the first 1600 decoded samples are
 * priming), measured by `vo_aac_encoder_test.ts`: a stream's timestamps are this much earlier than
 * its first input's so that the audio a decoder plays lines up with its time.
 */
export const AAC_ENCODER_DELAY_SAMPLES = 1_600;

/** The sample rates the encoder takes (8 to 48 kHz, the MPEG-4 table's). */
export const AAC_SAMPLE_RATES: readonly number[] = [
  8_000,
  11_025,
  12_000,
  16_000,
  22_050,
  24_000,
  32_000,
  44_100,
  48_000,
];

/** MPEG-4 sampling-frequency indexes, by rate. */
const FREQUENCY_INDEX: ReadonlyMap<number, number> = new Map([
  [96_000, 0],
  [88_200, 1],
  [64_000, 2],
  [48_000, 3],
  [44_100, 4],
  [32_000, 5],
  [24_000, 6],
  [22_050, 7],
  [16_000, 8],
  [12_000, 9],
  [11_025, 10],
  [8_000, 11],
]);

/**
 * The bit rates (bits/s) the encoder takes for a format: 8 kbit/s up to AAC's ceiling of 6 bits
 * per sample and channel, and at most 160 kbit/s per channel (above either, libvo-aacenc would
 * silently fall back to its default).
 *
 * @param sampleRate Samples per second.
 * @param channels 1 or 2.
 * @returns The lowest and highest bit rate.
 *
 * @example 44.1 kHz stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacBitrateRange } from "./vo_aac_encoder.ts";
 *
 * assert.deepEqual(aacBitrateRange(44_100, 2), { min: 8_000, max: 320_000 });
 * assert.deepEqual(aacBitrateRange(8_000, 1), { min: 8_000, max: 48_000 });
 * ```
 */
export function aacBitrateRange(
  sampleRate: number,
  channels: number,
): { min: number; max: number } {
  return { min: 8_000, max: Math.min(160_000, 6 * sampleRate) * channels };
}

/**
 * The two-byte AudioSpecificConfig (ISO 14496-3) of AAC-LC at a rate and channel count: what
 * MP4's `esds`, FLV's sequence header and SDP's `config=` carry.
 *
 * @param sampleRate One of {@linkcode AAC_SAMPLE_RATES}.
 * @param channels 1 or 2.
 * @returns The config bytes.
 *
 * @example 48 kHz stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacAudioSpecificConfig } from "./vo_aac_encoder.ts";
 *
 * assert.deepEqual([...aacAudioSpecificConfig(48_000, 2)], [0x11, 0x90]);
 * ```
 */
export function aacAudioSpecificConfig(sampleRate: number, channels: number): Uint8Array {
  const index = FREQUENCY_INDEX.get(sampleRate) ?? 15;
  const bits = (2 << 11) | (index << 7) | (channels << 3); // object type 2 (AAC LC)
  return new Uint8Array([bits >> 8, bits & 0xff]);
}

/**
 * Checks a format against what the encoder takes.
 *
 * @param sampleRate Samples per second.
 * @param channels Channels.
 * @param bitrate Bits per second.
 * @throws {AacEncoderConfigError} Naming the first value that is not valid, and what is.
 *
 * @example A rate AAC-LC does not take here
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAacFormat } from "./vo_aac_encoder.ts";
 *
 * assert.throws(() => checkAacFormat(96_000, 2, 128_000), { code: "aac_encoder_config" });
 * checkAacFormat(48_000, 2, 128_000);
 * ```
 */
export function checkAacFormat(sampleRate: number, channels: number, bitrate: number): void {
  if (!AAC_SAMPLE_RATES.includes(sampleRate)) {
    throw new AacEncoderConfigError(
      "sampleRate",
      sampleRate,
      `one of ${AAC_SAMPLE_RATES.join(", ")} Hz (put an AudioResampler in front)`,
    );
  }
  if (channels !== 1 && channels !== 2) {
    throw new AacEncoderConfigError(
      "channels",
      channels,
      "1 or 2 (put a ChannelConverter in front)",
    );
  }
  const { min, max } = aacBitrateRange(sampleRate, channels);
  if (!Number.isInteger(bitrate) || bitrate < min || bitrate > max) {
    throw new AacEncoderConfigError(
      "bitrate",
      bitrate,
      `${min}..${max} bits/s at ${sampleRate} Hz with ${channels} channel(s)`,
    );
  }
}

// voType.h makes VO_U32 and VO_S32 `long`: 8 bytes on 64-bit Linux and macOS, which is what the
// structs below are laid out for. Results are read as their low 32 bits (every code fits).
const API = { parameters: ["buffer"], result: "i32" } as const;
const INIT = { parameters: ["buffer", "i32", "pointer"], result: "u32" } as const;
const SET_INPUT = { parameters: ["pointer", "buffer"], result: "u32" } as const;
const GET_OUTPUT = { parameters: ["pointer", "buffer", "buffer"], result: "u32" } as const;
const SET_PARAM = { parameters: ["pointer", "i64", "buffer"], result: "u32" } as const;
const UNINIT = { parameters: ["pointer"], result: "u32" } as const;

/** `VO_PID_AAC_ENCPARAM` (voAAC.h). */
const PID_AAC_ENCPARAM = 0x42211040;
/** `VO_AUDIO_CodingAAC` (voAudio.h). */
const CODING_AAC = 8;
/** `VO_ERR_INPUT_BUFFER_SMALL`: the encoder wants more input before the next frame. */
const ERR_INPUT_BUFFER_SMALL = 0x80000005;
/** The default memory operator's functions, in `VO_MEM_OPERATOR` order (cmnMemory.h). */
const MEMORY_FUNCTIONS = [
  "cmnMemAlloc",
  "cmnMemFree",
  "cmnMemSet",
  "cmnMemCopy",
  "cmnMemCheck",
  "cmnMemCompare",
  "cmnMemMove",
] as const;
/** Room for one frame (at most 6144 bits per channel), as the encoder asks of its output buffer. */
const MAX_FRAME_BYTES = 8_192;

/** The library's file name on this OS, or `STREAMLIB_VO_AACENC`. */
function libraryPath(): string {
  const fromEnv = Deno.env.get("STREAMLIB_VO_AACENC");
  if (fromEnv) return fromEnv;
  return Deno.build.os === "darwin" ? "libvo-aacenc.0.dylib" : "libvo-aacenc.so.0";
}

/** The C library, for `dlsym`: the encoder takes its memory functions as pointers. */
function libcPath(): string {
  return Deno.build.os === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/**
 * Words the library keeps a pointer to, in an `ArrayBuffer` of its own: V8 keeps typed arrays
 * of up to 64 bytes created by length on its heap, where the garbage collector moves them.
 */
function pinnedWords(words: readonly bigint[]): BigUint64Array<ArrayBuffer> {
  const array = new BigUint64Array(new ArrayBuffer(8 * words.length));
  array.set(words);
  return array;
}

function address(view: ArrayBufferView): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(view)));
}

/** The library's entry points, loaded once per process. */
interface VoApi {
  init: Deno.UnsafeFnPointer<typeof INIT>;
  setInput: Deno.UnsafeFnPointer<typeof SET_INPUT>;
  getOutput: Deno.UnsafeFnPointer<typeof GET_OUTPUT>;
  setParam: Deno.UnsafeFnPointer<typeof SET_PARAM>;
  uninit: Deno.UnsafeFnPointer<typeof UNINIT>;
  /** `VO_CODEC_INIT_USERDATA` pointing at the default memory operator (kept alive here). */
  userData: BigUint64Array<ArrayBuffer>;
  memory: BigUint64Array<ArrayBuffer>;
}

let loaded: VoApi | undefined;

function loadApi(): VoApi {
  if (loaded !== undefined) return loaded;
  const path = libraryPath();
  let symbols;
  try {
    symbols = Deno.dlopen(path, { voGetAACEncAPI: API }).symbols;
  } catch (error) {
    throw new AacEncoderUnavailableError(path, error instanceof Error ? error.message : `${error}`);
  }
  const libc = Deno.dlopen(
    libcPath(),
    {
      dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
      dlsym: { parameters: ["pointer", "buffer"], result: "pointer" },
    } as const,
  ).symbols;
  const handle = libc.dlopen(cString(path), 2 /* RTLD_NOW */);
  const memory = pinnedWords(MEMORY_FUNCTIONS.map((name) => {
    const fn = libc.dlsym(handle, cString(name));
    if (fn === null) throw new AacEncoderUnavailableError(path, `it has no ${name}`);
    return BigInt(Deno.UnsafePointer.value(fn));
  }));
  const table = new BigUint64Array(6); // VO_AUDIO_CODECAPI: six function pointers
  if (symbols.voGetAACEncAPI(table) !== 0) {
    throw new AacEncoderUnavailableError(path, "voGetAACEncAPI failed");
  }
  const fn = <T extends Deno.ForeignFunction>(i: number, definition: T) =>
    new Deno.UnsafeFnPointer(
      Deno.UnsafePointer.create(table[i]) as Deno.PointerObject<T>,
      definition,
    );
  // VO_CODEC_INIT_USERDATA: memflag 0 (VO_IMF_USERMEMOPERATOR), memData, two reserved longs.
  const userData = pinnedWords([0n, address(memory), 0n, 0n]);
  loaded = {
    init: fn(0, INIT),
    setInput: fn(1, SET_INPUT),
    getOutput: fn(2, GET_OUTPUT),
    setParam: fn(3, SET_PARAM),
    uninit: fn(5, UNINIT),
    userData,
    memory,
  };
  return loaded;
}

/**
 * Whether the AAC encoder library loads on this machine.
 *
 * @returns `true` when {@linkcode VoAacEncoder.create} can work.
 *
 * @example Skip AAC where it is not installed
 * ```ts
 * import assert from "node:assert/strict";
 * import { aacEncoderAvailable } from "./vo_aac_encoder.ts";
 *
 * assert.equal(typeof aacEncoderAvailable(), "boolean");
 * ```
 */
export function aacEncoderAvailable(): boolean {
  try {
    loadApi();
    return true;
  } catch {
    return false;
  }
}

/** Options of {@linkcode VoAacEncoder.create}. */
export interface VoAacEncoderOptions {
  /** One of {@linkcode AAC_SAMPLE_RATES}. */
  sampleRate: number;
  /** 1 or 2. */
  channels: number;
  /** Bits per second, within {@linkcode aacBitrateRange}. */
  bitrate: number;
}

/**
 * An AAC-LC encoder: 1024 samples per channel (interleaved `f32`) in, one raw AAC frame out
 * (no ADTS header; {@linkcode VoAacEncoder.audioSpecificConfig} describes the stream).
 *
 * @example Encode a tone
 * ```ts
 * import assert from "node:assert/strict";
 * import { VoAacEncoder } from "./vo_aac_encoder.ts";
 *
 * using encoder = VoAacEncoder.create({ sampleRate: 48_000, channels: 2, bitrate: 128_000 });
 * const frame = encoder.encode(new Float32Array(1024 * 2).fill(0.1));
 * assert.ok(frame.length > 0);
 * assert.deepEqual([...encoder.audioSpecificConfig], [0x11, 0x90]);
 * ```
 */
export class VoAacEncoder {
  /** Samples per second. */
  readonly sampleRate: number;
  /** Channels. */
  readonly channels: number;
  /** Bits per second. */
  readonly bitrate: number;
  /** The stream's AudioSpecificConfig (AAC-LC, rate, channels). */
  readonly audioSpecificConfig: Uint8Array;
  #api: VoApi;
  #handle: Deno.PointerValue;
  #pcm: Int16Array<ArrayBuffer>;
  #out = new Uint8Array(MAX_FRAME_BYTES);
  #input = new BigUint64Array(3); // VO_CODECBUFFER: Buffer, Length (long), Time
  #output = new BigUint64Array(3);
  #info = new BigUint64Array(5); // VO_AUDIO_OUTPUTINFO: five longs

  private constructor(api: VoApi, handle: Deno.PointerValue, options: VoAacEncoderOptions) {
    this.#api = api;
    this.#handle = handle;
    this.sampleRate = options.sampleRate;
    this.channels = options.channels;
    this.bitrate = options.bitrate;
    this.audioSpecificConfig = aacAudioSpecificConfig(options.sampleRate, options.channels);
    this.#pcm = new Int16Array(AAC_FRAME_SAMPLES * options.channels);
  }

  /**
   * Creates an encoder.
   *
   * @param options Rate, channels and bit rate.
   * @returns The encoder.
   * @throws {AacEncoderConfigError} For a rate, channel count or bit rate it cannot encode.
   * @throws {AacEncoderUnavailableError} When `libvo-aacenc` is not installed.
   */
  static create(options: VoAacEncoderOptions): VoAacEncoder {
    const { sampleRate, channels, bitrate } = options;
    checkAacFormat(sampleRate, channels, bitrate);
    const api = loadApi();
    const out = new BigUint64Array(1);
    if (api.init.call(out, CODING_AAC, Deno.UnsafePointer.of(api.userData)) !== 0) {
      throw new AacEncoderUnavailableError(libraryPath(), "the encoder did not initialize");
    }
    const handle = Deno.UnsafePointer.create(out[0]);
    // AACENC_PARAM: int sampleRate, int bitRate, short nChannels, short adtsUsed (0: raw).
    const param = new DataView(new ArrayBuffer(12));
    param.setInt32(0, sampleRate, true);
    param.setInt32(4, bitrate, true);
    param.setInt16(8, channels, true);
    const r = api.setParam.call(handle, BigInt(PID_AAC_ENCPARAM), new Uint8Array(param.buffer));
    if (r !== 0) {
      api.uninit.call(handle);
      throw new AacEncoderConfigError(
        "bitrate",
        bitrate,
        `a setting the encoder takes (0x${r.toString(16)})`,
      );
    }
    return new VoAacEncoder(api, handle, options);
  }

  /**
   * Encodes one frame.
   *
   * @param pcm Exactly {@linkcode AAC_FRAME_SAMPLES} samples per channel, interleaved, -1..1.
   * @returns The raw AAC frame (a copy).
   * @throws {RangeError} For another number of samples, or once closed.
   */
  encode(pcm: Float32Array): Uint8Array {
    if (this.#handle === null) throw new RangeError("Cannot encode AAC: this encoder is closed");
    const samples = this.#pcm;
    if (pcm.length !== samples.length) {
      throw new RangeError(
        `Cannot encode AAC: ${pcm.length} samples, expected ${samples.length} (1024 per channel)`,
      );
    }
    for (let i = 0; i < samples.length; i++) {
      const s = pcm[i] * 32_768;
      samples[i] = s >= 32_767 ? 32_767 : s <= -32_768 ? -32_768 : s;
    }
    const input = this.#input;
    input[0] = address(samples);
    input[1] = BigInt(samples.byteLength);
    this.#api.setInput.call(this.#handle, input);
    const output = this.#output;
    output[0] = address(this.#out);
    output[1] = BigInt(this.#out.length);
    const r = this.#api.getOutput.call(this.#handle, output, this.#info);
    if (r === ERR_INPUT_BUFFER_SMALL) return new Uint8Array(0);
    if (r !== 0) {
      throw new RangeError(`Cannot encode AAC: the encoder failed (0x${r.toString(16)})`);
    }
    return this.#out.slice(0, Number(output[1] & 0xffff_ffffn));
  }

  /** Frees the encoder. Idempotent. */
  close(): void {
    if (this.#handle === null) return;
    this.#api.uninit.call(this.#handle);
    this.#handle = null;
  }

  /** Frees the encoder (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
