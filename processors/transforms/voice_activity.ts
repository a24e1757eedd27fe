/**
 * The {@linkcode VoiceActivity} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type DataFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { Resampler } from "../../ffi/media/resampler.ts";
import type { HeldAudio, HeldBlock } from "../dsp/held_audio.ts";
import type { SileroVad } from "../inference/silero_vad.ts";
import type { SegmentBoundary, SpeechSegmenter } from "../inference/speech_segmenter.ts";
import type { StopRefiner } from "../inference/stop_refiner.ts";
import type { VoiceActivityTypes } from "./voice_activity.gen.ts";

/** The model's rate and window, as `processors/inference/silero_vad.ts` has them. */
const RATE = 16_000;
const WINDOW = 512;
/** How much louder than the closing silence speech is, for a refined stop (`refineStopMs`). */
const STOP_MARGIN_DB = 3;

/** A speech boundary on the `events` output. */
export interface VoiceActivityEvent {
  /** `speech-start` when speech begins, `speech-stop` when it ends. */
  type: "speech-start" | "speech-stop";
  /** Where the boundary is on the media clock (padded by `padMs`), in nanoseconds. */
  timestampNs: number;
}

/** Config of {@linkcode VoiceActivity}. */
export interface VoiceActivityConfig {
  /**
   * Speech probability (0 to 1) at or above which a 32 ms window is speech; speech goes on
   * until the probability falls below `threshold - 0.15`.
   *
   * @minimum 0.05
   * @maximum 0.95
   * @default 0.5
   */
  threshold: number;
  /**
   * Speech must last this long before a segment starts (shorter bursts are not speech), in ms.
   *
   * @integer
   * @minimum 0
   * @maximum 10000
   * @default 250
   */
  minSpeechMs: number;
  /**
   * Silence must last this long inside speech before the segment stops, in ms.
   *
   * @integer
   * @minimum 0
   * @maximum 10000
   * @default 300
   */
  minSilenceMs: number;
  /**
   * Audio kept before each segment's first speech and after its last, in ms.
   *
   * @integer
   * @minimum 0
   * @maximum 2000
   * @default 30
   */
  padMs: number;
  /**
   * How far back from where the model's probability fell a stop may move, to where the audio's
   * level fell to within 3 dB of the loudest 8 ms of the silence that closed the segment, in ms.
   * Silero goes on scoring noise that follows speech as speech for up to about 300 ms; 0 keeps
   * the model's own stop. `speech` lags the input by this much less `padMs` while speech lasts.
   *
   * @integer
   * @minimum 0
   * @maximum 2000
   * @default 400
   */
  refineStopMs: number;
  /**
   * Path of a Silero VAD v5 `.onnx` file; empty for the one packaged on npm
   * (`@ricky0123/vad-web`'s `silero_vad_v5.onnx`).
   *
   * @default ""
   */
  model: string;
}

