/**
 * The {@linkcode Mp4Writer} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type EncodedAudioFrame,
  type EncodedVideoFrame,
  input,
  type InputPort,
  type ProcessContext,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { Mp4Recording, Mp4RecordingStats } from "../formats/mp4_recording.ts";
import { FileWriter } from "../base/file_writer.ts";
import type { Mp4WriterTypes } from "./mp4_writer.gen.ts";

/**
 * Config of {@linkcode Mp4Writer}.
 */
export interface Mp4WriterConfig {
  /**
   * The `.mp4` file to record to; created, or replaced if it exists (once the new recording's
   * first fragment is written). Later takes of the same node (a restart, or the graph started
   * again) go to `<name>-1.mp4`, `<name>-2.mp4`, ... (the first that does not exist), as with every
   * file writer; {@linkcode Mp4Writer.paths} lists them.
   *
   * @minLength 1
   */
  path: string;
  /**
   * Bit rate of the audio track, in bits per second (Opus: up to 510000; AAC: 8000 up to
   * min(160000, 6 bits per sample) per channel).
   *
   * @integer
   * @minimum 6000
   * @maximum 510000
   * @default 128000
   */
  audioBitrate: number;
  /**
   * Codec of the audio track: `opus` (libopus, built in; 8, 12, 16, 24 or 48 kHz) or `aac`
   * (AAC-LC with libvo-aacenc, loaded at run time: `apt-get install libvo-aacenc0`; 8 to 48 kHz),
   * which more players and editors take.
   *
   * @default "opus"
   */
  audioCodec: "opus" | "aac";
  /**
   * Shortest MP4 fragment in seconds. A fragment closes at the first video keyframe this long
   * after it began, so a process killed outright loses the frames since that fragment began
   * (keep the encoder's keyframe interval short); a clean stop loses nothing.
   *
   * @exclusiveMinimum 0
   * @maximum 60
   * @default 0.5
   */
  fragmentSeconds: number;
  /**
   * Record only this many seconds of media, counted from the first frame; 0 for no limit. Video
   * frames stamped at or after the limit and audio past it are left out, so a 3 s limit at 30
   * fps gives exactly 90 frames and 3 s of audio however late the graph is stopped.
   *
   * @minimum 0
   * @maximum 86400
   * @default 0
   */
  maxSeconds: number;
}

/**
 * How far a recording's audio may drift from its sample count before `Mp4Writer` raises an
 * `av_drift` warning (100 ms; the next warning waits for twice the drift).
 */
export const AV_DRIFT_WARN_NS = 100_000_000;

