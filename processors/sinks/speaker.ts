/**
 * The {@linkcode Speaker} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  input,
  type InputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { NativeError } from "../../ffi/native/errors.ts";
import type { SpeakerDeviceError } from "../../ffi/media/speaker_errors.ts";
import type { NativeSpeaker, NativeSpeakerStats } from "../../ffi/media/speaker.ts";
import { convertChannels } from "../dsp/channel_convert.ts";
import type { SpeakerTypes } from "./speaker.gen.ts";

/**
 * Config of {@linkcode Speaker}.
 */
export interface SpeakerConfig {
  /**
   * The output device: a `cpal` device ID (`alsa:hw:0,0` on Linux); empty for the default output.
   *
   * @default ""
   */
  device: string;
  /**
   * The rate the device is opened at; a block at another rate reopens it at that rate. A device
   * that does not offer the rate plays at its own, and the samples are resampled natively.
   *
   * @integer
   * @minimum 8000
   * @maximum 192000
   * @default 48000
   */
  sampleRate: number;
  /**
   * Channels asked of the device; it may offer another count (the nearest above, else below).
   * Blocks of any channel count are converted to the device's.
   *
   * @integer
   * @minimum 1
   * @maximum 32
   * @default 2
   */
  channels: number;
  /**
   * Audio queued between the graph and the device, in ms: the most latency the node adds, and
   * how long upstream may stall before the device underruns.
   *
   * @integer
   * @minimum 20
   * @maximum 2000
   * @default 200
   */
  bufferMs: number;
}

/** The counters in `rt.stats().nodes[id].processor`. */
export type SpeakerStats = {
  /** Frames queued for the device (at the blocks' rate). */
  writtenFrames: number;
  /** Frames the device played (at its rate). */
  playedFrames: number;
  /** Times the device ran dry after it started playing (each gap counts once). */
  underruns: number;
  /** Frames of silence played in those gaps. */
  underrunFrames: number;
  /** Xruns the device reported itself. */
  xruns: number;
  /** Frames queued and not played yet. */
  queuedFrames: number;
  /** The rate the device plays at. */
  deviceRate: number;
  /** Channels the device was opened with. */
  deviceChannels: number;
  /** Times a block at a new rate reopened the device. */
  reopens: number;
};

/** Longest wait before a run retries a block the full queue did not take, in ms. */
const MAX_RETRY_MS = 20;

/**
 * Plays audio on an output device through `cpal` in native code: ALSA on Linux, CoreAudio on
 * macOS (docs/decisions/0048-speaker-with-cpal.md).
 *
 * `setup()` opens the device (the default output unless `device` names one) at `sampleRate`
 * with `channels`, or with what the device offers nearest to them; the device's own thread plays
 * from a ring of `bufferMs` that `process()` fills, and never waits for JavaScript. Blocks of any
 * channel count are converted to the device's; a block at another rate reopens the device at
 * that rate (counted in `reopens`, with a log line). The queue is the node's clock: when it is
 * full, the rest of the block waits in the node and the node stops reading its input (a `fifo`
 * connection then holds upstream back) and retries within 20 ms, so a source faster than real
 * time is paced by the device, not dropped. The device starts playing once half of `bufferMs` is
 * queued (or sooner, when the source stops adding: a short sound is not held back). When the queue
 * runs dry after that, the device plays silence until half of `bufferMs` is queued again, so a
 * live source that runs late makes one gap rather than many clicks: each gap is one underrun
 * (`underruns`, `underrunFrames` in the node's stats). A device that cannot be opened fails `setup()`, and one that goes away while playing
 * fails the node, with `SpeakerDeviceError` (`speaker_device_unavailable`, `reason` saying why).
 * `teardown()` stops the device within 2 s whatever it is doing.
 *
 * @example Learn why a device cannot be opened
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { SpeakerDeviceError } from "@streamlib/streamlib/ffi";
 * import { speakerNode } from "./speaker.gen.ts";
 *
 * const speaker = speakerNode.create({ device: "alsa:no_such_device" }, speakerNode.ports());
 * await assert.rejects(speaker.setup(createProcessContext("out")), (error) => {
 *   assert.ok(error instanceof SpeakerDeviceError);
 *   assert.equal(error.code, "speaker_device_unavailable");
 *   assert.equal(error.reason, Deno.build.os === "linux" ? "not_found" : "failed");
 *   return true;
 * });
 * speaker.teardown();
 * ```
 *
 * @example Play a tone block (needs an output device)
 * ```ts ignore
 * // Needs an audio output: a sound card, or ALSA pointed at a file (docs/processors.md#speaker).
 * import assert from "node:assert/strict";
 * import { createProcessContext, connectLocal, createAudioFrame, OutputBinding, type AudioFrame } from "@streamlib/streamlib";
 * import { speakerNode } from "./speaker.gen.ts";
 *
 * const ports = speakerNode.ports();
 * const speaker = speakerNode.create({ sampleRate: 48_000 }, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * const ctx = createProcessContext("out");
 * await speaker.setup(ctx);
 * source.write(createAudioFrame(2, 48_000, 480));
 * speaker.process(ctx);
 * assert.equal(speaker.reportStats().writtenFrames, 480);
 * speaker.teardown();
 * ```
 */
@processor({ tags: ["audio", "sink", "device"], mode: "push" })
export class Speaker extends Processor<SpeakerTypes> {
  /** Audio to play, any channel count and rate. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** Device, rate, channels and queue length. */
  @config()
  config!: SpeakerConfig;