/**
 * Detects speech with the Silero VAD v5 model (run by `onnxruntime-web` in WebAssembly): speech
 * start and stop events on `events`, and on `speech` the input audio while speech lasts, at its
 * own rate and channels, silence cut out.
 *
 * Audio of any rate and channels is mixed to mono and resampled to 16 kHz (the native
 * `rubato` resampler, `fast` preset) for the model, which gives one speech probability per 32 ms
 * window. A segment starts once speech has lasted `minSpeechMs` and stops once silence has lasted
 * `minSilenceMs`, as Silero's `get_speech_timestamps` decides them (hysteresis from `threshold`
 * down to `threshold - 0.15`). The model goes on scoring noise that follows speech as speech for
 * up to about 300 ms, so the stop is then moved back, by up to `refineStopMs`, to the end of the
 * last 8 ms before the model's stop that is more than 3 dB louder than the loudest 8 ms of the
 * silence that closed the segment; when none is (speech no louder than the noise after it), the
 * model's stop stands. Both boundaries are padded by `padMs` and stamped on the input's media
 * clock (the first block's timestamp plus the samples since), so an event arrives `minSpeechMs`
 * after the start it names, and `minSilenceMs` (plus the model's lag, when the stop was moved)
 * after the stop. Input blocks are copied into the node's own buffer and held there until every
 * sample of them is decided, then written to `speech` as a block of the same span, cut to its
 * speech part (with that part's timestamp), or let go: silence is consumed by the model, not
 * counted as dropped.
 * `speech` therefore lags the input by up to `minSpeechMs + padMs` at a start and by
 * `refineStopMs - padMs` while speech lasts, plus one window. Each window's inference runs inside
 * `process()`, which awaits it; its mean and worst cost per window are in
 * {@linkcode VoiceActivity.inferenceMs} and the node's stats (docs/performance.md has the
 * figures); place the node on a Worker to keep it off the other nodes' isolate. A new input rate
 * or channel count ends the current stream (an open segment stops where its audio ends) and
 * starts another. When the input ends (`drain()`), an open segment stops where the audio ends
 * (its `speech-stop` is written) and the audio still held is decided and written, so nothing of
 * the stream's end is lost. A missing,
 * corrupt or foreign model fails `setup()` with `ModelNotFoundError` (`model_not_found`),
 * `ModelInvalidError` (`model_invalid`) or `ModelMismatchError` (`model_mismatch`); a failed
 * inference fails the node with `InferenceFailedError` (`inference_failed`).
 *
 * @example Half a second of silence: scored, no event, nothing on `speech`
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, type DataFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { VoiceActivity, VoiceActivityEvent } from "@streamlib/streamlib/processors";
 * import { voiceActivityNode } from "./voice_activity.gen.ts";
 *
 * const ports = voiceActivityNode.ports();
 * const vad = voiceActivityNode.create({ minSilenceMs: 500 }, ports) as VoiceActivity;
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
 * const speech = new InputBinding<AudioFrame>("speech", "AudioFrame");
 * const events = new InputBinding<DataFrame<VoiceActivityEvent>>("events", "DataFrame");
 * connectLocal(source, ports.input("in"), { capacity: 64 });
 * connectLocal(ports.output("speech"), speech);
 * connectLocal(ports.output("events"), events);
 * const ctx = createProcessContext("vad");
 * await vad.setup(ctx);
 * for (let i = 0; i < 50; i++) source.write({ ...createAudioFrame(2, 48_000, 480), timestampNs: i * 10_000_000 });
 * await vad.process(ctx);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * assert.ok(vad.windows >= 14); // 32 ms windows of 16 kHz audio
 * assert.equal(events.read(), undefined);
 * assert.equal(speech.read(), undefined);
 * vad.teardown();
 * ```
 */
@processor({ tags: ["audio", "inference", "vad"], mode: "push" })
export class VoiceActivity extends Processor<VoiceActivityTypes> {
  /** Audio of any rate and channels. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** The input audio while speech lasts (padded), at its own rate and channels. */
  @output()
  speech!: OutputPort<AudioFrame>;

  /** `speech-start` and `speech-stop` events, each stamped with the boundary's media time. */
  @output()
  events!: OutputPort<DataFrame<VoiceActivityEvent>>;

  /** Threshold, durations, padding and model. */
  @config()
  config!: VoiceActivityConfig;

  #vad: SileroVad | undefined;
  #newSegmenter: (() => SpeechSegmenter) | undefined;
  #segmenter: SpeechSegmenter | undefined;
  #refiner: StopRefiner | undefined;
  #native: typeof Resampler | undefined;
  #resampler: Resampler | undefined;
  /** The resampler's delay in 16 kHz samples (0 without one). */
  #latency = 0;
  #rate = 0;
  #channels = 0;
  #startNs = 0;
  /** Input frames of the current stream so far. */
  #inputFrames = 0;
  /** 16 kHz samples given to the model so far. */
  #modelled = 0;
  readonly #window = new Float32Array(WINDOW);
  #fill = 0;
  #mono = new Float32Array(0);
  #held: HeldAudio | undefined;
  /** Whether `drain()` has stopped the stream's open segment. */
  #finished = false;
  #windows = 0;
  #segments = 0;
  #inferenceMs = 0;
  #maxInferenceMs = 0;

  /** Whether a speech segment is open. */
  get speaking(): boolean {
    return this.#segmenter?.speaking ?? false;
  }

  /** Windows the model has scored since `setup()`. */
  get windows(): number {
    return this.#windows;
  }

  /** Mean milliseconds one 32 ms window's inference took (0 before the first). */
  get inferenceMs(): number {
    return this.#windows === 0 ? 0 : this.#inferenceMs / this.#windows;
  }

