/**
 * The {@linkcode Reverb} processor.
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
import type { NativeFreeverb } from "../../ffi/media/native_freeverb.ts";
import type { ReverbTypes } from "./reverb.gen.ts";

/**
 * Config of {@linkcode Reverb}.
 *
 * @example `wet: 0, dry: 1` passes audio through unchanged
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { type ReverbConfig } from "@streamlib/streamlib/processors";
 * import { reverbNode } from "./reverb.gen.ts";
 *
 * const config: ReverbConfig = { roomSize: 0.5, damping: 0.5, wet: 0, dry: 1, width: 1 };
 * const ports = reverbNode.ports();
 * const reverb = reverbNode.create(config, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("reverb");
 * await reverb.setup(ctx);
 * const block = createAudioFrame(2, 48_000, 2);
 * block.samples.set([0.5, -0.5, 0.25, -0.25]);
 * source.write(block);
 * reverb.process(ctx);
 * assert.deepEqual([...sink.read()!.samples], [0.5, -0.5, 0.25, -0.25]);
 * ctx.frames.flush(); // what the runtime does when process() returns
 * ```
 */
export interface ReverbConfig {
  /**
   * Room size: how long the tail lasts (comb feedback `0.7 + 0.28 * roomSize`).
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.5
   */
  roomSize: number;
  /**
   * High-frequency damping of the tail.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.5
   */
  damping: number;
  /**
   * Linear gain of the reverberated signal.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.3
   */
  wet: number;
  /**
   * Linear gain of the unprocessed signal; `wet: 0, dry: 1` passes audio through.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.7
   */
  dry: number;
  /**
   * Stereo width of the tail: 0 is the same tail on both sides, 1 fully decorrelated.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 1
   */
  width: number;
}

/** The rate the delay lines are allocated for in `setup()`, before the first block is seen. */
const SETUP_SAMPLE_RATE = 48_000;

/**
 * Adds a room to stereo audio with Jezar's Freeverb: eight damped comb filters and four allpass
 * filters per channel (see `docs/media_algorithms.md`), run in the native library
 * (`NativeFreeverb`, whose output is the TypeScript `Freeverb`'s of `processors/dsp/` bit for bit,
 * in less than half its CPU time).
 *
 * The delay lines are allocated in `setup()` for 48 kHz; a stream at another rate reallocates
 * them once, at its first block (and again only if the rate changes). Blocks keep their sample
 * rate, timestamp and frame number. Each block is reverberated in place when this node holds its
 * only reference (`ctx.frames.writable()`), so in steady state the reverb allocates nothing. The
 * defaults mix 30% wet with 70% dry.
 *
 * @example Hear the tail of an impulse
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { reverbNode } from "./reverb.gen.ts";
 *
 * const ports = reverbNode.ports();
 * const reverb = reverbNode.create({ roomSize: 0.8, wet: 1, dry: 0 }, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("reverb");
 * await reverb.setup(ctx);
 * const impulse = createAudioFrame(2, 48_000, 4800);
 * impulse.samples[0] = impulse.samples[1] = 1;
 * source.write(impulse);
 * reverb.process(ctx);
 * const tail = sink.read()!.samples;
 * assert.equal(tail[0], 0); // all wet: nothing before the shortest comb's delay
 * assert.ok(tail.some((s) => s !== 0));
 * ctx.frames.flush();
 * ```
 */
@processor({ tags: ["audio", "effect", "reverb"], mode: "push", needsEventLoop: false })
export class Reverb extends Processor<ReverbTypes> {
  /** Stereo audio to reverberate. */
  @input({ required: true })
  in!: InputPort<AudioFrame<2>>;

  /** The audio with reverb. */
  @output()
  out!: OutputPort<AudioFrame<2>>;

  /** Room size, damping, mix and width. */
  @config()
  config!: ReverbConfig;

  #Freeverb: typeof NativeFreeverb | undefined;
  #reverb: NativeFreeverb | undefined;

  /**
   * Allocates the delay lines (for 48 kHz). The reverb's code is imported here, on first use, so
   * a program that never reverberates does not load it.
   *
   * @param _ctx The node's name and clock.
   * @throws {NativeLibraryNotFoundError} When the native library is not built.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.#Freeverb = (await import("../../ffi/media/native_freeverb.ts")).NativeFreeverb;
    this.#reverb = this.#makeReverb(SETUP_SAMPLE_RATE);
  }

  /** Frees the delay lines. */
  override teardown(): void {
    this.#reverb?.close();
    this.#reverb = undefined;
  }

  /**
   * Reverberates every block waiting on `in` and writes it to `out`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    if (!this.#reverb) return;
    const out = this.outputs.out;
    let frame;
    // One block out per block in: read only what the output takes now (back-pressure).
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const block = ctx.frames.writable(frame); // the same block when nobody else sees it
      if (block === undefined) return; // no frame memory: the block is read again when some frees
      if (block.sampleRate !== this.#reverb.sampleRate) {
        this.#reverb.close();
        this.#reverb = this.#makeReverb(block.sampleRate);
      }
      this.#reverb.process(block.samples, block.frameCount);
      out.write(block);
    }
  }

  /**
   * Gives the running reverb its new room size, damping, mix and width in place: the tail keeps
   * ringing (no new delay lines).
   *
   * @param _changed The fields that changed.
   */
  override configChanged(_changed: readonly string[]): void {
    const reverb = this.#reverb;
    if (!reverb) return;
    const { roomSize, damping, wet, dry, width } = this.config;
    reverb.roomSize = roomSize;
    reverb.damping = damping;
    reverb.wet = wet;
    reverb.dry = dry;
    reverb.width = width;
  }

  #makeReverb(sampleRate: number): NativeFreeverb {
    const { roomSize, damping, wet, dry, width } = this.config;
    return this.#Freeverb!.create({ sampleRate, roomSize, damping, wet, dry, width });
  }
}
