/**
 * The {@linkcode SrtSink} processor.
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
import { SrtAudioFormatError } from "../base/srt_audio_error.ts";
import { NetworkSink, type NetworkSinkEndpoint } from "../base/network_sink.ts";
import { type SrtConfig, srtEndpointSettings } from "../base/srt_config.ts";
import type { OpusPackets } from "../webrtc/opus_packets.ts";
import type { AacFrames } from "../formats/aac_frames.ts";
import { adtsFrame } from "../formats/aac_packet.ts";
import { EncodedAudioCodecError } from "../formats/encoded_audio_codec_error.ts";
import type { SrtSinkTypes } from "./srt_sink.gen.ts";

/** The sample rates libopus encodes (Opus itself runs at 48 kHz). */
const OPUS_SAMPLE_RATES: readonly number[] = [8_000, 12_000, 16_000, 24_000, 48_000];

/**
 * Config of {@linkcode SrtSink}: its mode, and the SRT settings it shares with `SrtSource`.
 */
export interface SrtSinkConfig extends SrtConfig {
  /**
   * `caller` connects to `host:port` (and reconnects with backoff when the peer goes away);
   * `listener` binds `host:port` and serves one caller at a time.
   *
   * @default "caller"
   */
  mode: "caller" | "listener";
  /**
   * Bit rate of the audio stream (Opus or AAC), bits per second.
   *
   * @integer
   * @minimum 6000
   * @maximum 510000
   * @default 64000
   */
  audioBitrate: number;
  /**
   * Codec of the audio stream: `opus` (libopus, built in; the Opus-in-TS mapping) or `aac`
   * (AAC-LC in ADTS, `stream_type` 0x0F, with libvo-aacenc loaded at run time: `apt-get install
   * libvo-aacenc0`), which more receivers read. `audioBitrate` applies to either (AAC: 8000 up
   * to min(160000, 6 bits per sample) per channel).
   *
   * @default "opus"
   */
  audioCodec: "opus" | "aac";
  /**
   * Channels of the audio stream, as the TS's program map declares them: `audio` must bring this
   * many (put a `ChannelConverter` in front otherwise).
   *
   * @integer
   * @minimum 1
   * @maximum 2
   * @default 2
   */
  audioChannels: number;
}

/**
 * Sends H.264 video, and audio as Opus, in MPEG-TS over SRT (the `srt-protocol` crate; TS packets
 * written by `mpeg2ts`), for `ffmpeg`, GStreamer, OBS, media servers and anything else that reads
 * `srt://`.
 *
 * A native thread owns the connection: `process()` copies each access unit into a bounded native
 * queue and never waits for the network. When the queue is full the oldest access unit is
 * dropped and the stream resumes at the next keyframe; while no peer is connected access units
 * are dropped too, and a new connection starts at the next keyframe (keep the encoder's keyframe
 * interval short). A caller reconnects with backoff (100 ms doubling to 2 s) when the peer goes
 * away; a listener takes the next caller.
 *
 * Audio: when `audio` is connected, its blocks are encoded to 20 ms Opus packets (libopus, as
 * `WhepSink` does) and muxed as the TS's second stream, the Opus-in-MPEG-TS mapping ffmpeg and
 * GStreamer's `tsdemux` read (a private stream registered `Opus`). Each packet's PTS is the time
 * of its first sample on the video's clock, less the encoder's 6.5 ms lookahead (TS has no
 * pre-skip), so a decoder plays audio and video as aligned as their timestamps. Audio shares the video's queue and, after a drop, waits with it for the next
 * keyframe. It must be `audioChannels` channels at 8, 12, 16, 24 or 48 kHz, one format for the
 * whole stream; anything else fails the node with `SrtAudioFormatError` (code
 * `srt_audio_format`). With `audioCodec: "aac"` the audio is AAC-LC in ADTS instead (`stream_type`
 * 0x0F; libvo-aacenc, 8 to 48 kHz, 1024-sample frames stamped the encoder's 1600 samples early;
 * a format it cannot take fails with `AacEncoderConfigError`, `aac_encoder_config`; see
 * `docs/decisions/0049-aac-encoding-with-vo-aacenc.md`).
 *
 * Audio already encoded goes to `encodedAudio` instead of `audio`: `EncodedAudioFrame`s of the
 * config's `audioCodec` (AAC from an `AacEncoder`, in ADTS with the frame's AudioSpecificConfig;
 * or Opus packets, stamped earlier by their OpusHead's pre-skip) and `audioChannels` channels,
 * sent as they are. Another codec fails the node with `encoded_audio_codec`, another channel
 * count with `srt_audio_format`; connecting both `audio` and `encodedAudio` fails `setup()`.
 *
 * Counters (`rt.stats().nodes[id].processor`): `connected`, `connections`, `disconnects`,
 * `connectFailures`, `bytes`, `bitrate`, `packets`, `packetsLost`, `packetsRetransmitted`,
 * `naks`, `frames`, `framesDropped`, `framesQueued` (`frames*` count video access units and
 * Opus packets together), `audioPackets`, the Opus packets queued, and `audioGaps`, jumps in the
 * audio's timestamps (the source skipped time) padded with silence so later samples keep their
 * time.
 *
 * @example Stream a test pattern and a tone to an SRT listener that is not there yet: nothing blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createRuntime, H264Encoder, SrtSink, TestPattern, TestToneGenerator,
 * } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const pattern = rt.add(TestPattern, { width: 64, height: 48, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, { backend: "openh264" });
 * const tone = rt.add(TestToneGenerator, { frequency: 440 });
 * const srt = rt.add(SrtSink, { host: "127.0.0.1", port: 9, queueFrames: 4 }, { id: "srt" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, srt.inputs.video);
 * rt.connect(tone.outputs.audio, srt.inputs.audio);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 200));
 * const stats = rt.stats().nodes.srt;
 * await rt.stop();
 * assert.ok(stats.framesIn > 0);
 * assert.equal(stats.processor?.connected, 0);
 * assert.ok(Number(stats.processor?.audioPackets) > 0); // 20 ms Opus packets, queued
 * assert.ok(Number(stats.processor?.framesDropped) > 0); // no peer: dropped, counted
 * ```
 */
