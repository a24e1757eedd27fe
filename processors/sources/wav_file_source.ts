/**
 * The {@linkcode WavFileSource} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { convertChannels } from "../dsp/channel_convert.ts";
import type { WavReader } from "../formats/wav_reader.ts";
import type { WavFileSourceTypes } from "./wav_file_source.gen.ts";

/** The most samples (all channels) decoded at once before the fold to stereo: 256 KiB of floats. */
const SCRATCH_SAMPLES = 65_536;

/**
 * Config of {@linkcode WavFileSource}.
 *
 * @example Record a take, then play it in a loop in blocks of 5 ms
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, TestToneGenerator, WavFileSource, type WavFileSourceConfig, WavWriter } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/take.wav`;
 * const record = createRuntime();
 * const tone = record.add(TestToneGenerator, {});
 * const writer = record.add(WavWriter, { path });
 * record.connect(tone.outputs.audio, writer.inputs.in);
 * await record.start();
 * await new Promise((resolve) => setTimeout(resolve, 30));
 * await record.stop();
 *
 * const config: WavFileSourceConfig = { path, blockSize: 240, loop: true };
 * const play = createRuntime();
 * const source = play.add(WavFileSource, config, { id: "wav" });
 * const sink = play.add(NullSink, {}, { id: "sink" });
 * play.connect(source.outputs.audio, sink.inputs.in);
 * await play.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await play.stop();
 * assert.equal(play.stats().nodes.wav.periodNs, 5_000_000);
 * assert.ok(play.stats().nodes.sink.framesIn > 0);
 * assert.deepEqual(play.frameLeaks(), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface WavFileSourceConfig {
  /**
   * The WAV file to play (PCM 8/16/24/32-bit, float 32/64-bit or G.711 A-law/mu-law, any channel
   * count; RIFF, RF64 or BW64).
   *
   * @minLength 1
   */
  path: string;
  /**
   * Samples per channel in each block.
   *
   * @integer
   * @minimum 16
   * @maximum 16384
   * @default 480
   */
  blockSize: number;
  /**
   * Start again from the first sample at the end of the file instead of ending.
   *
   * @live
   * @default false
   */
  loop: boolean;
}

