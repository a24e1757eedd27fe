/**
 * The {@linkcode WavWriter} processor.
 *
 * @module
 */

import { type AudioFrame, config, input, type InputPort, processor } from "../../mod.ts";
import { convertChannels } from "../dsp/channel_convert.ts";
import { WavWriter as WavFileWriter } from "../formats/wav_writer.ts";
import { FrameWriter } from "../base/frame_writer.ts";
import { SampleRateMismatchError } from "../formats/writer_errors.ts";
import type { WavWriterTypes } from "./wav_writer.gen.ts";

/** A block stamped more than this after the end of the samples before it is preceded by silence. */
const GAP_TOLERANCE_NS = 5_000_000;
/** The longest silence filled for one gap (60 s); a longer gap is a clock jump. */
const MAX_FILL_NS = 60_000_000_000;

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
   * with `SampleRateMismatchError` (put an `AudioResampler` in front to convert).
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
 * closes the file; it is idempotent, and `process()` after it writes nothing. A file that cannot
 * be created (no such folder, a read-only disk) fails `setup()`, and a disk that fills up fails the
 * node, with `RecordingWriteError` (code `write_failed`) naming the file; the file then ends at its
 * last whole block, its header up to date, and SoX and FFmpeg read it.
 *
 * Blocks are placed by their timestamps: a block stamped more than 5 ms after the end of the
 * samples before it (its source fell behind and skipped time) is preceded by silence, up to 60 s
 * per gap, counted in {@linkcode WavWriter.filledSamples} (and `filledSamples` of the node's
 * processor stats), so the file stays on its sources' timeline. A WAV has no timestamps of its own,
 * so a block stamped over time already written is kept whole (nothing recorded is lost).
 *
 * The input takes audio of any channel count (so an `AudioFrame<1>` or `AudioFrame<2>` output
 * connects); blocks whose channel count differs from `channels` are converted as in
 * `convertChannels`. The writer does not resample (an `AudioResampler` in front does): a block
 * whose sample rate differs from `sampleRate` fails the node with `SampleRateMismatchError` (handled per its `onError` policy), so a wrong
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
export class WavWriter
  extends FrameWriter<WavWriterTypes, WavFileWriter, AudioFrame, Float32Array> {
  /** Audio to record, any channel count. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** File, encoding, rate and channel count. */
  @config()
  config!: WavWriterConfig;

  #scratch = new Float32Array(0);
  #silence = new Float32Array(0);
  #originNs: number | undefined;
  #placed = 0;
  #filled = 0;

  /** Samples (per channel) of silence put in the take's timestamp gaps. */
  get filledSamples(): number {
    return this.#filled;
  }

  /**
   * The counters in `rt.stats().nodes[id].processor`.
   *
   * @returns Samples written and silence filled, per channel.
   */
  override reportStats(): { framesWritten: number; filledSamples: number } {
    return { framesWritten: this.framesWritten, filledSamples: this.#filled };
  }

  /**
   * Creates the take's file and writes its header.
   *
   * @param path The take's path.
   * @returns The open file.
   * @throws {NotRegularFileTargetError} When `path` is a FIFO, device, folder or socket (code
   *   `not_regular_file`): refused before opening, so a FIFO never blocks.
   * @throws {RecordingWriteError} When the file cannot be created (no such folder, a full or
   *   read-only disk; code `write_failed`).
   */
  protected async open(path: string): Promise<WavFileWriter> {
    const { sampleFormat, sampleRate, channels } = this.config;
    const file = await WavFileWriter.create(path, { sampleRate, channels, sampleFormat });
    this.#scratch = new Float32Array(channels * 4096);
    this.#silence = new Float32Array(channels * 4096);
    this.#originNs = undefined;
    this.#placed = 0;
    this.#filled = 0;
    return file;
  }

  /** The next block waiting on `in`. */
  protected read(): AudioFrame | undefined {
    return this.inputs.in.read();
  }

  /**
   * The block's samples at the file's channel count (converted into a buffer kept from block to
   * block when the counts differ).
   *
   * @param frame The block.
   * @returns Interleaved samples.
   * @throws {SampleRateMismatchError} When the block's sample rate is not `sampleRate`.
   */
  protected encode(frame: AudioFrame): Float32Array {
    const { sampleRate, channels } = this.config;
    if (frame.sampleRate !== sampleRate) {
      throw new SampleRateMismatchError(this.path, sampleRate, frame.sampleRate);
    }
    if (frame.channels === channels) return frame.samples;
    if (this.#scratch.length < frame.frameCount * channels) {
      this.#scratch = new Float32Array(frame.frameCount * channels);
    }
    convertChannels(frame.samples, frame.channels, this.#scratch, channels, frame.frameCount);
    return this.#scratch;
  }

  /**
   * Appends the samples, after silence for a gap in the timestamps; the header describes them
   * when it returns.
   */
  protected async write(
    file: WavFileWriter,
    samples: Float32Array,
    frame: AudioFrame,
  ): Promise<void> {
    const rate = this.config.sampleRate;
    const origin = this.#originNs ??= frame.timestampNs;
    const gapNs = frame.timestampNs - (origin + (this.#placed / rate) * 1e9);
    if (gapNs > GAP_TOLERANCE_NS) {
      let left = Math.round((Math.min(gapNs, MAX_FILL_NS) / 1e9) * rate);
      this.#filled += left;
      this.#placed += left;
      const perBlock = this.#silence.length / this.config.channels;
      while (left > 0) {
        const n = Math.min(left, perBlock);
        await file.write(this.#silence, n);
        left -= n;
      }
      // A longer gap (a clock jump) gets MAX_FILL_NS of silence; the timeline goes on from here.
      if (gapNs > MAX_FILL_NS) this.#originNs = frame.timestampNs - (this.#placed / rate) * 1e9;
    }
    this.#placed += frame.frameCount;
    await file.write(samples, frame.frameCount);
  }
}
