/**
 * An MP4 recording in progress: H.264 access units and raw audio in, a fragmented MP4 file out
 * (mediabunny muxes; audio is encoded to Opus with libopus). Timestamps are made relative to the
 * first frame of either stream and the muxer interleaves the two tracks by time. Both tracks are
 * placed by their frames' timestamps: video frames at theirs, audio blocks where their timestamps
 * say, so a source that fell behind (a gap in its timestamps) or a publisher that changed does not
 * put audio and video out of step. An audio block more than
 * {@linkcode AUDIO_SYNC_TOLERANCE_NS} after where the samples so far end is preceded by silence
 * (counted in `audioFilledSamples`); one that starts before they end loses the samples whose time
 * is already covered (`audioTrimmedSamples`). Within the tolerance, samples follow each other
 * (timestamp jitter never makes clicks).
 *
 * Fragmented MP4 means the file is playable at every fragment boundary: a process killed outright
 * loses only the fragment being filled (fragments close at the first video keyframe at least
 * `fragmentSeconds` after they began); {@linkcode Mp4Recording.finish}
 * (called on `stop()`, SIGINT handled by the runner, or teardown after an error) writes every
 * frame that was accepted. A recording that received nothing is deleted by `finish()` rather than
 * left behind as a header-only file.
 *
 * @module
 */

import {
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  Mp4OutputFormat,
  Output,
} from "mediabunny";
import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import type { EncodedVideoFrame } from "../../core/frames/encoded_video_frame.ts";
import type { EncodedAudioFrame } from "../../core/frames/encoded_audio_frame.ts";
import { EncodedAudioCodecError } from "./encoded_audio_codec_error.ts";
import { buildOpusHead } from "./opus_head.ts";
import { InvalidArgumentError } from "../../ffi/native/errors.ts";
import { parseAvcSps } from "./avc_sps.ts";
import { annexBUnits, NAL_SPS, nalType } from "./h264_nal.ts";
import { type Mp4FileTarget, openMp4FileTarget } from "./mp4_file_target.ts";
import { Mp4WriteError } from "./mp4_errors.ts";
import {
  type Mp4AudioCodec,
  type Mp4AudioEncoder,
  openMp4AudioEncoder,
} from "./mp4_audio_encoder.ts";

/** Options of {@linkcode Mp4Recording.create}. */
export interface Mp4RecordingOptions {
  /** The file to write (created or truncated). */
  path: string;
  /** Whether there is a video track. */
  video: boolean;
  /** Whether there is an audio track. */
  audio: boolean;
  /**
   * Audio bit rate in bits per second: Opus {@linkcode OPUS_BITRATE_MIN}..{@linkcode
   * OPUS_BITRATE_MAX}; AAC what `aacBitrateRange` allows for the audio's format.
   */
  audioBitrate: number;
  /** The audio track's codec: `opus` (libopus, the default) or `aac` (AAC-LC, libvo-aacenc). */
  audioCodec?: Mp4AudioCodec;
  /** Shortest fragment, in seconds (above 0). */
  fragmentSeconds: number;
  /**
   * Record only this many seconds of media from the start of the file, 0 for no limit: video
   * frames stamped at or after it, and audio samples past it, are left out.
   */
  maxSeconds?: number;
}

/** The lowest Opus bit rate `Mp4Recording` takes (libopus' own limit). */
export const OPUS_BITRATE_MIN = 6_000;
/** The highest Opus bit rate `Mp4Recording` takes (libopus' own limit). */
export const OPUS_BITRATE_MAX = 510_000;

/**
 * How far an audio block's timestamp may be from the end of the samples before it (5 ms) before
 * the recording fills the gap with silence or trims the overlap.
 */
export const AUDIO_SYNC_TOLERANCE_NS = 5_000_000;

/**
 * The longest timestamp gap filled with silence (60 s); a longer one (a clock jump) is left as a
 * gap in the audio track's timestamps, counted in `audioFilledSamples` all the same.
 */
export const AUDIO_MAX_FILL_NS = 60_000_000_000;

