/**
 * The {@linkcode AudioResampler} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { Resampler, ResamplerQuality } from "../../ffi/media/resampler.ts";
import type { AudioResamplerTypes } from "./audio_resampler.gen.ts";

/**
 * Config of {@linkcode AudioResampler}.
 *
 * @example 44.1 kHz in, 48 kHz out, at the best quality
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioResampler, type AudioResamplerConfig, createRuntime, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const config: AudioResamplerConfig = { sampleRate: 48_000, quality: "best" };
 * const rt = createRuntime();
 * const tone = rt.add(TestToneGenerator, { sampleRate: 44_100 });
 * const resampler = rt.add(AudioResampler, config, { id: "resampler" });
 * const sink = rt.add(NullSink);
 * rt.connect(tone.outputs.audio, resampler.inputs.in);
 * rt.connect(resampler.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await rt.stop();
 * assert.ok(rt.stats().nodes.resampler.framesOut > 0);
 * assert.deepEqual(rt.frameLeaks(), []);
 * ```
 */
export interface AudioResamplerConfig {
  /**
   * Output samples per second per channel.
   *
   * @integer
   * @minimum 1000
   * @maximum 768000
   * @default 48000
   */
  sampleRate: number;
  /**
   * Filter quality: `fast` (64-tap sinc), `balanced` (128 taps), `best` (256 taps); longer
   * filters pass more of the top octave and reject more aliasing, at more CPU and latency
   * (docs/performance.md has the figures).
   *
   * @default "balanced"
   */
  quality: ResamplerQuality;
}

/**
 * Converts audio of any sample rate to `sampleRate`, 1 to 8 channels, with a windowed-sinc
 * resampler in native code (exact polyphase filters for common ratios, `rubato` for the rest).
 *
 * Channels follow the input. Blocks already at `sampleRate` pass through untouched. Every other
 * block is converted at once (nothing waits for a chunk to fill) and nothing drifts: after `n`
 * input frames the node has written `floor(n * sampleRate / inputRate)` output frames, to within
 * one, however long the stream. Output blocks are stamped on the media clock: the first
 * input block's timestamp plus the output frames before them at `sampleRate`. The filter delays
 * the signal by {@linkcode AudioResampler.latencyNs} (the output starts with that much silence);
 * it is reported, not trimmed, so the count stays true. At the end of the stream (`drain()`)
 * silence goes through the filter until the input's last samples are out: the output then holds
 * the whole input, that delay's frames more than the count above. A block whose sample rate or channel
 * count differs from the previous one restarts the resampler (its history is dropped, the clock
 * restarts at that block's timestamp) and logs a line saying so; {@linkcode AudioResampler.restarts}
 * counts them. NaN and infinite samples go in as silence (counted in
 * {@linkcode AudioResampler.nonFiniteSamples}); empty blocks are skipped. A block at a rate
 * outside 1000 to 768000 Hz fails the node with `ResamplerRateError`
 * (`resampler_rate_out_of_range`), one of more than 8 channels with `ResamplerChannelsError`
 * (`resampler_too_many_channels`; put a `ChannelConverter` in front).
 *
 * @example Resample one 48 kHz block to 16 kHz
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { audioResamplerNode } from "./audio_resampler.gen.ts";
 *
 * const ports = audioResamplerNode.ports();
 * const resampler = audioResamplerNode.create({ sampleRate: 16_000 }, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame>("sink", "AudioFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("resampler");
 * await resampler.setup(ctx);
 * source.write({ ...createAudioFrame(2, 48_000, 480), timestampNs: 1_000_000 });
 * resampler.process(ctx);
 * const out = sink.read()!;
 * assert.deepEqual([out.sampleRate, out.channels, out.frameCount, out.timestampNs], [16_000, 2, 160, 1_000_000]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * resampler.teardown();
 * ```
 */
@processor({ tags: ["audio", "resample"], mode: "push", needsEventLoop: false })
export class AudioResampler extends Processor<AudioResamplerTypes> {
  /** Audio of any rate, 1 to 8 channels. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** The audio at `sampleRate`, with the input's channels. */
  @output()
  out!: OutputPort<AudioFrame>;

  /** Output rate and quality. */
  @config()
  config!: AudioResamplerConfig;

  #native: typeof Resampler | undefined;
  /** The error classes and limits, imported with the resampler in `setup()`. */
  #limits: typeof import("../../ffi/media/resampler_errors.ts") | undefined;
  #resampler: Resampler | undefined;
  /** The input rate and channels the current stream has (0 before its first block). */
  #inputRate = 0;
  #channels = 0;
  /** Timestamp of the stream's first block, and output frames written since. */
  #startNs = 0;
  #written = 0;
  #blocks = 0;
  #restarts = 0;
  #empty = 0;
  #nonFinite = 0;
  /** Converted samples that found no frame memory: they go out first next run. */
  #pending: Float32Array | undefined;
  /** Whether the filter's tail went through at the end of the stream (`drain()`). */
  #drained = false;

  /** How late the signal comes out, in nanoseconds (0 before the first block, or when passing through). */
  get latencyNs(): number {
    const r = this.#resampler;
    return r === undefined ? 0 : Math.round(r.latencyFrames * 1e9 / r.outputRate);
  }

  /** Times a new input rate or channel count restarted the resampler. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Empty blocks skipped. */
  get emptyBlocks(): number {
    return this.#empty;
  }

  /** Input samples that were NaN or infinite and went in as silence. */
  get nonFiniteSamples(): number {
    return this.#nonFinite + (this.#resampler?.stats().nonFiniteSamples ?? 0);
  }