/**
 * Records H.264 video and audio to a fragmented MP4 file (muxed by mediabunny; audio encoded to
 * Opus with libopus, or to AAC-LC with libvo-aacenc when `audioCodec` is `aac`), which `ffprobe`,
 * `ffmpeg`, browsers and most players open.
 *
 * Tracks: video if `video` is connected at `setup()`, audio if `audio` is. Timestamps are taken
 * from the frames and made relative to the earliest first frame of the two streams; video
 * recording starts at the first keyframe; audio (8, 12, 16, 24 or 48 kHz, mono or stereo) is cut
 * into 20 ms Opus packets (AAC: 8 to 48 kHz, 1024-sample frames, stamped 1600 samples early for
 * the encoder's delay; a format it cannot take fails with `aac_encoder_config`). Both tracks are placed by their frames' timestamps: a gap in the audio's
 * timestamps (a source that fell behind and skipped time, a publisher that changed) is filled with
 * silence and audio stamped over time already covered is trimmed (more than 5 ms either way;
 * counted in `stats.audioFilledSamples` and `stats.audioTrimmedSamples`), so audio and video stay
 * in step however late their sources ran. When the audio's timestamps have moved more than
 * {@linkcode AV_DRIFT_WARN_NS} (100 ms) from its sample count, the writer raises a `node-warning`
 * with code `av_drift` on `audio` (again each time the drift doubles): the file is in step, but
 * the sources were not. The muxer interleaves the tracks by time into fragments of at least
 * `fragmentSeconds`.
 *
 * Audio already encoded goes to `encodedAudio` instead (an `EncodedAudioFrame` of the config's
 * `audioCodec`, from an `AacEncoder` say): each frame is written as it is at its timestamp, with
 * the first frame's extradata (the AudioSpecificConfig) as the track's decoder config; nothing is
 * filled or trimmed. Frames of another codec fail the node with `encoded_audio_codec`; connecting
 * both `audio` and `encodedAudio` fails `setup()`.
 *
 * Stopping: `teardown()` (at `stop()`, after the runtime has drained what was queued, and after a
 * processor error) writes every frame accepted and finalizes the file; the CLI's runner and the
 * examples turn SIGINT into `stop()`. A process killed outright leaves a playable file that lacks
 * only the open fragment: fragments close at a video keyframe at least `fragmentSeconds` after
 * they began, so with the examples' 1 s keyframe interval about a second is at stake. Until its
 * first fragment is complete the recording is `<path>.partial`; then it is renamed to `path` and
 * written in place (not renamed at the end), so the file at `path` is a playable MP4 at every
 * moment. A process killed before the first fragment leaves only `<path>.partial` (the 28-byte
 * `ftyp` box, which no player opens) and leaves a file that was at `path` before as it was. A
 * recording that received no frame at all is deleted at teardown.
 *
 * A path that cannot be written fails `setup()`, before any frame, with `Mp4WriteError`; a bit
 * rate out of range is refused earlier, when the node is added, with a `ConfigValidationError`.
 *
 * @example Record a test pattern and a tone to an MP4 file
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, H264Encoder, Mp4Writer, TestPattern, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const rt = createRuntime();
 * const pattern = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 30 });
 * const tone = rt.add(TestToneGenerator, { frequency: 440 });
 * const writer = rt.add(Mp4Writer, { path: `${dir}/take.mp4` }, { id: "rec" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, writer.inputs.video);
 * rt.connect(tone.outputs.audio, writer.inputs.audio);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 150));
 * await rt.stop(); // drains the queues, then the writer's teardown finalizes the file
 * const file = await Deno.readFile(`${dir}/take.mp4`);
 * assert.equal(new TextDecoder().decode(file.subarray(4, 8)), "ftyp");
 * assert.ok(rt.stats().nodes.rec.framesIn > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "file"], mode: "push" })
export class Mp4Writer extends FileWriter<Mp4WriterTypes, Mp4Recording> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input()
  video!: InputPort<EncodedVideoFrame>;

  /** Audio to encode to Opus: 8-48 kHz, mono or stereo. */
  @input()
  audio!: InputPort<AudioFrame>;

  /** Audio already encoded (of the config's `audioCodec`), written as it is. */
  @input()
  encodedAudio!: InputPort<EncodedAudioFrame>;

  /** File, Opus bit rate and fragment length. */
  @config()
  config!: Mp4WriterConfig;

  readonly #kept: string[] = [];
  /** The drift the next `av_drift` warning waits for. */
  #driftWarnNs = AV_DRIFT_WARN_NS;

  /** What has been written (zeros before `setup()`). */
  get stats(): Readonly<Mp4RecordingStats> {
    return this.file?.stats ?? {
      videoFrames: 0,
      audioPackets: 0,
      droppedVideo: 0,
      droppedAudio: 0,
      audioFilledSamples: 0,
      audioTrimmedSamples: 0,
    };
  }

  /**
   * The take's counters, for the runtime's stats (`rt.stats().nodes[id].processor`): what
   * {@linkcode Mp4Writer.stats} says, and the audio's drift from its sample count in ms.
   *
   * @returns The counters.
   */
  override reportStats(): { [key: string]: number } {
    const driftMs = Math.round((this.file?.audioDriftNs ?? 0) / 1e5) / 10;
    return { ...this.stats, audioDriftMs: driftMs };
  }

  /**
   * The files this writer has recorded into, oldest first: `path`, then `<name>-1.mp4`, ... after
   * restarts (a recording that received nothing is deleted and not listed).
   */
  get paths(): readonly string[] {
    const current = this.openFile;
    const open = current ? [current.path] : [];
    return [...this.#kept, ...open];
  }

  /**
   * Creates the file with a track per connected input.
   *
   * @param ctx The node's name and clock.
   * @throws {TypeError} When no input is connected, or both `audio` and `encodedAudio`.
   * @throws {Mp4WriteError} When the file cannot be created (no such directory, no permission,
   *   a directory in the way).
   */
  override async setup(ctx: SetupContext): Promise<void> {
    await this.teardown();
    const { video, audio, encodedAudio } = this.inputs;
    if (!video.isConnected && !audio.isConnected && !encodedAudio.isConnected) {
      throw new TypeError(
        `Cannot record ${this.config.path}: neither 'video' nor 'audio' (or 'encodedAudio') is connected`,
      );
    }
    if (audio.isConnected && encodedAudio.isConnected) {
      throw new TypeError(
        `Cannot record ${this.config.path}: 'audio' and 'encodedAudio' are both connected (one audio track per file)`,
      );
    }
    // Never truncate a recording this writer made before (a restart, or the graph started again).
    this.#driftWarnNs = AV_DRIFT_WARN_NS;
    await super.setup(ctx);
  }

  /**
   * Starts the take's recording (mediabunny is imported here, when a recording starts, not with
   * the processors).
   *
   * @param path The take's path.
   * @returns The recording.
   */
  protected async open(path: string): Promise<Mp4Recording> {
    const { audioBitrate, audioCodec, fragmentSeconds, maxSeconds } = this.config;
    const { Mp4Recording } = await import("../formats/mp4_recording.ts");
    return await Mp4Recording.create({
      path,
      video: this.inputs.video.isConnected,
      audio: this.inputs.audio.isConnected || this.inputs.encodedAudio.isConnected,
      audioBitrate,
      audioCodec,
      fragmentSeconds,
      maxSeconds,
    });
  }

  /**
   * Hands every waiting frame to the muxer, video and audio alternately by timestamp. Frames the
   * recording leaves out (video before the first keyframe, anything past `maxSeconds`) are
   * counted with `ctx.frames.drop()`.
   *
   * @param ctx The node's name, clock and frames.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const recording = this.openFile;
    if (!recording) return;
    const { stats } = recording;
    const { inputs } = this;
    const readAudio = () => inputs.audio.read() ?? inputs.encodedAudio.read();
    let video = inputs.video.read();
    let audio = readAudio();
    while (video !== undefined || audio !== undefined) {
      const before = stats.droppedVideo + stats.droppedAudio;
      let frame: EncodedVideoFrame | AudioFrame | EncodedAudioFrame;
      try {
        if (
          audio === undefined || (video !== undefined && video.timestampNs <= audio.timestampNs)
        ) {
          frame = video!;
          await recording.addVideo(video!);
          video = inputs.video.read();
        } else {
          frame = audio;
          if (audio.kind === "encoded-audio") await recording.addEncodedAudio(audio);
          else await recording.addAudio(audio);
          audio = readAudio();
        }
      } catch (error) {
        // The frame that fails the node (audio at a rate Opus does not take, ...) is not
        // recorded either: count it, and the ones already read.
        for (const lost of [video, audio]) if (lost !== undefined) ctx.frames.drop(lost);
        throw error;
      }
      // Frames the recording left out count in the node's framesDropped (and the status line).
      for (let n = stats.droppedVideo + stats.droppedAudio - before; n > 0; n--) {
        ctx.frames.drop(frame);
      }
      if (frame.kind === "audio") this.#checkDrift(ctx, recording);
    }
  }

  /** Raises `av_drift` when the audio's drift from its sample count passes the next bound. */
  #checkDrift(ctx: ProcessContext, recording: Mp4Recording): void {
    const drift = recording.audioDriftNs;
    if (Math.abs(drift) < this.#driftWarnNs) return;
    while (Math.abs(drift) >= this.#driftWarnNs) this.#driftWarnNs *= 2;
    const { audioFilledSamples, audioTrimmedSamples } = recording.stats;
    const ms = (ns: number) => `${Math.round(ns / 1e6)} ms`;
    ctx.warn(
      "av_drift",
      "audio",
      `'${ctx.node}' audio timestamps moved ${ms(Math.abs(drift))} ${
        drift > 0 ? "ahead of" : "behind"
      } its sample count (over ${
        ms(AV_DRIFT_WARN_NS)
      }): ${audioFilledSamples} sample(s) of silence filled, ${audioTrimmedSamples} trimmed to keep audio in step with video in ${recording.path}; its sources are falling behind (see their skippedRuns) or their clocks jumped`,
    );
  }

  /**
   * Writes what is held, finalizes the file and closes it (deletes it when nothing was recorded).
   *
   * @param recording The take's recording.
   */
  protected finish(recording: Mp4Recording): Promise<void> {
    return recording.finish().finally(() => {
      if (recording.recorded) this.#kept.push(recording.path);
    });
  }
}
