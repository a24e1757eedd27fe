/**
 * The {@linkcode AacEncoder} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type EncodedAudioFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { AacFrames } from "../formats/aac_frames.ts";
import type { VoAacEncoder } from "../../ffi/media/vo_aac_encoder.ts";
import type { AacEncoderTypes } from "./aac_encoder.gen.ts";

/**
 * Config of {@linkcode AacEncoder}.
 */
export interface AacEncoderConfig {
  /**
   * Bits per second: 8000 up to 6 bits per sample and channel, at most 160000 per channel
   * (a value outside what the stream's format allows fails the node with `aac_encoder_config`).
   *
   * @integer
   * @minimum 8000
   * @maximum 320000
   * @default 128000
   */
  bitrate: number;
}

/**
 * Encodes audio to AAC-LC with the VisualOn AAC encoder (`libvo-aacenc`, Apache-2.0, loaded at
 * run time: `apt-get install libvo-aacenc0`; see docs/decisions/0049-aac-encoding-with-vo-aacenc.md),
 * for `RtmpSink` and anything else that carries AAC.
 *
 * Mono or stereo at 8, 11.025, 12, 16, 22.05, 24, 32, 44.1 or 48 kHz, one format for the whole
 * stream (the first block's). Blocks of any size are gathered into 1024-sample frames; each
 * packet on `out` is stamped with the time of its frame's first sample less the encoder's delay
 * (1600 samples, 33 ms at 48 kHz), so that what a decoder plays lines up with the video's
 * clock. A format it cannot encode fails the node with `AacEncoderConfigError`
 * (`aac_encoder_config`), naming what is valid; a machine without the library fails `process()`
 * with `AacEncoderUnavailableError` (`aac_encoder_unavailable`), which says what to install.
 *
 * Each frame goes out as an `EncodedAudioFrame` (codec `aac`, `frameCount` 1024, the stream's
 * AudioSpecificConfig as `extradata`) in memory from `ctx.frames`: reference counted like every
 * frame, it crosses to a Worker by reference; when no frame memory is free the encoded frame waits
 * and goes out first on the next run, so none is lost. At the end of the stream (`drain()`) the
 * last partial frame is padded with silence and the encoder's delay flushed, so the stream's last
 * samples are in the output; the first frames are stamped before the input's first sample (by the
 * delay), which is negative for an input that starts at 0.
 *
 * Counters (`rt.stats().nodes[id].processor`): `packets`, `bytes`.
 *
 * @example One second of a tone: 47 AAC frames (48000 / 1024), stamped 33 ms early
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, type EncodedAudioFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AacEncoder } from "@streamlib/streamlib/processors";
 * import { aacEncoderNode } from "./aac_encoder.gen.ts";
 *
 * const ports = aacEncoderNode.ports();
 * const aac = aacEncoderNode.create({ bitrate: 96_000 }, ports) as AacEncoder;
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
 * const frames = new InputBinding<EncodedAudioFrame>("frames", "EncodedAudioFrame");
 * connectLocal(source, ports.input("in"), { capacity: 64 });
 * connectLocal(ports.output("out"), frames, { capacity: 64 });
 * const ctx = createProcessContext("aac");
 * await aac.setup(ctx);
 * for (let i = 0; i < 50; i++) {
 *   const block = createAudioFrame(2, 48_000, 960);
 *   block.samples.fill(0.1);
 *   source.write({ ...block, timestampNs: 1e9 + i * 20_000_000 });
 * }
 * aac.process(ctx);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * const first = frames.read()!;
 * assert.equal(first.codec, "aac");
 * assert.deepEqual([...first.extradata], [0x11, 0x90]); // AAC-LC, 48 kHz, stereo
 * assert.equal(first.timestampNs, 1e9 - 1600 / 48_000 * 1e9);
 * let n = 1;
 * while (frames.read() !== undefined) n++;
 * assert.equal(n, 46); // 48000 samples = 46 full frames and a partial one waiting
 * // At the end of the stream the runtime calls drain(): the partial frame, then the delay.
 * assert.equal(aac.drain(ctx), false);
 * ctx.frames.flush();
 * while (frames.read() !== undefined) n++;
 * assert.equal(n, 49); // 49 × 1024 samples cover the 48000 and the encoder's 1600 of delay
 * aac.teardown();
 * ```
 */
