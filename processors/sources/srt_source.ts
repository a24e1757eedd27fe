/**
 * The {@linkcode SrtSource} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type EncodedVideoFrame,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { NetSource, NetStats } from "../../ffi/net/net_endpoint.ts";
import type { OpusDecoder } from "../../ffi/media/opus_decoder.ts";
import type { AacDecoder } from "../../ffi/media/aac_decoder.ts";
import { AdtsError, parseAdtsHeader } from "../formats/adts.ts";
import { type SrtConfig, srtEndpointSettings } from "../base/srt_config.ts";
import { PeerWatch } from "../base/peer_events.ts";
import { type ReceivedAudio, ReceivedUnits } from "../base/received_units.ts";
import { CodecError, UnsupportedError } from "../../ffi/native/errors.ts";
import type { SrtSourceTypes } from "./srt_source.gen.ts";

/**
 * Config of {@linkcode SrtSource}: its mode, and the SRT settings it shares with `SrtSink`.
 */
export interface SrtSourceConfig extends SrtConfig {
  /**
   * `listener` binds `host:port` and takes one sender at a time (the next when one leaves);
   * `caller` connects to a sender that listens, and reconnects with backoff.
   *
   * @default "listener"
   */
  mode: "caller" | "listener";
  /**
   * Channels of `audio` (the stream's Opus is decoded at 48 kHz to this many; AAC at its own
   * rate, mono copied to both channels or stereo averaged to one as needed).
   *
   * @integer
   * @minimum 1
   * @maximum 2
   * @default 2
   */
  audioChannels: number;
}

/** How often the node looks for received access units. */
const POLL_NS = 5_000_000;

/**
 * Receives H.264 video and Opus or AAC audio as MPEG-TS over SRT (`srt-protocol`; TS parsed by `mpeg2ts`)
 * and outputs the video's access units, for `Mp4Writer` or `H264Decoder`, and the audio decoded:
 * from `ffmpeg -c:a libopus -f mpegts srt://...` (or `-c:a aac`), GStreamer's `srtsink`, OBS, a
 * media server or `SrtSink`.
 *
 * A native thread owns the connection and demuxes; the node polls every 5 ms and never waits.
 * Access units keep the stream's timing: the first is stamped with the graph clock when it
 * arrives, the later ones by their PTS distance from it. Each new sender (or the same one after
 * a reconnection) is a new stream: it starts at its first keyframe (what comes before is dropped,
 * counted) and is placed on the clock as it arrives, after everything before it, so timestamps
 * downstream only rise. When the graph falls behind, the native queue drops its oldest access unit
 * (counted) and resumes at the next keyframe.
 *
 * Audio: the TS's first Opus stream (the Opus-in-MPEG-TS mapping ffmpeg and GStreamer write: a
 * private stream registered `Opus`) is decoded with libopus to `audioChannels` at 48 kHz, as
 * `WhipSource` does; each block is stamped from its PTS on the video's timeline (same offset),
 * so what was aligned at the sender stays aligned. Audio starts with the video, at its first
 * keyframe. An Opus PES whose control header is wrong is dropped and counted in `peerErrors`; a
 * packet libopus refuses is dropped and counted in `audioErrors`. A TS whose first audio stream
 * is AAC in ADTS (`stream_type` 0x0F, what `ffmpeg -c:a aac` writes) is decoded instead with the
 * AAC-LC decoder `Mp4FileSource` uses (Symphonia), at the stream's own rate (no resampling: put an
 * `AudioResampler` after it for a fixed rate), each 1024-sample frame stamped from its PTS; the
 * decoder is made from each frame's ADTS header, again when the stream's format changes. A
 * malformed or truncated ADTS frame (`AdtsError`, code `aac_adts_invalid`), one that does not
 * decode, or a stream the decoder does not take (HE-AAC, 5.1) is dropped and counted in
 * `audioErrors`; a PES whose ADTS framing is broken is dropped natively and counted in
 * `peerErrors`. Other streams (data) are ignored.
 *
 * Counters (`rt.stats().nodes[id].processor`): as `SrtSink`'s, counting what is received
 * (`frames*` count access units and Opus packets together), and `audioFrames`, `audioErrors`,
 * `audioDropped` (no frame memory). Each
 * sender that connects or leaves is a peer event (`node-log` with `data.peer`: `connected`,
 * `reconnected`, `disconnected`; a caller's failed attempts `retrying`): a sender that closes
 * is noticed at once, one that vanishes after `idleTimeoutMs` of silence.
 *
 * @example Listen for a sender; without one nothing comes out and nothing blocks
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, NullSink, SrtSource } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime({ workers: false });
 * const srt = rt.add(SrtSource, { port: 47_001 }, { id: "srt" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(srt.outputs.video, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * const stats = rt.stats().nodes.srt;
 * await rt.stop();
 * assert.equal(stats.framesOut, 0);
 * assert.equal(stats.processor?.connected, 0);
 * ```
 */