  /**
   * Imports the native resampler (on first use, so a program that never resamples does not load
   * it); the resampler itself is made for the first block's rate and channels.
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.teardown();
    this.#native = (await import("../../ffi/media/resampler.ts")).Resampler;
    this.#limits = await import("../../ffi/media/resampler_errors.ts");
    this.#inputRate = 0;
    this.#channels = 0;
    this.#blocks = 0;
    this.#restarts = 0;
    this.#empty = 0;
    this.#nonFinite = 0;
  }

  /**
   * Resamples every block waiting on `in`.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {ResamplerRateError} For a block at a rate outside 1000 to 768000 Hz.
   * @throws {ResamplerChannelsError} For a block of more than 8 channels.
   */
  process(ctx: ProcessContext): void {
    const limits = this.#limits;
    if (limits === undefined) return; // not set up
    if (this.#pending !== undefined && !this.#emit(ctx, this.#pending)) return;
    const out = this.outputs.out;
    let frame;
    // At most one block out per block in: read only what the output takes now (back-pressure).
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      if (frame.frameCount === 0 || frame.samples.length === 0) {
        ctx.frames.drop(frame);
        this.#empty++;
        continue;
      }
      const { sampleRate, channels } = frame;
      if (
        !Number.isInteger(sampleRate) || sampleRate < limits.RESAMPLER_MIN_RATE ||
        sampleRate > limits.RESAMPLER_MAX_RATE
      ) {
        throw new limits.ResamplerRateError("input", sampleRate);
      }
      if (channels < 1 || channels > limits.RESAMPLER_MAX_CHANNELS) {
        throw new limits.ResamplerChannelsError(channels);
      }
      if (sampleRate !== this.#inputRate || channels !== this.#channels) this.#restart(ctx, frame);
      if (this.#resampler === undefined) {
        out.write(frame); // already at the output rate
        continue;
      }
      const converted = this.#resampler.process(frame.samples);
      ctx.frames.consume(frame); // it went into the resampler: never read twice
      if (converted.length === 0) continue;
      if (!this.#emit(ctx, converted)) {
        this.#pending = converted.slice(); // no frame memory: goes out first next run
        return;
      }
    }
  }

  /**
   * At the end of the stream: the input's last {@linkcode Resampler.latencyFrames} are still in
   * the filter. Silence goes through it until they are out, and exactly that many output frames
   * are written, so the output holds the whole input (it began that much late, with silence).
   *
   * @param ctx The node's name, clock and frames.
   * @returns `true` when the output was full or no frame memory was free: called again then.
   */
  override drain(ctx: ProcessContext): boolean {
    if (this.#pending !== undefined) {
      if (this.outputs.out.space === 0 || !this.#emit(ctx, this.#pending)) return true;
    }
    const resampler = this.#resampler;
    if (resampler === undefined || this.#drained) return false;
    this.#drained = true;
    const tailFrames = resampler.latencyFrames;
    // Enough silence for at least `tailFrames` out (one more input frame for the rounding).
    const silence = Math.ceil(tailFrames * this.#inputRate / this.config.sampleRate) + 1;
    const converted = resampler.process(new Float32Array(silence * this.#channels));
    const tail = converted.subarray(0, Math.min(converted.length, tailFrames * this.#channels));
    if (tail.length === 0) return false;
    if (this.outputs.out.space === 0 || !this.#emit(ctx, tail)) {
      this.#pending = tail.slice();
      return true;
    }
    return false;
  }

  /** Frees the native resampler. Idempotent. */
  override teardown(): void {
    this.#resampler?.close();
    this.#resampler = undefined;
    this.#pending = undefined;
  }

  /** A new stream (the first block, or a new rate or channel count): a fresh resampler. */
  #restart(ctx: ProcessContext, frame: AudioFrame): void {
    const { sampleRate, channels } = frame;
    if (this.#inputRate !== 0) {
      this.#restarts++;
      ctx.log.info(
        `input changed from ${this.#inputRate} Hz x${this.#channels} to ${sampleRate} Hz x${channels}: the resampler restarts`,
        { from: this.#inputRate, to: sampleRate, channels },
      );
    }
    if (this.#resampler !== undefined) {
      this.#nonFinite += this.#resampler.stats().nonFiniteSamples;
      this.#resampler.close();
      this.#resampler = undefined;
    }
    this.#pending = undefined;
    this.#drained = false;
    this.#inputRate = sampleRate;
    this.#channels = channels;
    this.#startNs = frame.timestampNs;
    this.#written = 0;
    const outputRate = this.config.sampleRate;
    if (sampleRate === outputRate) return;
    this.#resampler = this.#native!.create({
      inputRate: sampleRate,
      outputRate,
      channels,
      quality: this.config.quality,
    });
  }

  /** Writes `samples` (interleaved, the current channels) as one block; false without memory. */
  #emit(ctx: ProcessContext, samples: Float32Array): boolean {
    const channels = this.#channels;
    const sampleRate = this.config.sampleRate;
    const frameCount = samples.length / channels;
    const block = ctx.frames.audio({ channels, sampleRate, frameCount });
    if (block === undefined) return false;
    block.samples.set(samples);
    block.timestampNs = this.#startNs + Math.round(this.#written * 1e9 / sampleRate);
    block.frameNumber = this.#blocks++;
    this.#written += frameCount;
    this.#pending = undefined;
    this.outputs.out.write(block);
    return true;
  }
}