@processor({ tags: ["video", "audio", "sink", "network"], mode: "push" })
export class SrtSink extends NetworkSink<SrtSinkTypes> {
  /** H.264 access units (Annex B, keyframes with SPS and PPS), e.g. from `H264Encoder`. */
  @input({ required: true })
  video!: InputPort<EncodedVideoFrame>;

  /** Audio to send as Opus: `audioChannels` channels at 8, 12, 16, 24 or 48 kHz. */
  @input()
  audio!: InputPort<AudioFrame>;

  /** Audio already encoded (of the config's `audioCodec`), sent as it is. */
  @input()
  encodedAudio!: InputPort<EncodedAudioFrame>;

  /** Mode, address, latency, encryption, queue and Opus settings. */
  @config()
  config!: SrtSinkConfig;

  #opus: OpusPackets | undefined;
  #aac: AacFrames | undefined;
  #audioPackets = 0;
  #audioGaps = 0;

  /**
   * The native sender, which connects (caller) or listens (listener) right away.
   *
   * @returns SRT with the config's address, latency, encryption and queue, and the Opus
   * stream's channels when `audio` is connected.
   */
  protected endpoint(): NetworkSinkEndpoint {
    const audio = this.audio.isConnected || this.encodedAudio.isConnected;
    const audioChannels = audio ? this.config.audioChannels : 0;
    return {
      kind: "srt",
      settings: {
        ...srtEndpointSettings(this.config),
        audioChannels,
        audioCodec: this.config.audioCodec,
      },
    };
  }

  /**
   * Starts the native sender and, when `audio` is connected, the Opus packetizer.
   *
   * @param ctx The node's name and clock.
   * @throws {UnsupportedError} For a setting the native side refuses.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    if (this.audio.isConnected && this.encodedAudio.isConnected) {
      throw new TypeError(
        `Cannot send audio over SRT from '${ctx.node}': 'audio' and 'encodedAudio' are both connected (one audio stream)`,
      );
    }
    await super.setup(ctx);
    const aac = this.config.audioCodec === "aac";
    if (this.audio.isConnected && aac) {
      const { AacFrames } = await import("../formats/aac_frames.ts");
      const vo = await import("../../ffi/media/vo_aac_encoder.ts");
      this.#aac = new AacFrames(vo, this.config.audioBitrate);
    }
    const { OpusPackets } = await import("../webrtc/opus_packets.ts");
    this.#opus = this.audio.isConnected && !aac
      ? new OpusPackets(this.config.audioBitrate)
      : undefined;
    this.#audioPackets = 0;
    this.#audioGaps = 0;
  }

  /**
   * Queues every waiting access unit, then every complete 20 ms Opus packet of the waiting audio.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {SrtAudioFormatError} For audio of another channel count than `audioChannels`, at a
   *   rate Opus does not take, or in another format than the stream's first block.
   * @throws {EncodedAudioCodecError} For encoded audio of another codec than `audioCodec`.
   */
  override process(ctx: ProcessContext): void {
    super.process(ctx);
    let encoded;
    while ((encoded = this.encodedAudio.read()) !== undefined) this.#addEncoded(encoded);
    const opus = this.#opus;
    let block;
    while ((block = this.audio.read()) !== undefined) {
      if (this.#aac !== undefined) {
        this.#addAac(this.#aac, block);
        continue;
      }
      if (opus === undefined) continue;
      this.#checkFormat(block);
      const fits = opus.add(block, (packet, timestampNs) => {
        // TS has no pre-skip (its start trim is not read by ffmpeg): the packet is stamped one
        // encoder lookahead early, so the first real sample a decoder plays is at its own time.
        this.pushAudio(packet, timestampNs - opus.preSkipNs);
        this.#audioPackets++;
      });
      if (!fits) {
        throw new SrtAudioFormatError(
          "sampleRate",
          block.sampleRate,
          "the rate the stream began with (one audio format per stream)",
        );
      }
    }
  }