/** Frames held back at the start while waiting for the other track's first frame. */
const START_HOLD = 256;

/**
 * What a recording has written (`Mp4Writer`'s `stats`).
 *
 * @example Count the Opus packets of an audio-only recording
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { type AudioFrame, connectLocal, createAudioFrame, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import { type Mp4RecordingStats } from "@streamlib/streamlib/processors";
 * import { mp4WriterNode } from "../sinks/mp4_writer.gen.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const ports = mp4WriterNode.ports();
 * const writer = mp4WriterNode.create({ path: `${dir}/tone.mp4` }, ports);
 * const audio = new OutputBinding<AudioFrame>("audio", "AudioFrame<2>");
 * connectLocal(audio, ports.input("audio"), { capacity: 16 });
 * const ctx = createProcessContext("rec");
 * await writer.setup(ctx);
 * for (let n = 0; n < 10; n++) { // 10 blocks of 20 ms
 *   audio.write({ ...createAudioFrame(2, 48_000, 960), timestampNs: n * 20e6, frameNumber: n });
 * }
 * await writer.process(ctx);
 * await writer.teardown();
 * const stats: Mp4RecordingStats = writer.stats;
 * assert.deepEqual(stats, {
 *   videoFrames: 0,
 *   audioPackets: 10,
 *   droppedVideo: 0,
 *   droppedAudio: 0,
 *   audioFilledSamples: 0,
 *   audioTrimmedSamples: 0,
 * });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Mp4RecordingStats {
  /** Video access units given to the muxer. */
  videoFrames: number;
  /** Audio packets (Opus or AAC) given to the muxer. */
  audioPackets: number;
  /**
   * Video frames left out: before the first keyframe, from before the start, or at or after
   * `maxSeconds`.
   */
  droppedVideo: number;
  /**
   * Audio blocks left out whole: from before the start, past `maxSeconds`, or wholly within
   * time the track already covers.
   */
  droppedAudio: number;
  /**
   * Samples (per channel) of silence put where the audio's timestamps had a gap (its source fell
   * behind, or a publisher changed), so that audio stays in step with its timestamps.
   */
  audioFilledSamples: number;
  /**
   * Samples (per channel) left out because their time was already covered (a block stamped
   * before the end of the one before it).
   */
  audioTrimmedSamples: number;
}

/** The stats of a recording that has written nothing. */
function emptyMp4RecordingStats(): Mp4RecordingStats {
  return {
    videoFrames: 0,
    audioPackets: 0,
    droppedVideo: 0,
    droppedAudio: 0,
    audioFilledSamples: 0,
    audioTrimmedSamples: 0,
  };
}

