/**
 * Reading an MP4 file for playback: mediabunny demuxes, OpenH264 decodes the H.264 track (AVCC
 * samples turned back into Annex B, SPS and PPS in front of keyframes), libopus an Opus track
 * (pre-skip dropped) and Symphonia an AAC-LC track (the samples before the edit list's start,
 * the encoder's priming, dropped). Pictures come out in display order with their presentation
 * times; audio as interleaved stereo at the track's rate (mono copied to both channels).
 *
 * @module
 */

import { type EncodedPacket, EncodedPacketSink, FilePathSource, Input, MP4 } from "mediabunny";
import { AAC_FRAME_SAMPLES, AacDecoder } from "../../ffi/media/aac_decoder.ts";
import { H264Decoder } from "../../ffi/media/h264_decoder.ts";
import { OpusDecoder } from "../../ffi/media/opus_decoder.ts";
import { avccToAnnexB, parseAvcDecoderConfig } from "./h264_nal.ts";
import { checkTopLevelBoxes } from "./mp4_boxes.ts";
import { CodecError, NativeError, UnsupportedError } from "../../ffi/native/errors.ts";
import { Mp4ReadError, UnsupportedMp4CodecError } from "./mp4_errors.ts";
import { parseOpusHead } from "./opus_head.ts";

/** Output rate of decoded Opus audio (AAC plays at its track's rate). */
export const PLAYBACK_SAMPLE_RATE = 48_000;

/** The audio codecs playback decodes, as `UnsupportedMp4CodecError.supported` names them. */
const AUDIO_CODECS = ["aac", "opus"];

/** A video picture the playback has ready. */
export interface PlaybackPicture {
  /** Presentation time in seconds from the file's start. */
  readonly time: number;
  /** Width. */
  readonly width: number;
  /** Height. */
  readonly height: number;
  /** I420 bytes. */
  readonly byteLength: number;
}

/** An open MP4 file being played. */
export class Mp4Playback {
  /** The file. */
  readonly path: string;
  /** Video frames per second (from the packet statistics), 0 without video. */
  readonly fps: number;
  /** Video size, 0 without video. */
  readonly width: number;
  /** Video height. */
  readonly height: number;
  /** Whether there is an Opus or AAC track. */
  readonly hasAudio: boolean;
  /** Sample rate of the decoded audio: {@linkcode PLAYBACK_SAMPLE_RATE} for Opus, the AAC track's. */
  readonly sampleRate: number;
  readonly #input: Input;
  readonly #video: AsyncGenerator<EncodedPacket, void> | undefined;
  readonly #audio: AsyncGenerator<EncodedPacket, void> | undefined;
  readonly #decoder: H264Decoder | undefined;
  readonly #opus: OpusDecoder | undefined;
  readonly #aac: AacDecoder | undefined;
  /** One AAC access unit as decoded (mono or stereo), before it is made stereo. */
  readonly #aacPcm: Float32Array;
  #audioPackets = 0;
  readonly #lengthSize: number;
  readonly #parameterSets: Uint8Array[];
  #preSkip: number;
  #videoDone = false;
  #nextAudio: EncodedPacket | null | undefined;
  readonly #pcm = new Float32Array(5760 * 2);

  private constructor(
    path: string,
    input: Input,
    parts: {
      fps: number;
      width: number;
      height: number;
      video?: AsyncGenerator<EncodedPacket, void>;
      audio?: AsyncGenerator<EncodedPacket, void>;
      lengthSize: number;
      parameterSets: Uint8Array[];
      preSkip: number;
      aac?: AacDecoder;
    },
  ) {
    this.path = path;
    this.#input = input;
    this.fps = parts.fps;
    this.width = parts.width;
    this.height = parts.height;
    this.#video = parts.video;
    this.#audio = parts.audio;
    this.hasAudio = parts.audio !== undefined;
    this.#lengthSize = parts.lengthSize;
    this.#parameterSets = parts.parameterSets;
    this.#preSkip = parts.preSkip;
    if (parts.video) this.#decoder = H264Decoder.create();
    this.#aac = parts.aac;
    this.#aacPcm = new Float32Array(parts.aac ? AAC_FRAME_SAMPLES * parts.aac.channels : 0);
    this.sampleRate = parts.aac?.sampleRate ?? PLAYBACK_SAMPLE_RATE;
    if (parts.audio && !parts.aac) {
      this.#opus = OpusDecoder.create({ sampleRate: PLAYBACK_SAMPLE_RATE, channels: 2 });
    }
  }