  /** An encoded frame as it is: AAC in ADTS, Opus stamped its pre-skip early (as encoded here). */
  #addEncoded(frame: EncodedAudioFrame): void {
    const { audioChannels, audioCodec } = this.config;
    if (frame.codec !== audioCodec) {
      const hint = `set the sink's audioCodec to ${frame.codec}`;
      throw new EncodedAudioCodecError("send audio over SRT", frame.codec, [audioCodec], hint);
    }
    if (frame.channels !== audioChannels) {
      throw new SrtAudioFormatError(
        "channels",
        frame.channels,
        `${audioChannels} (the config's audioChannels): set audioChannels to the encoder's`,
      );
    }
    if (frame.codec === "aac") {
      this.pushAudio(adtsFrame(frame.data, frame.extradata), frame.timestampNs);
    } else {
      // An OpusHead's pre-skip (bytes 10-11, 48 kHz samples) is the encoder's lookahead.
      const head = frame.extradata;
      const preSkip = head.length >= 19 ? head[10] | (head[11] << 8) : 0;
      this.pushAudio(frame.data, frame.timestampNs - (preSkip / 48_000) * 1e9);
    }
    this.#audioPackets++;
  }

  /**
   * At the end of the stream: the audio still inside the encoder (a partial frame, the encoder's
   * delay or lookahead) is encoded and queued, so the stream's last samples are sent.
   */
  override drain(): void {
    this.#aac?.flush((frame, timestampNs, encoder) => {
      this.pushAudio(adtsFrame(frame, encoder.audioSpecificConfig), timestampNs);
      this.#audioPackets++;
    });
    const opus = this.#opus;
    opus?.flush((packet, timestampNs) => {
      this.pushAudio(packet, timestampNs - opus.preSkipNs);
      this.#audioPackets++;
    });
  }

  /** AAC in ADTS: 1024-sample frames, each stamped the encoder's delay early (as Opus's PTS). */
  #addAac(aac: AacFrames, block: AudioFrame): void {
    const { audioChannels } = this.config;
    if (block.channels !== audioChannels) {
      throw new SrtAudioFormatError(
        "channels",
        block.channels,
        `${audioChannels} (the config's audioChannels): set audioChannels, or put a ChannelConverter before the sink's audio input`,
      );
    }
    aac.add(block, (frame, timestampNs, encoder) => {
      this.pushAudio(adtsFrame(frame, encoder.audioSpecificConfig), timestampNs);
      this.#audioPackets++;
    });
  }

  #checkFormat(block: AudioFrame): void {
    const { audioChannels } = this.config;
    if (block.channels !== audioChannels) {
      throw new SrtAudioFormatError(
        "channels",
        block.channels,
        `${audioChannels} (the config's audioChannels): set audioChannels, or put a ChannelConverter before the sink's audio input`,
      );
    }
    if (!OPUS_SAMPLE_RATES.includes(block.sampleRate)) {
      throw new SrtAudioFormatError(
        "sampleRate",
        block.sampleRate,
        `one of ${
          OPUS_SAMPLE_RATES.join(", ")
        } Hz: put an AudioResampler (sampleRate 48000, Opus's own) in front`,
      );
    }
  }

  /** The connection's counters, the Opus packets queued and the gaps in the audio padded. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = super.reportStats();
    const audioGaps = this.#opus?.gapsBridged ?? this.#audioGaps;
    return stats && { ...stats, audioPackets: this.#audioPackets, audioGaps };
  }

  /** Sends what is queued, closes the connection, and frees the Opus encoder. Idempotent. */
  override teardown(): void {
    super.teardown();
    this.#audioGaps = this.#opus?.gapsBridged ?? this.#audioGaps;
    this.#opus?.close();
    this.#opus = undefined;
    this.#aac?.close();
    this.#aac = undefined;
  }
}