@processor({ tags: ["video", "audio", "source", "network"], mode: "loop" })
export class SrtSource extends Processor<SrtSourceTypes> {
  /** H.264 access units (Annex B) as received. */
  @output()
  video!: OutputPort<EncodedVideoFrame>;

  /** The stream's audio decoded to blocks of `audioChannels`: Opus at 48 kHz, AAC at its rate. */
  @output()
  audio!: OutputPort<AudioFrame>;

  /** Mode, address, latency, encryption, queue and audio channels. */
  @config()
  config!: SrtSourceConfig;

  #source: NetSource | undefined;
  #last: NetStats | undefined;
  #units = new ReceivedUnits();
  /** Where received Opus packets go: made in `setup()`, once the ports are bound. */
  #audio: ReceivedAudio | undefined;
  #peers = new PeerWatch();
  #decoder: OpusDecoder | undefined;
  #aacModule: typeof import("../../ffi/media/aac_decoder.ts") | undefined;
  #aac: AacDecoder | undefined;
  /** The AudioSpecificConfig `#aac` (or a failed attempt at one) was made for, as text. */
  #aacConfig = "";
  #aacPcm = new Float32Array(2048);
  #pcm = new Float32Array(0);
  #audioFrames = 0;
  #audioErrors = 0;
  #audioDropped = 0;

  /** The connection's counters (the last ones after teardown); `undefined` before setup. */
  get netStats(): NetStats | undefined {
    return this.#source?.stats() ?? this.#last;
  }