  /**
   * Opens `path` and prepares decoders for its H.264 and Opus or AAC-LC tracks.
   *
   * @param path An MP4 file.
   * @returns The playback, positioned at the start.
   * @throws {Mp4ReadError} When the file is missing, empty, not an MP4 (no 'ftyp' or 'moov' box) or
   *   has no video or audio track.
   * @throws {TruncatedMp4Error} When a top-level box runs past the end of the file.
   * @throws {UnsupportedMp4CodecError} For a video track that is not H.264, audio that is not
   *   Opus or AAC, or AAC the decoder does not take (HE-AAC, another profile than LC).
   * @throws {Mp4ReadError} With code `aac_config_invalid` for an AAC track whose
   *   AudioSpecificConfig is missing or corrupt, `aac_channels_unsupported` for one that declares
   *   other than one or two channels.
   */
  static async open(path: string): Promise<Mp4Playback> {
    await checkTopLevelBoxes(path);
    const input = new Input({ source: new FilePathSource(path), formats: [MP4] });
    let aac: AacDecoder | undefined;
    try {
      const videoTrack = await input.getPrimaryVideoTrack();
      const audioTrack = await input.getPrimaryAudioTrack();
      if (!videoTrack && !audioTrack) {
        throw new Mp4ReadError(path, "it has no video or audio track");
      }
      let parts = {
        fps: 0,
        width: 0,
        height: 0,
        lengthSize: 4,
        parameterSets: [] as Uint8Array[],
        preSkip: 0,
      };
      let video;
      let audio;
      if (videoTrack) {
        if (videoTrack.codec !== "avc") {
          throw new UnsupportedMp4CodecError(path, "video", videoTrack.codec ?? "unknown", [
            "avc (H.264)",
          ]);
        }
        const config = await videoTrack.getDecoderConfig();
        const description = config?.description;
        if (!description) throw new Mp4ReadError(path, "its H.264 track has no avcC record");
        const avc = parseAvcDecoderConfig(toBytes(description));
        const stats = await videoTrack.computePacketStats(60);
        parts = {
          ...parts,
          fps: stats.averagePacketRate || 30,
          width: videoTrack.codedWidth,
          height: videoTrack.codedHeight,
          lengthSize: avc.lengthSize,
          parameterSets: [...avc.sps, ...avc.pps],
        };
        video = new EncodedPacketSink(videoTrack).packets();
      }
      if (audioTrack) {
        if (audioTrack.codec !== "opus" && audioTrack.codec !== "aac") {
          throw new UnsupportedMp4CodecError(
            path,
            "audio",
            audioTrack.codec ?? "unknown",
            AUDIO_CODECS,
          );
        }
        const config = await audioTrack.getDecoderConfig();
        if (audioTrack.codec === "aac") {
          aac = openAac(path, audioTrack.numberOfChannels, config?.description);
        } else {
          const preSkip = config?.description
            ? parseOpusHead(toBytes(config.description)).preSkip
            : 0;
          parts = { ...parts, preSkip };
        }
        audio = new EncodedPacketSink(audioTrack).packets();
      }
      return new Mp4Playback(path, input, { ...parts, video, audio, aac });
    } catch (error) {
      aac?.close();
      input.dispose();
      if (error instanceof Mp4ReadError) throw error;
      throw new Mp4ReadError(path, (error as Error).message, { cause: error });
    }
  }

  /** Whether every picture has come out. */
  get videoDone(): boolean {
    return this.#videoDone || !this.#video;
  }

  /** Whether every audio packet has been decoded. */
  get audioDone(): boolean {
    return this.#nextAudio === null || !this.#audio;
  }

