/**
 * {@linkcode AacFrames}: audio blocks of any size in, AAC-LC frames out, each stamped with the
 * time of its first input sample less the encoder's delay. What `AacEncoder` and `SrtSink`'s AAC
 * stream share; the encoder binding is handed in (loaded by the caller's `setup()`).
 *
 * @module
 */

import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import { AacEncoderConfigError } from "../../ffi/media/aac_encoder_errors.ts";
import type { VoAacEncoder } from "../../ffi/media/vo_aac_encoder.ts";

/** The encoder binding's module (`ffi/media/vo_aac_encoder.ts`), loaded by the caller. */
export type VoAacModule = typeof import("../../ffi/media/vo_aac_encoder.ts");

/** What {@linkcode AacFrames.add} calls with each frame. */
export type AacFrameSink = (frame: Uint8Array, timestampNs: number, encoder: VoAacEncoder) => void;

/**
 * Gathers blocks into 1024-sample frames and encodes them; the encoder opens with the first
 * block's format, which every later block must have.
 *
 * @example Two frames from 2048 samples
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { AacFrames } from "./aac_frames.ts";
 *
 * const frames = new AacFrames(await import("../../ffi/media/vo_aac_encoder.ts"), 64_000);
 * const times: number[] = [];
 * frames.add({ ...createAudioFrame(1, 16_000, 2048), timestampNs: 1e9 }, (_f, t) => times.push(t));
 * assert.deepEqual(times, [1e9 - 0.1e9, 1e9 - 0.1e9 + 0.064e9]); // 1600 samples = 100 ms early
 * frames.close();
 * ```
 */
export class AacFrames {
  readonly #vo: VoAacModule;
  readonly #bitrate: number;
  #encoder: VoAacEncoder | undefined;
  #pending = new Float32Array(0);
  #filled = 0;
  #pendingStartNs = 0;
  /** Where the frame after the last one encoded starts. */
  #nextStartNs = 0;

  /**
   * Creates the framer; nothing is opened until the first block.
   *
   * @param vo The encoder binding.
   * @param bitrate Bits per second.
   */
  constructor(vo: VoAacModule, bitrate: number) {
    this.#vo = vo;
    this.#bitrate = bitrate;
  }

  /** The encoder, once the first block opened it. */
  get encoder(): VoAacEncoder | undefined {
    return this.#encoder;
  }

  /**
   * Adds one block; `emit` gets every frame it completes.
   *
   * @param block Interleaved samples.
   * @param emit Called with each frame, its timestamp and the encoder.
   * @throws {AacEncoderConfigError} For a format AAC-LC cannot take, or another than the first.
   * @throws {AacEncoderUnavailableError} When `libvo-aacenc` is not installed.
   */
  add(block: AudioFrame, emit: AacFrameSink): void {
    const encoder = this.#encoder ?? this.#open(block);
    if (block.sampleRate !== encoder.sampleRate || block.channels !== encoder.channels) {
      const rate = block.sampleRate !== encoder.sampleRate;
      throw new AacEncoderConfigError(
        rate ? "sampleRate" : "channels",
        rate ? block.sampleRate : block.channels,
        `${encoder.sampleRate} Hz with ${encoder.channels} channel(s), the format the stream began with`,
      );
    }
    const { channels, sampleRate } = encoder;
    const { AAC_ENCODER_DELAY_SAMPLES, AAC_FRAME_SAMPLES } = this.#vo;
    const nsPerSample = 1e9 / sampleRate;
    const delayNs = AAC_ENCODER_DELAY_SAMPLES * nsPerSample;
    const samples = block.samples;
    let offset = 0; // in samples per channel
    while (offset < block.frameCount) {
      if (this.#filled === 0) this.#pendingStartNs = block.timestampNs + offset * nsPerSample;
      const take = Math.min(AAC_FRAME_SAMPLES - this.#filled, block.frameCount - offset);
      this.#pending.set(
        samples.subarray(offset * channels, (offset + take) * channels),
        this.#filled * channels,
      );
      this.#filled += take;
      offset += take;
      if (this.#filled < AAC_FRAME_SAMPLES) break;
      this.#filled = 0;
      this.#nextStartNs = this.#pendingStartNs + AAC_FRAME_SAMPLES * nsPerSample;
      const data = encoder.encode(this.#pending);
      if (data.length > 0) emit(data, this.#pendingStartNs - delayNs, encoder);
    }
  }

  /**
   * At the end of the stream: encodes the partial frame padded with silence, then silence until
   * the encoder's delay has come out, so the last samples added are in the frames emitted (a
   * decoder that drops the first `AAC_ENCODER_DELAY_SAMPLES` ends at or after the last one).
   * Nothing before the first `add()`. Then it starts over: `add()` begins a new frame.
   *
   * @param emit Receives each frame with its timestamp, as from `add()`.
   */
  flush(emit: AacFrameSink): void {
    const encoder = this.#encoder;
    if (encoder === undefined) return;
    const { AAC_ENCODER_DELAY_SAMPLES, AAC_FRAME_SAMPLES } = this.#vo;
    const nsPerSample = 1e9 / encoder.sampleRate;
    const delayNs = AAC_ENCODER_DELAY_SAMPLES * nsPerSample;
    if (this.#filled === 0) this.#pendingStartNs = this.#nextStartNs;
    let left = this.#filled + AAC_ENCODER_DELAY_SAMPLES; // samples still inside
    while (left > 0) {
      this.#pending.fill(0, this.#filled * encoder.channels);
      this.#filled = 0;
      const data = encoder.encode(this.#pending);
      if (data.length > 0) emit(data, this.#pendingStartNs - delayNs, encoder);
      this.#pendingStartNs += AAC_FRAME_SAMPLES * nsPerSample;
      left -= AAC_FRAME_SAMPLES;
    }
    this.#nextStartNs = this.#pendingStartNs;
  }

  #open(block: AudioFrame): VoAacEncoder {
    const vo = this.#vo;
    vo.checkAacFormat(block.sampleRate, block.channels, this.#bitrate);
    const encoder = vo.VoAacEncoder.create({
      sampleRate: block.sampleRate,
      channels: block.channels,
      bitrate: this.#bitrate,
    });
    this.#encoder = encoder;
    this.#pending = new Float32Array(vo.AAC_FRAME_SAMPLES * block.channels);
    this.#filled = 0;
    return encoder;
  }

  /** Frees the encoder (a partial frame waiting is dropped). Idempotent. */
  close(): void {
    this.#encoder?.close();
    this.#encoder = undefined;
    this.#filled = 0;
  }
}
