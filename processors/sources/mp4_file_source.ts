/**
 * The {@linkcode Mp4FileSource} processor.
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
  type VideoFrame,
} from "../../mod.ts";
import type { Mp4Playback, PlaybackPicture } from "../formats/mp4_playback.ts";
import type { Mp4FileSourceTypes } from "./mp4_file_source.gen.ts";

/**
 * Config of {@linkcode Mp4FileSource}.
 */
export interface Mp4FileSourceConfig {
  /**
   * The MP4 file to play: an H.264 video track and/or an AAC-LC (mono or stereo) or Opus audio
   * track (what cameras, phones and ffmpeg write, and what `Mp4Writer` records).
   *
   * @minLength 1
   */
  path: string;
  /**
   * Start again from the beginning at the end of the file instead of ending.
   *
   * @default false
   */
  loop: boolean;
}

/** Loop period without a video track. */
const AUDIO_PERIOD_NS = 20_000_000;

/**
 * Plays an MP4 file into a graph: H.264 video decoded with OpenH264 to I420 frames, AAC-LC audio
 * decoded with Symphonia at the track's rate and Opus audio with libopus at 48 kHz, both as
 * stereo blocks (mono copied to both channels), all stamped on the media clock.
 *
 * Pacing: one video frame per `process()` call at the file's frame rate (declared as the loop
 * period in `setup()`), with the audio that plays up to the next frame; a file without video
 * runs every 20 ms. Frame and block `n` are stamped `start + t`, where `t` is its presentation
 * time in the file and `start` the clock time at `setup()` (plus the file's duration per pass
 * with `loop`). AAC plays from the start of the track's edit list: the encoder's priming before
 * it (1024 samples from ffmpeg's encoder) is dropped, as ffmpeg's own decode does, and the last
 * access unit plays whole. A missing, empty or unreadable file, one that is not an MP4, and one
 * whose tracks are not H.264 and AAC-LC/Opus fail in `setup()` with `Mp4ReadError` or
 * `UnsupportedMp4CodecError` (HE-AAC, 5.1 AAC, MP3, ...); an AAC track with a corrupt
 * AudioSpecificConfig with code `aac_config_invalid`, one declaring other than one or two
 * channels with `aac_channels_unsupported`, and an access unit that does not decode fails
 * `process()` with code `aac_packet_corrupt`;
 * a file cut short (a top-level box running past its end) with `TruncatedMp4Error`; a folder,
 * FIFO or device is refused before it is opened (`Mp4ReadError` with code `not_regular_file`), so
 * a FIFO with no writer never blocks. Every `Mp4ReadError` has a `code`. Pictures are decoded
 * straight into frames from `ctx.frames` and audio into blocks from `ctx.frames` (both cross to
 * Workers by reference); when no frame memory is free, what is decoded waits for the next run, so
 * nothing is lost. At the end (without `loop`), the source calls `ctx.endOfStream()`,
 * {@linkcode Mp4FileSource.ended} is set and nothing more is written.
 *
 * @example Record a short clip, then play it back in a loop
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, Mp4FileSource, Mp4Writer, NullSink, TestPattern, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/clip.mp4`;
 * const record = createRuntime();
 * const pattern = record.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
 * const encoder = record.add(H264Encoder, { backend: "openh264" });
 * const tone = record.add(TestToneGenerator, {});
 * const writer = record.add(Mp4Writer, { path });
 * record.connect(pattern.outputs.video, encoder.inputs.in);
 * record.connect(encoder.outputs.out, writer.inputs.video);
 * record.connect(tone.outputs.audio, writer.inputs.audio);
 * await record.start();
 * await new Promise((resolve) => setTimeout(resolve, 150));
 * await record.stop(); // the writer finalizes the file
 *
 * const play = createRuntime();
 * const clip = play.add(Mp4FileSource, { path, loop: true }, { id: "clip" });
 * const video = play.add(NullSink, {}, { id: "video" });
 * const audio = play.add(NullSink, {}, { id: "audio" });
 * play.connect(clip.outputs.video, video.inputs.in);
 * play.connect(clip.outputs.audio, audio.inputs.in);
 * await play.start();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await play.stop();
 * const { nodes } = play.stats();
 * // Once per frame of the file: its average rate, 30 fps, or less where the recorder fell behind.
 * const periodMs = Math.round(nodes.clip.periodNs! / 1e6);
 * assert.ok(periodMs >= 33 && periodMs < 100, `period ${periodMs} ms`);
 * assert.ok(nodes.video.framesIn > 0 && nodes.audio.framesIn > 0);
 * assert.deepEqual(play.frameLeaks(), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["video", "audio", "source", "file"], mode: "loop" })
export class Mp4FileSource extends Processor<Mp4FileSourceTypes> {
  /** The decoded pictures, I420. */
  @output()
  video!: OutputPort<VideoFrame>;

  /** The decoded audio, stereo: 48 kHz for Opus, the track's rate for AAC. */
  @output()
  audio!: OutputPort<AudioFrame<2>>;

  /** File and looping. */
  @config()
  config!: Mp4FileSourceConfig;

  #playback: Mp4Playback | undefined;
  /** A decoded picture that found no frame memory: it goes out first on the next run. */
  #picture: PlaybackPicture | undefined;
  /** A decoded audio packet that found no frame memory (rare: copied, it goes out next). */
  #audio: { time: number; samples: Float32Array } | undefined;
  #startNs = 0;
  #passOffset = 0;
  #lastTime = 0;
  #periodNs = 0;
  #videoFrames = 0;
  #audioBlocks = 0;
  #ended = false;

  /** Whether the whole file has been played (never, with `loop`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Nanoseconds between `process()` calls: one video frame, or 20 ms of audio. */
  get periodNs(): number {
    return this.#periodNs;
  }

  /** Pictures written. */
  get videoFrames(): number {
    return this.#videoFrames;
  }

  /** Audio blocks written. */
  get audioBlocks(): number {
    return this.#audioBlocks;
  }

  /**
   * Opens the file as `setup()` does and closes it again: what `streamlib validate` runs, so a
   * file the source cannot play (an audio codec that is not AAC-LC or Opus, a corrupt AAC
   * config) is refused before a run.
   *
   * @param config The node's config.
   * @throws {Mp4ReadError} When the file is missing, empty, not an MP4, has no playable track or
   *   an AAC track it cannot decode (codes `aac_config_invalid`, `aac_channels_unsupported`).
   * @throws {UnsupportedMp4CodecError} For a track that is not H.264, AAC-LC or Opus.
   */
  static async checkInput(config: { path: string }): Promise<void> {
    (await openPlayback(config.path)).close();
  }

  /**
   * Opens the file, prepares the decoders and declares the loop period.
   *
   * @param ctx The node's name, clock and loop control.
   * @throws {Mp4ReadError} When the file is missing, empty, not an MP4 or has no playable track.
   * @throws {TruncatedMp4Error} When the file is cut short.
   * @throws {UnsupportedMp4CodecError} For a track that is not H.264, AAC-LC or Opus.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const playback = await openPlayback(this.config.path);
    this.#playback = playback;
    this.#picture = undefined;
    this.#audio = undefined;
    this.#periodNs = playback.fps > 0 ? 1e9 / playback.fps : AUDIO_PERIOD_NS;
    this.#startNs = Math.round(ctx.clock.nowNs());
    this.#passOffset = 0;
    this.#lastTime = 0;
    this.#videoFrames = 0;
    this.#audioBlocks = 0;
    this.#ended = false;
    ctx.loop?.setPeriodNs(this.#periodNs);
  }

  /**
   * Writes the next picture and the audio up to the one after it; at the end of the file (without
   * `loop`), says end of stream.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {Mp4ReadError} With code `aac_packet_corrupt` for an AAC access unit that does not
   *   decode (truncated, garbled).
   */
  async process(ctx: ProcessContext): Promise<void> {
    const playback = this.#playback;
    if (!playback || this.#ended) return;
    let until = this.#lastTime + this.#periodNs / 1e9;
    if (!playback.videoDone || this.#picture) {
      const picture = this.#picture ?? await playback.nextPicture();
      if (picture) {
        const frame = ctx.frames.video({
          width: picture.width,
          height: picture.height,
          format: "I420",
        });
        if (frame === undefined) {
          this.#picture = picture; // stays in the decoder: out first on the next run
          return;
        }
        this.#picture = undefined;
        playback.readPicture(frame.data);
        frame.timestampNs = this.#stamp(picture.time);
        frame.frameNumber = this.#videoFrames++;
        this.outputs.video.write(frame);
        this.#lastTime = picture.time;
        until = picture.time + this.#periodNs / 1e9;
      }
    } else {
      this.#lastTime = until;
    }
    const out = this.outputs.audio;
    // Audio due by the next picture, as far as the output takes it now; the rest waits for the
    // next run (back-pressure on a full fifo).
    while (out.space > 0) {
      const audio = this.#audio ?? await playback.nextAudio(until);
      if (audio === undefined) break;
      const block = ctx.frames.audio({
        channels: 2,
        sampleRate: playback.sampleRate,
        frameCount: audio.samples.length / 2,
      });
      if (block === undefined) {
        // The decoder's view is only valid until its next call: keep a copy for the next run.
        this.#audio ??= { time: audio.time, samples: audio.samples.slice() };
        return;
      }
      this.#audio = undefined;
      block.samples.set(audio.samples);
      block.timestampNs = this.#stamp(audio.time);
      block.frameNumber = this.#audioBlocks++;
      out.write(block);
    }
    if (playback.videoDone && playback.audioDone && !this.#picture && !this.#audio) {
      await this.#end(ctx);
    }
  }

  /** Closes the file and the decoders. Idempotent. */
  override teardown(): void {
    this.#playback?.close();
    this.#playback = undefined;
  }

  #stamp(seconds: number): number {
    return this.#startNs + Math.round((this.#passOffset + seconds) * 1e9);
  }

  async #end(ctx: ProcessContext): Promise<void> {
    if (!this.config.loop) {
      this.#ended = true;
      ctx.endOfStream();
      return;
    }
    this.#passOffset += this.#lastTime + this.#periodNs / 1e9;
    this.#lastTime = 0;
    this.#playback?.close();
    this.#playback = await openPlayback(this.config.path);
  }
}

/**
 * Opens a playback, importing the MP4 reader (mediabunny, about 20 MB of heap) only when a file
 * is played, so importing the built-in processors does not load it (issue 16: peak RSS).
 */
async function openPlayback(path: string): Promise<Mp4Playback> {
  const { Mp4Playback } = await import("../formats/mp4_playback.ts");
  return await Mp4Playback.open(path);
}
