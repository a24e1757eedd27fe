/**
 * The {@linkcode ChannelConverter} processor.
 *
 * @module
 */

import {
  type AudioFrame,
  config,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  RotatingPool,
  type SetupContext,
} from "../mod.ts";
import { convertChannels } from "./dsp/channel_convert.ts";
import type { ChannelConverterTypes } from "./channel_converter.gen.ts";

/**
 * Config of {@linkcode ChannelConverter}.
 *
 * @example Upmix stereo to four channels on `out`
 * ```ts
 * import { type AudioFrame, connectLocal, createAudioFrame, InputBinding, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import { type ChannelConverterConfig, channelConverterNode } from "@streamlib/streamlib/processors";
 *
 * const config: ChannelConverterConfig = { channels: 4 };
 * const ports = channelConverterNode.ports();
 * const converter = channelConverterNode.create(config, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame>("sink", "AudioFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "channels", clock: monotonicClock };
 * converter.setup(ctx);
 * const stereo = createAudioFrame(2, 48_000, 1); // one sample per channel
 * stereo.samples.set([0.5, -0.5]);
 * source.write(stereo);
 * converter.process(ctx);
 * const out = sink.read()!;
 * console.log(out.channels, out.samples); // 4 Float32Array(4) [ 0.5, -0.5, 0.5, -0.5 ]
 * ```
 */
export interface ChannelConverterConfig {
  /**
   * Channels of the `out` port (the `mono` and `stereo` ports are always 1 and 2).
   *
   * @integer
   * @minimum 1
   * @maximum 32
   * @default 2
   */
  channels: number;
}

type Block<C extends number> = { -readonly [K in keyof AudioFrame<C>]: AudioFrame<C>[K] };

/** Blocks in each output's rotating pool: keep downstream capacities below this minus one. */
const POOL_SIZE = 16;

/**
 * Converts audio of any channel count to mono, stereo and a configured count.
 *
 * The channel count of a typed port is part of its type, so one converter has three outputs and
 * the graph picks by connecting: `mono` (`AudioFrame<1>`), `stereo` (`AudioFrame<2>`), and `out`
 * (`AudioFrame` with `channels` channels, for inputs that take any count). Only connected
 * outputs are computed. Downmixing averages (stereo to mono is `(L + R) / 2`); upmixing repeats
 * (mono to stereo copies the sample to both sides); see `convertChannels` for the general rule.
 * Blocks keep their sample rate, timestamp and frame number. Each output's blocks come from a
 * rotating pool of 16.
 *
 * @example Mono to stereo
 * ```ts
 * import { connectLocal, createAudioFrame, InputBinding, monotonicClock, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { channelConverterNode } from "@streamlib/streamlib/processors";
 *
 * const ports = channelConverterNode.ports();
 * const converter = channelConverterNode.create({}, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<1>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("stereo"), sink);
 * const ctx = { node: "channels", clock: monotonicClock };
 * converter.setup(ctx);
 * const mono = createAudioFrame(1, 48_000, 2);
 * mono.samples.set([0.25, -0.5]);
 * source.write(mono);
 * converter.process(ctx);
 * console.log(sink.read()?.samples); // Float32Array(4) [ 0.25, 0.25, -0.5, -0.5 ]
 * ```
 */
@processor({ tags: ["audio", "channels"], mode: "push" })
export class ChannelConverter extends Processor<ChannelConverterTypes> {
  /** Audio of any channel count. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** The audio as mono. */
  @output()
  mono!: OutputPort<AudioFrame<1>>;

  /** The audio as stereo. */
  @output()
  stereo!: OutputPort<AudioFrame<2>>;

  /** The audio with the configured channel count. */
  @output()
  out!: OutputPort<AudioFrame>;

  /** The channel count of `out`. */
  @config()
  config!: ChannelConverterConfig;

  #mono: RotatingPool<Block<1>> | undefined;
  #stereo: RotatingPool<Block<2>> | undefined;
  #out: RotatingPool<Block<number>> | undefined;

  /**
   * Allocates the output blocks (their sample buffers grow to the input's block size).
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    this.#mono = new RotatingPool(POOL_SIZE, () => emptyBlock(1 as const));
    this.#stereo = new RotatingPool(POOL_SIZE, () => emptyBlock(2 as const));
    this.#out = new RotatingPool(POOL_SIZE, () => emptyBlock(this.config.channels));
  }

  /**
   * Converts every block waiting on `in` for each connected output.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const mono = this.#mono;
    const stereo = this.#stereo;
    const out = this.#out;
    if (!mono || !stereo || !out) return;
    const outputs = this.outputs;
    mono.fit(outputs.mono.capacity);
    stereo.fit(outputs.stereo.capacity);
    out.fit(outputs.out.capacity);
    let frame;
    // One block per output per block in: read only what every output takes now.
    while (
      outputs.mono.space > 0 && outputs.stereo.space > 0 && outputs.out.space > 0 &&
      (frame = this.inputs.in.read()) !== undefined
    ) {
      if (outputs.mono.isConnected) outputs.mono.write(convert(frame, mono.next()));
      if (outputs.stereo.isConnected) outputs.stereo.write(convert(frame, stereo.next()));
      if (outputs.out.isConnected) outputs.out.write(convert(frame, out.next()));
    }
  }
}

function emptyBlock<C extends number>(channels: C): Block<C> {
  return {
    kind: "audio",
    channels,
    sampleRate: 0,
    frameCount: 0,
    samples: new Float32Array(0),
    timestampNs: 0,
    frameNumber: 0,
  };
}

/** Fills `block` with `frame` at the block's channel count; reallocates only on a size change. */
function convert<C extends number>(frame: AudioFrame, block: Block<C>): Block<C> {
  const length = frame.frameCount * block.channels;
  if (block.samples.length !== length) block.samples = new Float32Array(length);
  convertChannels(frame.samples, frame.channels, block.samples, block.channels, frame.frameCount);
  block.sampleRate = frame.sampleRate;
  block.frameCount = frame.frameCount;
  block.timestampNs = frame.timestampNs;
  block.frameNumber = frame.frameNumber;
  return block;
}