@processor({ tags: ["audio", "encoder"], mode: "push" })
export class AacEncoder extends Processor<AacEncoderTypes> {
  /** Mono or stereo audio at 8 to 48 kHz. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** AAC-LC frames (raw, 1024 samples each), with the stream's AudioSpecificConfig. */
  @output()
  out!: OutputPort<EncodedAudioFrame>;

  /** Bit rate. */
  @config()
  config!: AacEncoderConfig;

  #frames: AacFrames | undefined;
  #packets = 0;
  #bytes = 0;
  #frameSamples = 0;
  /** Encoded frames that found no frame memory, oldest first (copies: the encoder reuses its). */
  #waiting: { data: Uint8Array; timestampNs: number; encoder: VoAacEncoder }[] = [];
  /** Whether `drain()` has flushed the encoder. */
  #flushed = false;

  /**
   * Loads the encoder's binding (the library itself opens with the first block's format).
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    const vo = await import("../../ffi/media/vo_aac_encoder.ts");
    this.#frames = new AacFrames(vo, this.config.bitrate);
    this.#frameSamples = vo.AAC_FRAME_SAMPLES;
    this.#waiting = [];
    this.#flushed = false;
  }

  /**
   * Writes what waited for memory, then encodes every waiting block, writing each complete
   * 1024-sample frame to `out`. While an encoded frame still finds no memory, blocks stay queued
   * on `in` (back-pressure).
   *
   * @param ctx The node's frames.
   * @throws {AacEncoderConfigError} For a format it cannot encode, or another than the first.
   * @throws {AacEncoderUnavailableError} When `libvo-aacenc` is not installed.
   */
  process(ctx: ProcessContext): void {
    const frames = this.#frames!;
    const waiting = this.#waiting;
    while (waiting.length > 0) {
      const { data, timestampNs, encoder } = waiting[0];
      if (!this.#write(ctx, data, timestampNs, encoder)) return;
      waiting.shift();
    }
    let block;
    while ((block = this.inputs.in.read()) !== undefined) {
      ctx.frames.consume(block); // fed to the encoder: it cannot go back to the input
      frames.add(block, (data, timestampNs, encoder) => {
        if (waiting.length > 0 || !this.#write(ctx, data, timestampNs, encoder)) {
          waiting.push({ data: data.slice(), timestampNs, encoder });
        }
      });
      if (waiting.length > 0) return;
    }
  }

  /**
   * At the end of the stream: writes what waited for memory, then the last partial frame padded
   * with silence and the frames the encoder still holds (its 1600-sample delay), so the stream's
   * last samples are encoded.
   *
   * @param ctx The node's frames.
   * @returns `true` while frames wait for memory (called again when some is freed).
   */
  override drain(ctx: ProcessContext): boolean {
    const waiting = this.#waiting;
    while (waiting.length > 0) {
      const { data, timestampNs, encoder } = waiting[0];
      if (!this.#write(ctx, data, timestampNs, encoder)) return true;
      waiting.shift();
    }
    if (!this.#flushed) {
      this.#flushed = true;
      this.#frames!.flush((data, timestampNs, encoder) => {
        if (waiting.length > 0 || !this.#write(ctx, data, timestampNs, encoder)) {
          waiting.push({ data: data.slice(), timestampNs, encoder });
        }
      });
    }
    return waiting.length > 0;
  }

  /** Writes one encoded frame; `false` when no frame memory is free. */
  #write(ctx: ProcessContext, data: Uint8Array, timestampNs: number, encoder: VoAacEncoder) {
    const frame = ctx.frames.encodedAudio({
      codec: "aac",
      byteLength: data.length,
      sampleRate: encoder.sampleRate,
      channels: encoder.channels,
      frameCount: this.#frameSamples,
      extradata: encoder.audioSpecificConfig,
    });
    if (frame === undefined) return false;
    frame.data.set(data);
    frame.timestampNs = timestampNs;
    frame.frameNumber = this.#packets++;
    this.#bytes += data.length;
    this.outputs.out.write(frame);
    return true;
  }

  /** Packets written and their bytes. */
  override reportStats(): { [key: string]: number } {
    return { packets: this.#packets, bytes: this.#bytes };
  }

  /** Frees the encoder (a partial frame waiting is dropped). Idempotent. */
  override teardown(): void {
    this.#frames?.close();
    this.#waiting = [];
  }
}