  #open: typeof NativeSpeaker.open | undefined;
  #deviceError: typeof SpeakerDeviceError | undefined;
  #speaker: NativeSpeaker | undefined;
  #wake: (() => void) | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #scratch = new Float32Array(0);
  /** Samples (device channels) a full queue did not take, waiting for room. */
  #pending = new Float32Array(0);
  #pendingLength = 0;
  #reopens = 0;
  #last: NativeSpeakerStats | undefined;

  /**
   * The counters in `rt.stats().nodes[id].processor`.
   *
   * @returns Frames written and played, underruns, the queue and the device's format.
   */
  override reportStats(): SpeakerStats {
    const s = this.#speaker && !this.#speaker.closed ? this.#speaker.stats() : this.#last;
    return {
      writtenFrames: s?.writtenFrames ?? 0,
      playedFrames: s?.playedFrames ?? 0,
      underruns: s?.underruns ?? 0,
      underrunFrames: s?.underrunFrames ?? 0,
      xruns: s?.xruns ?? 0,
      queuedFrames: s?.queuedFrames ?? 0,
      deviceRate: this.#speaker?.deviceRate ?? 0,
      deviceChannels: this.#speaker?.channels ?? 0,
      reopens: this.#reopens,
    };
  }

  /**
   * Opens the device (the native speaker code is imported here, on first use).
   *
   * @param ctx The node's name, clock and wake.
   * @throws {SpeakerDeviceError} When the device cannot be opened (code
   *   `speaker_device_unavailable`).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const { NativeSpeaker } = await import("../../ffi/media/speaker.ts");
    const { SpeakerDeviceError } = await import("../../ffi/media/speaker_errors.ts");
    this.#open = (options) => NativeSpeaker.open(options);
    this.#deviceError = SpeakerDeviceError;
    this.#wake = ctx.wake;
    this.#reopens = 0;
    this.#speaker = this.#openAt(this.config.sampleRate);
  }

  #openAt(sampleRate: number): NativeSpeaker {
    const { device, channels, bufferMs } = this.config;
    const bufferFrames = Math.max(64, Math.round(sampleRate * bufferMs / 1000));
    try {
      return this.#open!({ device, sampleRate, channels, bufferFrames });
    } catch (error) {
      if (error instanceof NativeError) throw new this.#deviceError!(device, error, false);
      throw error;
    }
  }

  /**
   * Queues every waiting block the device has room for.
   *
   * @param ctx The node's name, clock and log.
   * @throws {SpeakerDeviceError} When the device went away, or a reopen at a new rate fails.
   */
  process(ctx: ProcessContext): void {
    let speaker = this.#speaker;
    if (!speaker) return;
    this.#checkDevice(speaker);
    if (this.#pendingLength > 0 && !this.#flushPending(speaker)) return this.#retryLater(speaker);
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      if (frame.frameCount === 0) continue;
      if (frame.sampleRate !== speaker.sampleRate) {
        ctx.log.info("audio at a new rate: reopening the device", {
          from: speaker.sampleRate,
          to: frame.sampleRate,
        });
        this.#last = speaker.stats();
        speaker.close();
        this.#speaker = undefined;
        speaker = this.#speaker = this.#openAt(frame.sampleRate);
        this.#reopens++;
      }
      const samples = this.#toDevice(speaker, frame);
      const taken = this.#write(speaker, samples);
      if (taken < frame.frameCount) {
        this.#keep(samples.subarray(taken * speaker.channels));
        return this.#retryLater(speaker);
      }
    }
  }

  /** Stops the device (within 2 s) and any retry. Idempotent. */
  override teardown(): void {
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#speaker && !this.#speaker.closed) this.#last = this.#speaker.stats();
    this.#speaker?.close();
    this.#speaker = undefined;
    this.#pendingLength = 0;
  }

  #toDevice(speaker: NativeSpeaker, frame: AudioFrame): Float32Array {
    const channels = speaker.channels;
    if (frame.channels === channels) return frame.samples.subarray(0, frame.frameCount * channels);
    const needed = frame.frameCount * channels;
    if (this.#scratch.length < needed) this.#scratch = new Float32Array(needed);
    convertChannels(frame.samples, frame.channels, this.#scratch, channels, frame.frameCount);
    return this.#scratch.subarray(0, needed);
  }

  #write(speaker: NativeSpeaker, samples: Float32Array): number {
    try {
      return speaker.write(samples);
    } catch (error) {
      if (error instanceof NativeError) {
        throw new this.#deviceError!(this.config.device, error, true);
      }
      throw error;
    }
  }

  #keep(rest: Float32Array): void {
    if (this.#pending.length < rest.length) this.#pending = new Float32Array(rest.length);
    this.#pending.set(rest);
    this.#pendingLength = rest.length;
  }

  /** Writes what waits; whether all of it went. */
  #flushPending(speaker: NativeSpeaker): boolean {
    const waiting = this.#pending.subarray(0, this.#pendingLength);
    const taken = this.#write(speaker, waiting) * speaker.channels;
    if (taken < waiting.length) {
      this.#pending.copyWithin(0, taken, this.#pendingLength);
      this.#pendingLength -= taken;
      return false;
    }
    this.#pendingLength = 0;
    return true;
  }

  /** Asks for another run once the device has played some of the queue. */
  #retryLater(speaker: NativeSpeaker): void {
    const wake = this.#wake;
    if (!wake || this.#retry !== undefined) return;
    const ms = Math.min(MAX_RETRY_MS, Math.max(1, this.config.bufferMs / 4));
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!speaker.closed) wake();
    }, ms);
  }

  #checkDevice(speaker: NativeSpeaker): void {
    const { running, failureStatus } = speaker.stats();
    if (!running && failureStatus !== 0) {
      // The next write reports the device's failure as its error.
      this.#write(speaker, new Float32Array(speaker.channels));
    }
  }
}
