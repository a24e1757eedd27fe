/**
 * The audio encoders `Mp4Recording` writes with, behind one shape: Opus (libopus, 20 ms packets)
 * or AAC-LC (libvo-aacenc, 1024-sample frames), each with the decoder config the MP4 track
 * declares (`dOps` from an OpusHead, `esds` from an AudioSpecificConfig).
 *
 * @module
 */

import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import { InvalidArgumentError } from "../../ffi/native/errors.ts";
import {
  OPUS_MAX_PACKET_BYTES,
  OPUS_SAMPLE_RATES,
  OpusEncoder,
} from "../../ffi/media/opus_encoder.ts";
import {
  AAC_ENCODER_DELAY_SAMPLES,
  AAC_FRAME_SAMPLES,
  VoAacEncoder,
} from "../../ffi/media/vo_aac_encoder.ts";
import { buildOpusHead } from "./opus_head.ts";

/** The codecs an MP4 recording's audio track can have. */
export type Mp4AudioCodec = "opus" | "aac";

/** One encoder of an MP4 recording's audio track. */
export interface Mp4AudioEncoder {
  /** mediabunny's codec name of the track. */
  readonly codec: Mp4AudioCodec;
  /** Samples per second in. */
  readonly sampleRate: number;
  /** Channels. */
  readonly channels: number;
  /** Samples per channel in each packet. */
  readonly blockFrames: number;
  /**
   * Samples (per channel, at `sampleRate`) the encoder delays its output by, which the track's
   * timestamps start early (AAC; 0 for Opus, whose OpusHead pre-skip says it instead).
   */
  readonly delayFrames: number;
  /** Encodes one full block (`blockFrames` per channel, interleaved) into one packet. */
  encode(block: Float32Array): Uint8Array;
  /** The track's decoder config (WebCodecs shape, as mediabunny takes it). */
  decoderConfig(): AudioDecoderConfig;
  /** Frees the encoder. Idempotent. */
  close(): void;
}

/**
 * Opens the encoder for a recording's first audio block.
 *
 * @param codec `opus` or `aac`.
 * @param frame The first block: its rate and channels are the track's.
 * @param bitrate Bits per second.
 * @param path The file, for error messages.
 * @returns The encoder.
 * @throws {InvalidArgumentError} For a rate or channel count Opus does not take.
 * @throws {AacEncoderConfigError} For a format or bit rate AAC-LC does not take.
 * @throws {AacEncoderUnavailableError} For AAC without `libvo-aacenc` installed.
 *
 * @example AAC-LC at 48 kHz stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "@streamlib/streamlib";
 * import { openMp4AudioEncoder } from "./mp4_audio_encoder.ts";
 *
 * const encoder = openMp4AudioEncoder("aac", createAudioFrame(2, 48_000, 480), 128_000, "x.mp4");
 * assert.equal(encoder.blockFrames, 1024);
 * assert.equal(encoder.decoderConfig().codec, "mp4a.40.2");
 * encoder.close();
 * ```
 */
export function openMp4AudioEncoder(
  codec: Mp4AudioCodec,
  frame: AudioFrame,
  bitrate: number,
  path: string,
): Mp4AudioEncoder {
  return codec === "aac" ? aacEncoder(frame, bitrate) : opusEncoder(frame, bitrate, path);
}

function aacEncoder(frame: AudioFrame, bitrate: number): Mp4AudioEncoder {
  const encoder = VoAacEncoder.create({
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    bitrate,
  });
  return {
    codec: "aac",
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    blockFrames: AAC_FRAME_SAMPLES,
    delayFrames: AAC_ENCODER_DELAY_SAMPLES,
    encode: (block) => encoder.encode(block),
    decoderConfig: () => ({
      codec: "mp4a.40.2",
      numberOfChannels: frame.channels,
      sampleRate: frame.sampleRate,
      description: encoder.audioSpecificConfig,
    }),
    close: () => encoder.close(),
  };
}

function opusEncoder(frame: AudioFrame, bitrate: number, path: string): Mp4AudioEncoder {
  const operation = `record Opus audio to ${path}`;
  if (!OPUS_SAMPLE_RATES.includes(frame.sampleRate)) {
    throw new InvalidArgumentError(
      operation,
      "sampleRate",
      frame.sampleRate,
      `one of ${
        OPUS_SAMPLE_RATES.join(", ")
      } Hz: put an AudioResampler (sampleRate 48000, Opus's own) in front, or set the audio source's sampleRate to one of these, or record this audio with a WavWriter, which takes any rate`,
    );
  }
  if (frame.channels !== 1 && frame.channels !== 2) {
    throw new InvalidArgumentError(
      operation,
      "channels",
      frame.channels,
      "1 or 2: put a ChannelConverter with channels 2 (or 1) before the writer's audio input",
    );
  }
  const encoder = OpusEncoder.create({
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    bitrate,
  });
  const packet = new Uint8Array(OPUS_MAX_PACKET_BYTES);
  return {
    codec: "opus",
    sampleRate: frame.sampleRate,
    channels: frame.channels,
    blockFrames: frame.sampleRate / 50,
    delayFrames: 0,
    encode: (block) => packet.slice(0, encoder.encode(block, packet)),
    decoderConfig: () => ({
      codec: "opus",
      numberOfChannels: frame.channels,
      sampleRate: 48_000,
      // Pre-skip counts 48 kHz samples whatever the input rate (RFC 7845).
      description: buildOpusHead({
        channels: frame.channels,
        preSkip: Math.round((encoder.preSkip * 48_000) / frame.sampleRate),
        inputSampleRate: frame.sampleRate,
      }),
    }),
    close: () => encoder.close(),
  };
}