/**
 * One MP4 file being written. Feed it frames in order per stream; {@linkcode Mp4Recording.finish}
 * once.
 *
 * @example Open a recording and finish it before any frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mp4Recording } from "./mp4_recording.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const recording = await Mp4Recording.create({
 *   path: `${dir}/empty.mp4`,
 *   video: true,
 *   audio: false,
 *   audioBitrate: 64_000,
 *   fragmentSeconds: 1,
 * });
 * assert.equal(recording.path, `${dir}/empty.mp4`);
 * await recording.finish();
 * assert.equal(recording.recorded, false);
 * assert.equal(recording.stats.videoFrames, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Mp4Recording {
  readonly #path: string;
  readonly #file: Mp4FileTarget;
  readonly #output: Output;
  readonly #videoSource: EncodedVideoPacketSource | undefined;
  readonly #audioSource: EncodedAudioPacketSource | undefined;
  readonly #audioBitrate: number;
  readonly #audioCodec: Mp4AudioCodec;
  readonly #limitNs: number;
  #startNs: number | undefined;
  readonly #held: Array<EncodedVideoFrame | AudioFrame | EncodedAudioFrame> = [];
  #firstVideoNs: number | undefined;
  #firstAudioNs: number | undefined;
  #pendingVideo: { data: Uint8Array; keyframe: boolean; timestampNs: number } | undefined;
  #videoDurationNs = 1e9 / 30;
  #videoConfigured = false;
  #opus: Mp4AudioEncoder | undefined;
  #opusBlock = new Float32Array(0);
  #opusFill = 0;
  #audioSamples = 0;
  #audioOriginNs = 0;
  #audioLimit = Infinity;
  #finished: Promise<void> | undefined;
  readonly #stats: Mp4RecordingStats = emptyMp4RecordingStats();
  #lastVideoNs = -Infinity;
  #lastAudioEndNs: number | undefined;
  /** The format of encoded audio frames, from the first one (`undefined` before). */
  #encodedFormat: { sampleRate: number; channels: number } | undefined;

  private constructor(options: Mp4RecordingOptions, file: Mp4FileTarget, output: Output) {
    this.#path = options.path;
    this.#file = file;
    this.#output = output;
    this.#audioBitrate = options.audioBitrate;
    this.#audioCodec = options.audioCodec ?? "opus";
    this.#limitNs = options.maxSeconds ? options.maxSeconds * 1e9 : Infinity;
    if (options.video) {
      this.#videoSource = new EncodedVideoPacketSource("avc");
      output.addVideoTrack(this.#videoSource);
    }
    if (options.audio) {
      this.#audioSource = new EncodedAudioPacketSource(this.#audioCodec);
      output.addAudioTrack(this.#audioSource);
    }
  }

  /**
   * Checks the options, creates the file and starts the muxer.
   *
   * @param options Path, tracks, Opus bit rate, fragment length, length limit.
   * @returns The recording.
   * @throws {InvalidArgumentError} For a bit rate, fragment length or limit out of range (before
   *   the file is touched).
   * @throws {Mp4WriteError} When the file cannot be created (no such directory, no permission).
   */
  static async create(options: Mp4RecordingOptions): Promise<Mp4Recording> {
    checkOptions(options);
    const file = await openMp4FileTarget(options.path);
    try {
      const output = new Output({
        format: new Mp4OutputFormat({
          fastStart: "fragmented",
          minimumFragmentDuration: options.fragmentSeconds,
        }),
        target: file.target,
      });
      const recording = new Mp4Recording(options, file, output);
      await output.start();
      return recording;
    } catch (error) {
      await file.remove();
      throw new Mp4WriteError(options.path, (error as Error).message, { cause: error });
    }
  }

  /** The file. */
  get path(): string {
    return this.#path;
  }

  /**
   * Whether anything was recorded (after {@linkcode Mp4Recording.finish}: whether the file was
   * kept).
   */
  get recorded(): boolean {
    return this.#stats.videoFrames + this.#stats.audioPackets > 0;
  }

  /** What has been written. */
  get stats(): Readonly<Mp4RecordingStats> {
    return this.#stats;
  }

  /**
   * How far the audio's timestamps have moved from its sample count, in nanoseconds: silence
   * filled minus samples trimmed (positive when the source fell behind and skipped time). It is
   * how far audio and video would be apart had the audio been stamped by its sample count; the
   * file itself stays in step.
   */
  get audioDriftNs(): number {
    const rate = this.#opus?.sampleRate;
    if (rate === undefined) return 0;
    const { audioFilledSamples, audioTrimmedSamples } = this.#stats;
    return ((audioFilledSamples - audioTrimmedSamples) / rate) * 1e9;
  }

  /**
   * Where each track ends so far, in nanoseconds of the inputs' clock: the last video frame's
   * timestamp and the end of the last audio sample placed (`undefined` for a track with nothing
   * yet).
   */
  get trackEndsNs(): { video: number | undefined; audio: number | undefined } {
    const video = Number.isFinite(this.#lastVideoNs) ? this.#lastVideoNs : undefined;
    return { video, audio: this.#lastAudioEndNs };
  }

  /** Bytes on disk so far. */
  get bytesWritten(): number {
    return this.#file.bytesWritten();
  }

  /**
   * Adds one H.264 access unit (Annex B, keyframes with SPS and PPS). Frames before the first
   * keyframe are dropped.
   *
   * @param frame The access unit.
   */
  async addVideo(frame: EncodedVideoFrame): Promise<void> {
    if (!this.#videoSource || this.#finished) return;
    this.#firstVideoNs ??= frame.timestampNs;
    if (this.#startNs === undefined) return this.#hold(frame);
    await this.#writeVideo(frame);
  }

  /**
   * Adds one block of audio, encoded to Opus in 20 ms packets.
   *
   * @param frame Interleaved samples at 8, 12, 16, 24 or 48 kHz, one or two channels.
   * @throws {InvalidArgumentError} For another rate or channel count, or one that differs from
   *   the first block's.
   */
  async addAudio(frame: AudioFrame): Promise<void> {
    if (!this.#audioSource || this.#finished) return;
    this.#firstAudioNs ??= frame.timestampNs;
    if (this.#startNs === undefined) return this.#hold(frame);
    await this.#writeAudio(frame);
  }

  /**
   * Adds one encoded audio frame (from an `AacEncoder`, say) as it is: placed at its timestamp,
   * with the first frame's extradata as the track's decoder config. Frames before the start of the
   * file or past the length limit are left out (counted in `droppedAudio`); gaps stay gaps.
   *
   * @param frame The frame, of the recording's `audioCodec`.
   * @throws {EncodedAudioCodecError} For another codec than the recording's.
   * @throws {InvalidArgumentError} For another rate or channel count than the first frame's.
   */
  async addEncodedAudio(frame: EncodedAudioFrame): Promise<void> {
    if (!this.#audioSource || this.#finished) return;
    if (frame.codec !== this.#audioCodec) {
      throw new EncodedAudioCodecError(
        `record audio to ${this.#path}`,
        frame.codec,
        [this.#audioCodec],
        `set the writer's audioCodec to ${frame.codec}`,
      );
    }
    this.#firstAudioNs ??= frame.timestampNs;
    if (this.#startNs === undefined) return this.#hold(frame);
    await this.#writeEncodedAudio(frame);
  }

  /**
   * Writes what is still held (the last video frame, the last partial Opus packet padded with
   * silence), finalizes the muxer and closes the file; deletes the file instead when nothing was
   * recorded. Idempotent.
   */
  finish(): Promise<void> {
    this.#finished ??= this.#finish();
    return this.#finished;
  }

  async #finish(): Promise<void> {
    try {
      if (this.#startNs === undefined && this.#held.length > 0) await this.#start();
      if (this.#pendingVideo) {
        const { timestampNs } = this.#pendingVideo;
        const left = this.#startNs! + this.#limitNs - timestampNs;
        await this.#flushVideo(Math.min(this.#videoDurationNs, left));
      }
      if (this.#opus && this.#opusFill > 0) {
        const frames = this.#opusFill / this.#opus.channels;
        this.#opusBlock.fill(0, this.#opusFill);
        await this.#encodeOpusBlock(frames);
      }
    } finally {
      this.#opus?.close();
      if (this.recorded) {
        try {
          await this.#output.finalize();
          await this.#file.complete();
        } finally {
          this.#file.close();
        }
      } else {
        // Nothing to play: no header-only file is left behind as if it were a recording.
        await this.#output.cancel().catch(() => {});
        await this.#file.remove();
      }
    }
  }

  /** Holds start frames until both tracks have one (or too many are waiting), then starts. */
  async #hold(frame: EncodedVideoFrame | AudioFrame | EncodedAudioFrame): Promise<void> {
    // Held past the caller's turn: frames are the runtime's (released when the writer's
    // process() returns), so what waits here is a copy. Only the first few frames ever wait.
    this.#held.push(
      frame.kind === "audio"
        ? { ...frame, samples: frame.samples.slice() }
        : frame.kind === "encoded-audio"
        ? { ...frame, data: frame.data.slice(), extradata: frame.extradata.slice() }
        : { ...frame, data: frame.data.slice() },
    );
    const both = (!this.#videoSource || this.#firstVideoNs !== undefined) &&
      (!this.#audioSource || this.#firstAudioNs !== undefined);
    if (both || this.#held.length >= START_HOLD) await this.#start();
  }

  async #start(): Promise<void> {
    const firsts = [this.#firstVideoNs, this.#firstAudioNs].filter((t) => t !== undefined);
    this.#startNs = Math.min(...firsts);
    const held = this.#held.splice(0);
    for (const frame of held) {
      if (frame.kind === "audio") await this.#writeAudio(frame);
      else if (frame.kind === "encoded-audio") await this.#writeEncodedAudio(frame);
      else await this.#writeVideo(frame);
    }
  }

  async #writeVideo(frame: EncodedVideoFrame): Promise<void> {
    const start = this.#startNs!;
    if (
      frame.timestampNs - start >= this.#limitNs || frame.timestampNs < start ||
      (!this.#videoConfigured && !frame.keyframe)
    ) {
      this.#stats.droppedVideo++;
      return;
    }
    if (this.#pendingVideo) {
      const duration = frame.timestampNs - this.#pendingVideo.timestampNs;
      if (duration > 0) this.#videoDurationNs = duration;
      await this.#flushVideo(Math.max(duration, 1_000));
    }
    // A frame stamped at or before the one before it (B-frames in decode order, a source's
    // duplicate stamp) is kept: samples follow one another in the track, each at least 1 µs.
    this.#lastVideoNs = Math.max(this.#lastVideoNs, frame.timestampNs);
    // The frame's bytes may be reused by its producer after this call: keep a copy.
    this.#pendingVideo = {
      data: frame.data.slice(),
      keyframe: frame.keyframe,
      timestampNs: frame.timestampNs,
    };
    this.#videoConfigured = true;
  }

  async #flushVideo(durationNs: number): Promise<void> {
    const frame = this.#pendingVideo!;
    this.#pendingVideo = undefined;
    const packet = new EncodedPacket(
      frame.data,
      frame.keyframe ? "key" : "delta",
      (frame.timestampNs - this.#startNs!) / 1e9,
      durationNs / 1e9,
    );
    let meta: EncodedVideoChunkMetadata | undefined;
    if (this.#stats.videoFrames === 0) {
      const sps = annexBUnits(frame.data).find((u) => nalType(u) === NAL_SPS);
      if (!sps) throw new RangeError("Cannot record H.264: the first keyframe has no SPS");
      const info = parseAvcSps(sps);
      meta = {
        decoderConfig: { codec: info.codec, codedWidth: info.width, codedHeight: info.height },
      };
    }
    await this.#videoSource!.add(packet, meta);
    this.#stats.videoFrames++;
  }

  async #writeAudio(frame: AudioFrame): Promise<void> {
    if (!this.#opus) this.#openOpus(frame);
    const opus = this.#opus!;
    if (frame.sampleRate !== opus.sampleRate || frame.channels !== opus.channels) {
      const [argument, value, valid] = frame.sampleRate !== opus.sampleRate
        ? ["sampleRate", frame.sampleRate, `${opus.sampleRate} Hz`]
        : ["channels", frame.channels, `${opus.channels}`];
      throw new InvalidArgumentError(
        `record Opus audio to ${this.#path}`,
        argument,
        value,
        `${valid}, as the recording began (one audio format per file)`,
      );
    }
    const channels = frame.channels;
    const rate = frame.sampleRate;
    let offset = 0;
    const n = frame.frameCount * channels;
    const startNs = this.#startNs!;
    if (this.#audioSamples === 0 && this.#opusFill === 0) {
      if (frame.timestampNs < startNs) {
        // Drop what precedes the start of the file.
        const skip = Math.round(((startNs - frame.timestampNs) / 1e9) * rate);
        offset = Math.min(skip, frame.frameCount) * channels;
        this.#audioOriginNs = startNs;
      } else {
        this.#audioOriginNs = frame.timestampNs;
      }
      // Samples (per channel) up to the length limit.
      const room = (startNs + this.#limitNs - this.#audioOriginNs) / 1e9 * rate;
      this.#audioLimit = Math.max(0, Math.round(room));
    } else {
      // Placed by its timestamp: a gap is filled with silence, an overlap trimmed.
      const placed = this.#audioSamples + this.#opusFill / channels;
      const gapNs = frame.timestampNs - (this.#audioOriginNs + (placed / rate) * 1e9);
      if (gapNs > AUDIO_SYNC_TOLERANCE_NS) {
        await this.#fillSilence(Math.round((gapNs / 1e9) * rate), gapNs > AUDIO_MAX_FILL_NS);
      } else if (gapNs < -AUDIO_SYNC_TOLERANCE_NS) {
        const trim = Math.min(Math.round((-gapNs / 1e9) * rate), frame.frameCount);
        this.#stats.audioTrimmedSamples += trim;
        offset = trim * channels;
      }
    }
    const taken = this.#audioSamples + this.#opusFill / channels;
    const end = Math.min(n, offset + Math.max(0, this.#audioLimit - taken) * channels);
    if (offset >= end) {
      this.#stats.droppedAudio++; // nothing of this block goes in the file
      return;
    }
    while (offset < end) {
      const take = Math.min(end - offset, this.#opusBlock.length - this.#opusFill);
      this.#opusBlock.set(frame.samples.subarray(offset, offset + take), this.#opusFill);
      this.#opusFill += take;
      offset += take;
      if (this.#opusFill === this.#opusBlock.length) await this.#encodeOpusBlock();
    }
    this.#lastAudioEndNs = this.#audioOriginNs +
      ((this.#audioSamples + this.#opusFill / channels) / rate) * 1e9;
  }

  async #writeEncodedAudio(frame: EncodedAudioFrame): Promise<void> {
    const format = this.#encodedFormat ??= {
      sampleRate: frame.sampleRate,
      channels: frame.channels,
    };
    if (frame.sampleRate !== format.sampleRate || frame.channels !== format.channels) {
      const [argument, value, valid] = frame.sampleRate !== format.sampleRate
        ? ["sampleRate", frame.sampleRate, `${format.sampleRate} Hz`]
        : ["channels", frame.channels, `${format.channels}`];
      throw new InvalidArgumentError(
        `record ${frame.codec} audio to ${this.#path}`,
        argument,
        value,
        `${valid}, as the recording began (one audio format per file)`,
      );
    }
    const start = this.#startNs!;
    const durationNs = (frame.frameCount / frame.sampleRate) * 1e9;
    // A frame may start before the file does (AAC is stamped its encoder's delay early): it is
    // kept when it ends after the start, as the priming a decoder drops.
    const lastEnd = this.#lastAudioEndNs ?? -Infinity;
    const at = Math.max(frame.timestampNs, lastEnd); // in order, never overlapping the last
    if (at + durationNs <= start || at - start >= this.#limitNs) {
      this.#stats.droppedAudio++;
      return;
    }
    const packet = new EncodedPacket(frame.data, "key", (at - start) / 1e9, durationNs / 1e9);
    const meta: EncodedAudioChunkMetadata | undefined = this.#stats.audioPackets === 0
      ? { decoderConfig: encodedDecoderConfig(frame) }
      : undefined;
    await this.#audioSource!.add(packet, meta);
    this.#stats.audioPackets++;
    this.#lastAudioEndNs = at + durationNs;
  }

  /**
   * Puts `frames` samples (per channel) of silence after the samples so far, up to the length
   * limit; counted in `audioFilledSamples`.
   *
   * @param frames How many.
   * @param jump Whether the gap is too long to fill (a clock jump): the next samples are then
   *   stamped after it and the track keeps a gap.
   */
  async #fillSilence(frames: number, jump: boolean): Promise<void> {
    const opus = this.#opus!;
    const channels = opus.channels;
    const taken = this.#audioSamples + this.#opusFill / channels;
    frames = Math.min(frames, Math.max(0, this.#audioLimit - taken));
    if (frames <= 0) return;
    this.#stats.audioFilledSamples += frames;
    if (jump) {
      // Close the packet being filled (padded), then move the track's origin past the gap.
      if (this.#opusFill > 0) {
        const real = this.#opusFill / channels;
        this.#opusBlock.fill(0, this.#opusFill);
        await this.#encodeOpusBlock(real);
      }
      this.#audioOriginNs += (frames / opus.sampleRate) * 1e9;
      this.#audioLimit -= frames;
      return;
    }
    let left = frames * channels;
    while (left > 0) {
      const take = Math.min(left, this.#opusBlock.length - this.#opusFill);
      this.#opusBlock.fill(0, this.#opusFill, this.#opusFill + take);
      this.#opusFill += take;
      left -= take;
      if (this.#opusFill === this.#opusBlock.length) await this.#encodeOpusBlock();
    }
  }

  #openOpus(frame: AudioFrame): void {
    const encoder = openMp4AudioEncoder(this.#audioCodec, frame, this.#audioBitrate, this.#path);
    this.#opus = encoder;
    this.#opusBlock = new Float32Array(encoder.blockFrames * frame.channels);
  }

  /**
   * Encodes the full block as one Opus packet.
   *
   * @param frames How many of its samples (per channel) are real, the rest being padding: the
   *   packet's duration in the file.
   */
  async #encodeOpusBlock(frames = this.#opusBlock.length / this.#opus!.channels): Promise<void> {
    const encoder = this.#opus!;
    const data = encoder.encode(this.#opusBlock);
    this.#opusFill = 0;
    // An AAC frame holds the input from `delayFrames` earlier: its timestamp says so.
    const timestamp = (this.#audioOriginNs - this.#startNs!) / 1e9 +
      (this.#audioSamples - encoder.delayFrames) / encoder.sampleRate;
    this.#audioSamples += frames;
    if (data.length === 0) return;
    const packet = new EncodedPacket(data, "key", timestamp, frames / encoder.sampleRate);
    const meta: EncodedAudioChunkMetadata | undefined = this.#stats.audioPackets === 0
      ? { decoderConfig: encoder.decoderConfig() }
      : undefined;
    await this.#audioSource!.add(packet, meta);
    this.#stats.audioPackets++;
  }
}

/** The track's decoder config from an encoded frame: its extradata, or an OpusHead for Opus. */
function encodedDecoderConfig(frame: EncodedAudioFrame): AudioDecoderConfig {
  if (frame.codec === "aac") {
    return {
      codec: "mp4a.40.2",
      sampleRate: frame.sampleRate,
      numberOfChannels: frame.channels,
      description: frame.extradata.slice(),
    };
  }
  const head = frame.extradata.length > 0
    ? frame.extradata.slice()
    : buildOpusHead({ channels: frame.channels, preSkip: 0, inputSampleRate: frame.sampleRate });
  return { codec: "opus", sampleRate: 48_000, numberOfChannels: frame.channels, description: head };
}

function checkOptions(options: Mp4RecordingOptions): void {
  const operation = `record ${options.path}`;
  const { audioBitrate, fragmentSeconds, maxSeconds = 0 } = options;
  if (
    (options.audioCodec ?? "opus") === "opus" &&
    (!Number.isInteger(audioBitrate) || audioBitrate < OPUS_BITRATE_MIN ||
      audioBitrate > OPUS_BITRATE_MAX)
  ) {
    throw new InvalidArgumentError(
      operation,
      "audioBitrate",
      audioBitrate,
      `an integer ${OPUS_BITRATE_MIN}..${OPUS_BITRATE_MAX} (bits per second)`,
    );
  }
  if (!(fragmentSeconds > 0 && fragmentSeconds <= 60)) {
    throw new InvalidArgumentError(
      operation,
      "fragmentSeconds",
      fragmentSeconds,
      "a number above 0, at most 60",
    );
  }
  if (!(maxSeconds >= 0 && Number.isFinite(maxSeconds))) {
    throw new InvalidArgumentError(
      operation,
      "maxSeconds",
      maxSeconds,
      "a finite number of seconds, 0 for no limit",
    );
  }
}