  /**
   * Decodes until the next picture is ready (read it with {@linkcode Mp4Playback.readPicture}).
   *
   * @returns The picture's size and time, or `undefined` at the end of the video.
   */
  async nextPicture(): Promise<PlaybackPicture | undefined> {
    const decoder = this.#decoder;
    if (!decoder || !this.#video || this.#videoDone) return undefined;
    for (;;) {
      const { value: packet, done } = await this.#video.next();
      if (done) {
        if (decoder.flush()) return this.#picture(decoder);
        this.#videoDone = true;
        return undefined;
      }
      const unit = avccToAnnexB(
        packet.data,
        this.#lengthSize,
        packet.type === "key" ? this.#parameterSets : [],
      );
      // Microseconds ride through the decoder as its integer timestamp.
      if (decoder.decode(unit, Math.round(packet.timestamp * 1e6))) return this.#picture(decoder);
    }
  }

  /**
   * Copies the ready picture (I420) into `out`.
   *
   * @param out At least the picture's `byteLength` bytes.
   */
  readPicture(out: Uint8Array): void {
    this.#decoder!.read(out);
  }

  /**
   * Decodes the next audio packet if it starts before `untilSeconds`.
   *
   * @param untilSeconds Only packets starting before this time.
   * @returns The start time (seconds) and the interleaved stereo samples (a view valid until the
   *   next call), or `undefined`.
   */
  async nextAudio(
    untilSeconds: number,
  ): Promise<{ time: number; samples: Float32Array } | undefined> {
    const opus = this.#opus;
    if ((!opus && !this.#aac) || !this.#audio) return undefined;
    if (this.#nextAudio === undefined) {
      const { value, done } = await this.#audio.next();
      this.#nextAudio = done ? null : value;
    }
    const packet = this.#nextAudio;
    if (packet === null || packet.timestamp >= untilSeconds) return undefined;
    this.#nextAudio = undefined;
    if (!opus) {
      const decoded = this.#decodeAac(packet);
      // A unit wholly in the priming gives nothing: go on to the next one.
      return decoded.samples.length > 0 ? decoded : await this.nextAudio(untilSeconds);
    }
    let frames = opus.decode(packet.data, this.#pcm);
    let offset = 0;
    if (this.#preSkip > 0) {
      offset = Math.min(this.#preSkip, frames);
      this.#preSkip -= offset;
      frames -= offset;
    }
    // Decoded sample i plays at the first packet's time + (i - preSkip) / rate: dropping the
    // pre-skip leaves the packet's own time.
    return {
      time: packet.timestamp,
      samples: this.#pcm.subarray(offset * 2, (offset + frames) * 2),
    };
  }

  /**
   * Decodes one AAC access unit to stereo. Sample `i` of a unit stamped `t` plays at
   * `t + i / rate`; mediabunny stamps units by the edit list (ffmpeg's first unit at
   * `-1024 / rate`, its encoder delay), so the samples before 0 are the priming and are dropped,
   * as ffmpeg does. Units wholly before 0 come out empty.
   */
  #decodeAac(packet: EncodedPacket): { time: number; samples: Float32Array } {
    const aac = this.#aac!;
    const index = this.#audioPackets++;
    let frames;
    try {
      frames = aac.decode(packet.data, this.#aacPcm);
    } catch (error) {
      throw new Mp4ReadError(
        this.path,
        `its AAC packet ${index} (${packet.data.length} bytes at ${
          packet.timestamp.toFixed(3)
        } s) does not decode: ${nativeDetail(error)}`,
        { cause: error, code: "aac_packet_corrupt" },
      );
    }
    const skip = packet.timestamp < 0
      ? Math.min(frames, Math.round(-packet.timestamp * aac.sampleRate))
      : 0;
    const out = frames - skip;
    const pcm = this.#aacPcm;
    const stereo = this.#pcm;
    if (aac.channels === 2) {
      stereo.set(pcm.subarray(skip * 2, frames * 2));
    } else {
      for (let i = 0; i < out; i++) stereo[2 * i] = stereo[2 * i + 1] = pcm[skip + i];
    }
    return {
      time: Math.max(0, packet.timestamp + skip / aac.sampleRate),
      samples: stereo.subarray(0, out * 2),
    };
  }

  /** Frees the decoders and the file. Idempotent. */
  close(): void {
    this.#decoder?.close();
    this.#opus?.close();
    this.#aac?.close();
    this.#input.dispose();
  }

  #picture(decoder: H264Decoder): PlaybackPicture {
    return {
      time: decoder.timestampNs / 1e6,
      width: decoder.width,
      height: decoder.height,
      byteLength: decoder.byteLength,
    };
  }
}

/**
 * The AAC decoder for a track, with its config and channel count checked: refusals are
 * `Mp4ReadError`s with codes, never a native error.
 */
function openAac(
  path: string,
  declaredChannels: number,
  description: AllowSharedBufferSource | undefined,
): AacDecoder {
  if (!(declaredChannels >= 1 && declaredChannels <= 2)) {
    throw new Mp4ReadError(
      path,
      `its AAC track declares ${declaredChannels} channels, expected 1 (mono) or 2 (stereo)`,
      { code: "aac_channels_unsupported" },
    );
  }
  if (!description) {
    throw new Mp4ReadError(path, "its AAC track has no AudioSpecificConfig (esds)", {
      code: "aac_config_invalid",
    });
  }
  try {
    return AacDecoder.create({ config: toBytes(description) });
  } catch (error) {
    if (error instanceof UnsupportedError) {
      throw new UnsupportedMp4CodecError(path, "audio", "aac", ["aac-lc", "opus"], {
        detail: nativeDetail(error),
      });
    }
    if (error instanceof CodecError) {
      throw new Mp4ReadError(
        path,
        `its AAC AudioSpecificConfig is corrupt: ${nativeDetail(error)}`,
        {
          cause: error,
          code: "aac_config_invalid",
        },
      );
    }
    throw error;
  }
}

/**
 * The native library's own words in a codec error: without "Cannot <operation>: " and the kind
 * ("Codec error in AAC decode: ", "Unsupported AAC stream: ").
 */
function nativeDetail(error: unknown): string {
  if (!(error instanceof NativeError)) return String((error as Error)?.message ?? error);
  return error.message.slice(`Cannot ${error.operation}: `.length)
    .replace(/^(Codec error in [^:]*|Unsupported [^:]*): /, "");
}

function toBytes(source: AllowSharedBufferSource): Uint8Array {
  return source instanceof Uint8Array
    ? source
    : ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
}
