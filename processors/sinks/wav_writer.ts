/**
 * The {@linkcode WavWriter} processor.
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
import { convertChannels } from "../dsp/channel_convert.ts";
import { WavWriter as WavFileWriter } from "../formats/wav_writer.ts";
import { TakePaths } from "../formats/take_paths.ts";
import { SampleRateMismatchError } from "../formats/writer_errors.ts";
import type { WavWriterTypes } from "./wav_writer.gen.ts";

/**
 * Config of {@linkcode WavWriter}.
 */
export interface WavWriterConfig {
  /**
   * The WAV file to record to; created, or replaced if it exists. Later takes of the same node
   * (a restart, or the graph started again) go to `<name>-1.wav`, `<name>-2.wav`, ...
   *
   * @minLength 1
   */
  path: string;
  /**
   * Sample encoding in the file: 16-bit integer PCM or 32-bit IEEE float.
   *
   * @default "pcm16"
   */
  sampleFormat: "pcm16" | "float32";
  /**
   * Samples per second per channel written in the header; a block at another rate fails the node
   * with `SampleRateMismatchError` (there is no resampler).
   *
   * @integer
   * @minimum 8000
   * @maximum 192000
   * @default 48000
   */
  sampleRate: number;
  /**
   * Channels in the file; blocks with another channel count are converted to it.
   *
   * @integer
   * @minimum 1
   * @maximum 32
   * @default 2
   */
  channels: number;
}

/**
 * Records audio to a WAV file.
 *
 * The file is created in `setup()` with a header for zero samples. `process()` appends every
 * waiting block with async file I/O and, after each block, patches the header sizes, so the file
 * on disk is a complete, playable WAV of everything recorded so far at every moment: a process
 * that dies mid-recording leaves a readable file. `teardown()` waits for pending writes and
 * closes the file; it is idempotent, and `process()` after it writes nothing.
 *
 * The input takes audio of any channel count (so an `AudioFrame<1>` or `AudioFrame<2>` output
 * connects); blocks whose channel count differs from `channels` are converted as in
 * `convertChannels`. There is no resampler: a block whose sample rate differs from `sampleRate`
 * fails the node with `SampleRateMismatchError` (handled per its `onError` policy), so a wrong
 * rate never leaves a silent, empty file. Each take after the first goes to the next free
 * `<name>-N.wav` (`TakePaths`), so a restarted graph never truncates a recording.
 *
 * @example Record two blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { connectLocal, createAudioFrame, monotonicClock, OutputBinding, type AudioFrame } from "@streamlib/streamlib";
 * import { wavWriterNode } from "./wav_writer.gen.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const ports = wavWriterNode.ports();
 * const writer = wavWriterNode.create({ path: `${dir}/take.wav`, sampleRate: 8000 }, ports);
 * const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * const ctx = createProcessContext("rec");
 * await writer.setup(ctx);
 * source.write(createAudioFrame(2, 8000, 80));
 * source.write(createAudioFrame(2, 8000, 80));
 * await writer.process(ctx);
 * await writer.teardown();
 * assert.equal(writer.framesWritten, 160);
 * assert.equal((await Deno.stat(`${dir}/take.wav`)).size, 684);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["audio", "sink", "file"], mode: "push" })
export class WavWriter extends Processor<WavWriterTypes> {
  /** Audio to record, any channel count. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** File, encoding, rate and channel count. */
  @config()
  config!: WavWriterConfig;

  #file: WavFileWriter | undefined;
  #scratch = new Float32Array(0);
  #closing: Promise<void> | undefined;
  readonly #takes = new TakePaths();
  #path = "";

  /** Frames (samples per channel) written so far. */
  get framesWritten(): number {
    return this.#file?.framesWritten ?? 0;
  }

  /** The file the current (or last) take records to: `path`, then `<name>-1.wav`, ... */
  get path(): string {
    return this.#path;
  }

  /**
   * Creates the take's file and writes its header.
   *
   * @param _ctx The node's name and clock.
   * @throws {NotRegularFileTargetError} When `path` is a FIFO, device, folder or socket (code
   *   `not_regular_file`): refused before opening, so a FIFO never blocks.
   * @throws {Deno.errors.NotFound} When the directory does not exist (and other open errors).
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    await this.teardown(); // a second setup() finishes the previous recording first
    const { sampleFormat, sampleRate, channels } = this.config;
    const path = this.#path = await this.#takes.next(this.config.path);
    this.#file = await WavFileWriter.create(path, { sampleRate, channels, sampleFormat });
    this.#scratch = new Float32Array(channels * 4096);
    this.#closing = undefined;
  }

  /**
   * Appends every block waiting on `in`; the header describes them when it returns. A block
   * not recorded (the one at a wrong rate, or any read after teardown) is counted with
   * `ctx.frames.drop()`, so it shows in the node's `framesDropped`.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {SampleRateMismatchError} When a block's sample rate is not `sampleRate`.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const { sampleRate, channels } = this.config;
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      const file = this.#file;
      if (!file || this.#closing) {
        ctx.frames.drop(frame); // read after teardown: not recorded, so counted
        continue;
      }
      if (frame.sampleRate !== sampleRate) {
        ctx.frames.drop(frame); // the block that fails the node is not in the file either
        throw new SampleRateMismatchError(this.#path, sampleRate, frame.sampleRate);
      }
      let samples = frame.samples;
      if (frame.channels !== channels) {
        if (this.#scratch.length < frame.frameCount * channels) {
          this.#scratch = new Float32Array(frame.frameCount * channels);
        }
        convertChannels(frame.samples, frame.channels, this.#scratch, channels, frame.frameCount);
        samples = this.#scratch;
      }
      await file.write(samples, frame.frameCount);
    }
  }

  /** Waits for pending writes, finalizes the header and closes the file. Idempotent. */
  override teardown(): Promise<void> {
    this.#closing ??= this.#file?.close() ?? Promise.resolve();
    return this.#closing;
  }
}