  /**
   * Loads the model and imports the resampler and segmenter (on first use, so a program that
   * never runs the node does not load `onnxruntime-web`).
   *
   * @param _ctx The node's name and clock.
   * @throws {ModelNotFoundError} When the model file or its package is missing.
   * @throws {ModelInvalidError} When the model file is not an ONNX model.
   * @throws {ModelMismatchError} When it is not a Silero VAD v5 model.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.teardown();
    const [{ SileroVad }, { SpeechSegmenter }, { StopRefiner }, { Resampler }, { HeldAudio }] =
      await Promise.all([
        import("../inference/silero_vad.ts"),
        import("../inference/speech_segmenter.ts"),
        import("../inference/stop_refiner.ts"),
        import("../../ffi/media/resampler.ts"),
        import("../dsp/held_audio.ts"),
      ]);
    const { threshold, minSpeechMs, minSilenceMs, padMs, refineStopMs, model } = this.config;
    const samples = (ms: number) => ms * RATE / 1000;
    this.#newSegmenter = () => {
      this.#refiner = refineStopMs > 0
        ? new StopRefiner({
          lookback: samples(refineStopMs),
          silence: samples(minSilenceMs) + WINDOW,
          marginDb: STOP_MARGIN_DB,
        })
        : undefined;
      return new SpeechSegmenter({
        threshold,
        minSpeech: samples(minSpeechMs),
        minSilence: samples(minSilenceMs),
        pad: samples(padMs),
        refiner: this.#refiner,
      });
    };
    this.#native = Resampler;
    this.#held = new HeldAudio();
    this.#vad = await SileroVad.open(model === "" ? undefined : model);
    this.#windows = 0;
    this.#segments = 0;
    this.#inferenceMs = 0;
    this.#maxInferenceMs = 0;
  }

  /**
   * Scores the audio waiting on `in`, writes the boundaries it decides and the speech it
   * holds.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {InferenceFailedError} When a window's inference fails.
   * @throws {ResamplerRateError} For a block at a rate outside 1000 to 768000 Hz.
   */
  async process(ctx: ProcessContext): Promise<void> {
    if (this.#vad === undefined) return; // not set up
    if (!this.#release(ctx, this.#segmenter?.decidedUntil ?? 0)) return;
    const { speech, events } = this.outputs;
    let frame;
    // Read only while both outputs take more (back-pressure); held blocks wait in #held.
    while (speech.space > 0 && events.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      if (frame.frameCount === 0 || frame.samples.length === 0) {
        ctx.frames.drop(frame);
        continue;
      }
      if (frame.sampleRate !== this.#rate || frame.channels !== this.#channels) {
        if (this.#rate !== 0) {
          ctx.log.info(
            `input changed from ${this.#rate} Hz x${this.#channels} to ${frame.sampleRate} Hz x${frame.channels}: a new stream starts`,
          );
          this.#endStream(ctx);
        }
        this.#startStream(frame);
      }
      const start = this.#inputFrames * RATE / this.#rate;
      this.#inputFrames += frame.frameCount;
      const end = this.#inputFrames * RATE / this.#rate;
      this.#held!.push(frame, start, end);
      ctx.frames.consume(frame); // copied and scored: never given back to the input
      const mono = this.#downmix(frame);
      await this.#score(this.#resampler === undefined ? mono : this.#resampler.process(mono));
      if (!this.#release(ctx, this.#segmenter!.decidedUntil)) return;
    }
  }

  /**
   * At the end of the stream: an open segment stops where the audio ends, and the audio still
   * held is written (as a new input rate or channel count does for the stream before it).
   *
   * @param ctx The node's frames.
   * @returns `true` while held audio waits for room on `speech` or for frame memory.
   */
  override drain(ctx: ProcessContext): boolean {
    if (this.#vad === undefined || this.#rate === 0) return false; // no stream began
    if (!this.#finished) {
      this.#finished = true;
      const boundary = this.#segmenter!.finish(this.#inputFrames * RATE / this.#rate);
      if (boundary !== undefined) this.#event(boundary);
    }
    return !this.#release(ctx, Infinity);
  }

  /** Releases held audio (unwritten), the model and the resampler. Idempotent. */
  override teardown(): void {
    this.#held = undefined;
    this.#resampler?.close();
    this.#resampler = undefined;
    this.#vad?.close();
    this.#vad = undefined;
    this.#segmenter = undefined;
    this.#refiner = undefined;
    this.#rate = 0;
    this.#channels = 0;
  }

  /** Windows scored, segments found and inference time per window. */
  override reportStats(): { [key: string]: number | boolean } {
    return {
      speaking: this.speaking,
      windows: this.#windows,
      segments: this.#segments,
      inferenceMsMean: Math.round(this.inferenceMs * 1000) / 1000,
      inferenceMsMax: Math.round(this.#maxInferenceMs * 1000) / 1000,
    };
  }

  #startStream(frame: AudioFrame): void {
    this.#finished = false;
    this.#rate = frame.sampleRate;
    this.#channels = frame.channels;
    this.#startNs = frame.timestampNs;
    this.#inputFrames = 0;
    this.#modelled = 0;
    this.#fill = 0;
    this.#vad!.reset();
    this.#held!.reset(frame.channels);
    this.#segmenter = this.#newSegmenter!();
    this.#resampler?.close();
    this.#resampler = undefined;
    this.#latency = 0;
    if (frame.sampleRate !== RATE) {
      this.#resampler = this.#native!.create({
        inputRate: frame.sampleRate,
        outputRate: RATE,
        channels: 1,
        quality: "fast",
      });
      this.#latency = this.#resampler.latencyFrames;
    }
  }

  /** Ends the stream: an open segment stops where the audio ends; all held audio is decided. */
  #endStream(ctx: ProcessContext): void {
    const boundary = this.#segmenter!.finish(this.#inputFrames * RATE / this.#rate);
    if (boundary !== undefined) this.#event(boundary);
    if (!this.#release(ctx, Infinity)) {
      const blocks = this.#held!.length;
      ctx.log.warn(
        `no memory for the speech of the last ${blocks} block(s) of the stream: not written`,
      );
    }
  }

  /** Mono samples of `frame` (non-finite ones as 0) in a buffer reused from block to block. */
  #downmix(frame: AudioFrame): Float32Array {
    const { frameCount, channels, samples } = frame;
    if (this.#mono.length < frameCount) this.#mono = new Float32Array(frameCount * 2);
    const mono = this.#mono.subarray(0, frameCount);
    const scale = 1 / channels;
    for (let i = 0; i < frameCount; i++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += samples[i * channels + c];
      mono[i] = Number.isFinite(sum) ? sum * scale : 0;
    }
    return mono;
  }

  /** Feeds 16 kHz samples to the model window by window and writes the boundaries decided. */
  async #score(samples: Float32Array): Promise<void> {
    const window = this.#window;
    for (let i = 0; i < samples.length;) {
      const n = Math.min(WINDOW - this.#fill, samples.length - i);
      window.set(samples.subarray(i, i + n), this.#fill);
      this.#fill += n;
      i += n;
      if (this.#fill < WINDOW) break;
      this.#fill = 0;
      const t0 = performance.now();
      const probability = await this.#vad!.probability(window);
      const ms = performance.now() - t0;
      this.#windows++;
      this.#inferenceMs += ms;
      if (ms > this.#maxInferenceMs) this.#maxInferenceMs = ms;
      const start = this.#modelled - this.#latency;
      this.#modelled += WINDOW;
      this.#refiner?.record(window, start);
      const boundary = this.#segmenter!.push(probability, start, start + WINDOW);
      if (boundary !== undefined) {
        if (boundary.type === "speech-start") this.#segments++;
        this.#event(boundary);
      }
    }
  }

  #event(boundary: SegmentBoundary): void {
    const timestampNs = this.#nsAt(boundary.at);
    this.outputs.events.write({
      kind: "data",
      timestampNs,
      value: { type: boundary.type, timestampNs },
    });
  }

  #nsAt(position: number): number {
    return this.#startNs + Math.round(position * 1e9 / RATE);
  }

  /**
   * Writes the speech of every held block decided before `until` and lets the blocks go; false
   * when the output is full or memory ran out (the rest waits for the next run).
   */
  #release(ctx: ProcessContext, until: number): boolean {
    const segmenter = this.#segmenter;
    const held = this.#held;
    if (segmenter === undefined || held === undefined) return true;
    let block;
    while ((block = held.oldest) !== undefined && block.end <= until) {
      if (!this.#writeSpeech(ctx, block, segmenter.segments)) return false;
      held.shift();
    }
    segmenter.prune(block !== undefined ? block.start : until);
    return true;
  }

  /** Writes the parts of `block` inside `segments`, each a new block with its own timestamp. */
  #writeSpeech(
    ctx: ProcessContext,
    block: HeldBlock,
    segments: readonly { start: number; end: number }[],
  ): boolean {
    const { frameCount, sampleRate } = block;
    const channels = this.#channels;
    const speech = this.outputs.speech;
    const scale = sampleRate / RATE;
    for (const segment of segments) {
      if (segment.end <= block.start || segment.start >= block.end) continue;
      const from = Math.max(block.done, Math.round((segment.start - block.start) * scale), 0);
      const to = Math.min(Math.round((segment.end - block.start) * scale), frameCount);
      if (to <= from) continue;
      if (speech.space <= 0) return false;
      const part = ctx.frames.audio({ channels, sampleRate, frameCount: to - from });
      if (part === undefined) return false;
      this.#held!.copy(block, from, to, part.samples);
      part.timestampNs = block.timestampNs + Math.round(from * 1e9 / sampleRate);
      part.frameNumber = block.frameNumber;
      speech.write(part);
      block.done = to;
    }
    return true; // a block of silence is not dropped: the model consumed it
  }
}