/**
 * Plays a WAV file as stereo blocks, one block of `blockSize` samples per `process()` call.
 *
 * The file is opened in `setup()`: a missing or unreadable file fails there with a
 * `WavReadError` naming the path and a `code`; a path that is not a regular file (a FIFO, a device,
 * a folder) is refused before it is opened (`WavNotRegularFileError`, code `not_regular_file`),
 * so a FIFO with no writer never blocks, and the headers are walked through a bounded number of
 * chunks. Samples are read with async file I/O in `process()`, so the JavaScript thread never
 * waits on the disk. Mono files are copied to both channels; files with more than two channels
 * are folded down as in `convertChannels` (even channels averaged into left, odd into right), a
 * part of a block at a time, so no buffer grows with the channel count a header declares. As
 * FFmpeg and SoX, only the first `fmt ` and `data` chunks count, and a `data` chunk declaring more
 * than the file holds (a recording cut off, a streaming writer's 0xFFFFFFFF) plays the whole frames
 * present (a cut-off recording with a `warn` line in the node's log). RF64 and BW64 files (WAV over
 * 4 GiB) are read with the sizes of their `ds64` chunk.
 *
 * End of stream: without `loop`, the last block holds the remaining samples (its `frameCount` may
 * be less than `blockSize`); the call that writes it sets {@linkcode WavFileSource.ended} and calls
 * `ctx.endOfStream()`, so the runtime ends the stream downstream (sinks finalize, `streamlib run`
 * exits). With `loop`, blocks run on across the end of the file without a gap and the source never
 * ends. Timestamps count samples from the clock time at `setup()`, so blocks are exactly
 * `blockSize / sampleRate` seconds apart, which is also the loop period declared to the runtime in
 * `setup()` (`ctx.loop.setPeriodNs`; readable as {@linkcode WavFileSource.periodNs}). Each block is
 * a new frame from `ctx.frames`, taken before the file is read: while frame memory is exhausted
 * nothing is read and the source runs again when memory frees.
 *
 * @example Play a short file to its end
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createProcessContext, InputBinding } from "@streamlib/streamlib";
 * import { wavFileSourceNode } from "./wav_file_source.gen.ts";
 * import { WavWriter } from "../formats/wav_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = await WavWriter.create(`${dir}/a.wav`, { sampleRate: 8000, channels: 1 });
 * await writer.write(new Float32Array(100).fill(0.5));
 * await writer.close();
 *
 * const ports = wavFileSourceNode.ports();
 * const source = wavFileSourceNode.create({ path: `${dir}/a.wav`, blockSize: 64 }, ports);
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(ports.output("audio"), sink);
 * const ctx = createProcessContext("wav");
 * await source.setup(ctx);
 * while (!ctx.ended) await source.process(ctx); // the last block ends the stream
 * assert.deepEqual([sink.read()?.frameCount, sink.read()?.frameCount], [64, 36]);
 * assert.equal(source.ended, true);
 * ctx.frames.flush();
 * await source.teardown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["audio", "source", "file"], mode: "loop" })
export class WavFileSource extends Processor<WavFileSourceTypes> {
  /** The file's audio, stereo. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** File, block size and looping. */
  @config()
  config!: WavFileSourceConfig;

  #reader: WavReader | undefined;
  /** Decoded samples of up to `#scratchFrames` frames, before the fold to stereo. */
  #scratch = new Float32Array(0);
  #scratchFrames = 0;
  #ended = false;
  /** Whether `ctx.endOfStream()` was called since `setup()`. */
  #announced = false;
  #samples = 0;
  #blocks = 0;
  #startNs = 0;
  #periodNs = 0;

  /**
   * The open file's rate, channel count and length in frames; `undefined` before `setup()`.
   */
  get info():
    | { readonly sampleRate: number; readonly channels: number; readonly frameCount: number }
    | undefined {
    return this.#reader?.info;
  }

  /** Whether the whole file has been written out (never, with `loop`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Nanoseconds between blocks (`blockSize / sampleRate`); 0 before `setup()`. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /**
   * Opens the file as `setup()` does and closes it again: what `streamlib validate` runs, so a
   * file that is not a WAV it can read is refused before a run.
   *
   * @param config The node's config.
   * @throws {WavReadError} When the file is missing, not a regular file, not WAV or in an
   * unsupported encoding (its `code` says which).
   */
  static async checkInput(config: { path: string }): Promise<void> {
    const { WavReader } = await import("../formats/wav_reader.ts");
    (await WavReader.open(config.path)).close();
  }

  /**
   * Opens the file, allocates the read buffers, and declares the loop period.
   *
   * @param ctx The node's name and clock.
   * @throws {WavReadError} When the file is missing, not a regular file, not WAV or in an
   * unsupported encoding (its `code` says which).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    const { path, blockSize } = this.config;
    this.teardown();
    // The reader is imported here, on first use: a program that never reads WAV does not load it.
    const { WavReader } = await import("../formats/wav_reader.ts");
    const reader = await WavReader.open(path);
    const { sampleRate, channels, frameCount, truncated, declaredDataBytes } = reader.info;
    if (truncated && declaredDataBytes !== 0xffff_ffff) {
      // A recording cut off before its header was finished: it plays, but not silently short.
      ctx.log?.warn(
        `WAV '${path}' is cut short: its data chunk declares ${declaredDataBytes} bytes, the file holds ${frameCount} whole frames; playing those`,
        { path, declaredDataBytes, frameCount },
      );
    }
    this.#reader = reader;
    // Decoded a part of a block at a time: the buffer's size does not follow the file's channel
    // count (a header saying 65535 channels would otherwise ask blockSize x 65535 floats).
    this.#scratchFrames = Math.max(1, Math.min(blockSize, Math.floor(SCRATCH_SAMPLES / channels)));
    this.#scratch = new Float32Array(this.#scratchFrames * channels);
    this.#ended = frameCount === 0;
    this.#announced = false;
    this.#samples = 0;
    this.#blocks = 0;
    this.#periodNs = (blockSize * 1e9) / sampleRate;
    this.#startNs = Math.round(ctx.clock.nowNs());
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Reads the next block and writes it to `audio`; with the last one (or once the file has ended),
   * calls `ctx.endOfStream()`.
   *
   * @param ctx The node's name, clock, frames and end of stream.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const reader = this.#reader;
    if (!reader) return;
    if (this.#ended) return this.#endStream(ctx);
    const { blockSize, loop } = this.config;
    const { channels, sampleRate, frameCount } = reader.info;
    const wanted = loop ? blockSize : Math.min(blockSize, frameCount - reader.position);
    // The block first: while frame memory is exhausted nothing is read, and we run again later.
    const block = wanted > 0
      ? ctx.frames.audio({ channels: 2, sampleRate, frameCount: wanted })
      : undefined;
    if (block === undefined && wanted > 0) return;
    let frames = 0;
    let wrapped = false;
    while (block !== undefined && frames < wanted) {
      const asked = Math.min(this.#scratchFrames, wanted - frames);
      const got = await reader.read(this.#scratch, asked);
      if (got > 0) {
        convertChannels(this.#scratch, channels, block.samples.subarray(frames * 2), 2, got);
        frames += got;
        wrapped = false;
      }
      if (got === asked) continue;
      if (!loop || wrapped) break; // the end, or a loop over a file emptied under us
      await reader.seek(0);
      wrapped = true;
    }
    if (block === undefined || frames < wanted) {
      return this.#endStream(ctx); // the file shrank under us: it ends here
    }
    block.timestampNs = this.#startNs + Math.round((this.#samples * 1e9) / sampleRate);
    block.frameNumber = this.#blocks++;
    this.#samples += frames;
    this.outputs.audio.write(block);
    if (!loop && reader.position >= frameCount) this.#endStream(ctx);
  }

  /** Closes the file. */
  override teardown(): void {
    this.#reader?.close();
    this.#reader = undefined;
  }

  #endStream(ctx: ProcessContext): void {
    this.#ended = true;
    if (this.#announced) return;
    this.#announced = true;
    ctx.endOfStream();
  }
}
