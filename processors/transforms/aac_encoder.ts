/**
 * The {@linkcode AacEncoder} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  type DataFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { AacFrames } from "../formats/aac_frames.ts";
import { type AacPacket, aacPacket } from "../formats/aac_packet.ts";
import type { AacEncoderTypes } from "./aac_encoder.gen.ts";

/**
 * Config of {@linkcode AacEncoder}.
 */
export interface AacEncoderConfig {
  /**
   * Bits per second: 8000 up to 6 bits per sample and channel, at most 160000 per channel
   * (a value outside what the stream's format allows fails the node with `aac_encoder_config`).
   *
   * @integer
   * @minimum 8000
   * @maximum 320000
   * @default 128000
   */
  bitrate: number;
}

/**
 * Encodes audio to AAC-LC with the VisualOn AAC encoder (`libvo-aacenc`, Apache-2.0, loaded at
 * run time: `apt-get install libvo-aacenc0`; see docs/decisions/0049-aac-encoding-with-vo-aacenc.md),
 * for `RtmpSink` and anything else that carries AAC.
 *
 * Mono or stereo at 8, 11.025, 12, 16, 22.05, 24, 32, 44.1 or 48 kHz, one format for the whole
 * stream (the first block's). Blocks of any size are gathered into 1024-sample frames; each
 * packet on `out` is stamped with the time of its frame's first sample less the encoder's delay
 * (1600 samples, 33 ms at 48 kHz), so that what a decoder plays lines up with the video's
 * clock. A format it cannot encode fails the node with `AacEncoderConfigError`
 * (`aac_encoder_config`), naming what is valid; a machine without the library fails `process()`
 * with `AacEncoderUnavailableError` (`aac_encoder_unavailable`), which says what to install.
 *
 * Counters (`rt.stats().nodes[id].processor`): `packets`, `bytes`.
 *
 * @example One second of a tone: 47 AAC frames (48000 / 1024), stamped 33 ms early
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, type DataFrame, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AacEncoder } from "@streamlib/streamlib/processors";
 * import type { AacPacket } from "../formats/aac_packet.ts";
 * import { aacEncoderNode } from "./aac_encoder.gen.ts";
 *
 * const ports = aacEncoderNode.ports();
 * const aac = aacEncoderNode.create({ bitrate: 96_000 }, ports) as AacEncoder;
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
 * const packets = new InputBinding<DataFrame<AacPacket>>("packets", "DataFrame");
 * connectLocal(source, ports.input("in"), { capacity: 64 });
 * connectLocal(ports.output("out"), packets, { capacity: 64 });
 * const ctx = createProcessContext("aac");
 * await aac.setup(ctx);
 * for (let i = 0; i < 50; i++) {
 *   const block = createAudioFrame(2, 48_000, 960);
 *   block.samples.fill(0.1);
 *   source.write({ ...block, timestampNs: 1e9 + i * 20_000_000 });
 * }
 * aac.process();
 * ctx.frames.flush(); // what the runtime does when process() returns
 * const first = packets.read()!;
 * assert.equal(first.value.audioSpecificConfig, "1190"); // AAC-LC, 48 kHz, stereo
 * assert.equal(first.timestampNs, 1e9 - 1600 / 48_000 * 1e9);
 * let n = 1;
 * while (packets.read() !== undefined) n++;
 * assert.equal(n, 46); // 48000 samples = 46 full frames and a partial one waiting
 * aac.teardown();
 * ```
 */
@processor({ tags: ["audio", "encoder"], mode: "push" })
export class AacEncoder extends Processor<AacEncoderTypes> {
  /** Mono or stereo audio at 8 to 48 kHz. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** AAC-LC frames (base64), with the stream's AudioSpecificConfig (hex). */
  @output()
  out!: OutputPort<DataFrame<AacPacket>>;

  /** Bit rate. */
  @config()
  config!: AacEncoderConfig;

  #frames: AacFrames | undefined;
  #packets = 0;
  #bytes = 0;

  /**
   * Loads the encoder's binding (the library itself opens with the first block's format).
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    const vo = await import("../../ffi/media/vo_aac_encoder.ts");
    this.#frames = new AacFrames(vo, this.config.bitrate);
  }

  /**
   * Encodes every waiting block, writing each complete 1024-sample frame to `out`.
   *
   * @throws {AacEncoderConfigError} For a format it cannot encode, or another than the first.
   * @throws {AacEncoderUnavailableError} When `libvo-aacenc` is not installed.
   */
  process(): void {
    const frames = this.#frames!;
    let block;
    while ((block = this.inputs.in.read()) !== undefined) {
      frames.add(block, (data, timestampNs, encoder) => {
        this.#packets++;
        this.#bytes += data.length;
        this.outputs.out.write({
          kind: "data",
          timestampNs,
          value: aacPacket(data, encoder.audioSpecificConfig, encoder.sampleRate, encoder.channels),
        });
      });
    }
  }

  /** Packets written and their bytes. */
  override reportStats(): { [key: string]: number } {
    return { packets: this.#packets, bytes: this.#bytes };
  }

  /** Frees the encoder (a partial frame waiting is dropped). Idempotent. */
  override teardown(): void {
    this.#frames?.close();
  }
}