  /**
   * Starts the native receiver, which listens (or connects) right away, and the 5 ms poll
   * (its module is imported here, on first use, so a program that never streams does not load it).
   *
   * @param ctx The node's name, clock and loop.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    this.teardown();
    const { NetSource } = await import("../../ffi/net/net_endpoint.ts");
    const { OpusDecoder } = await import("../../ffi/media/opus_decoder.ts");
    this.#aacModule = await import("../../ffi/media/aac_decoder.ts");
    const { audioChannels } = this.config;
    this.#decoder = OpusDecoder.create({ sampleRate: 48_000, channels: audioChannels });
    this.#pcm = new Float32Array(5_760 * audioChannels); // 120 ms, the longest Opus packet
    this.#audioFrames = 0;
    this.#audioErrors = 0;
    this.#audioDropped = 0;
    this.#units.reset();
    this.#audio = {
      port: this.outputs.audio,
      write: (ctx, packet, timestampNs, aac) =>
        aac ? this.#writeAac(ctx, packet, timestampNs) : this.#writeAudio(ctx, packet, timestampNs),
    };
    this.#source = NetSource.create("srt", srtEndpointSettings(this.config));
    this.#peers = new PeerWatch(this.config.mode === "caller");
    ctx.loop?.setPeriodNs(POLL_NS);
  }

  /**
   * Outputs every access unit received since the last run.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const source = this.#source;
    if (source === undefined) return;
    const { mode, host, port } = this.config;
    this.#peers.report(ctx.log, source.stats(), `srt ${mode} ${host}:${port}`);
    this.#units.drain(source, ctx, this.outputs.video, this.#audio);
  }

  /**
   * Decodes one Opus packet and writes its block. A packet libopus refuses is counted in
   * `audioErrors`; a block with no frame memory now in `audioDropped` (the decoder has moved
   * on, so it cannot wait for the next run).
   */
  #writeAudio(ctx: ProcessContext, packet: Uint8Array, timestampNs: number): void {
    const decoder = this.#decoder;
    if (decoder === undefined) return;
    let frameCount = 0;
    try {
      frameCount = decoder.decode(packet, this.#pcm);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
    }
    if (frameCount <= 0) {
      this.#audioErrors++;
      return;
    }
    const channels = decoder.channels;
    const block = ctx.frames.audio({ channels, sampleRate: 48_000, frameCount });
    if (block === undefined) {
      this.#audioDropped++;
      return;
    }
    block.samples.set(this.#pcm.subarray(0, frameCount * channels));
    block.timestampNs = timestampNs;
    block.frameNumber = this.#audioFrames++;
    this.outputs.audio.write(block);
  }

  /**
   * Decodes one ADTS frame and writes its block, at the stream's rate and `audioChannels`. A
   * frame that is malformed, does not decode, or whose stream the decoder does not take is
   * counted in `audioErrors`; a block with no frame memory now in `audioDropped`.
   */
  #writeAac(ctx: ProcessContext, frame: Uint8Array, timestampNs: number): void {
    let decoded = 0;
    let decoder: AacDecoder | undefined;
    try {
      const header = parseAdtsHeader(frame);
      decoder = this.#aacFor(header.audioSpecificConfig);
      if (decoder !== undefined) {
        decoded = decoder.decode(frame.subarray(header.headerBytes), this.#aacPcm);
      }
    } catch (error) {
      if (!(error instanceof AdtsError || error instanceof CodecError)) throw error;
    }
    if (decoder === undefined || decoded <= 0) {
      this.#audioErrors++;
      return;
    }
    const channels = this.config.audioChannels;
    const block = ctx.frames.audio({
      channels,
      sampleRate: decoder.sampleRate,
      frameCount: decoded,
    });
    if (block === undefined) {
      this.#audioDropped++;
      return;
    }
    const pcm = this.#aacPcm;
    const out = block.samples;
    const from = decoder.channels;
    for (let i = 0; i < decoded; i++) {
      if (from === channels) {
        for (let c = 0; c < channels; c++) out[i * channels + c] = pcm[i * from + c];
      } else if (from === 1) {
        out[2 * i] = out[2 * i + 1] = pcm[i]; // mono to both channels
      } else {
        out[i] = (pcm[2 * i] + pcm[2 * i + 1]) / 2; // stereo averaged to mono
      }
    }
    block.timestampNs = timestampNs;
    block.frameNumber = this.#audioFrames++;
    this.outputs.audio.write(block);
  }

  /** The decoder for a stream's AudioSpecificConfig (a new one when it changes); `undefined` for a stream it does not take. */
  #aacFor(config: Uint8Array): AacDecoder | undefined {
    const key = `${config[0]}.${config[1]}`;
    if (key === this.#aacConfig) return this.#aac;
    this.#aac?.close();
    this.#aac = undefined;
    this.#aacConfig = key;
    try {
      this.#aac = this.#aacModule!.AacDecoder.create({ config });
    } catch (error) {
      if (!(error instanceof CodecError || error instanceof UnsupportedError)) throw error;
    }
    return this.#aac;
  }

  /** The connection's counters. */
  override reportStats(): { [key: string]: number | null } | undefined {
    const stats = this.netStats;
    return stats &&
      {
        ...stats,
        audioFrames: this.#audioFrames,
        audioErrors: this.#audioErrors,
        audioDropped: this.#audioDropped,
      };
  }

  /** Closes the connection and stops the receiver. Idempotent. */
  override teardown(): void {
    if (this.#source === undefined) return;
    this.#source.close(); // sends what is queued first
    this.#last = this.#source.stats();
    this.#source = undefined;
    this.#decoder?.close();
    this.#decoder = undefined;
    this.#aac?.close();
    this.#aac = undefined;
    this.#aacConfig = "";
  }
}
