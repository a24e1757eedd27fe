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
} from "../../mod.ts";
import { convertChannels } from "../dsp/channel_convert.ts";
import type { ChannelConverterTypes } from "./channel_converter.gen.ts";

/**
 * Config of {@linkcode ChannelConverter}.
 *
 * @example Upmix stereo to four channels on `out`
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import { type ChannelConverterConfig } from "@streamlib/streamlib/processors";
 * import { channelConverterNode } from "./channel_converter.gen.ts";
 *
 * const config: ChannelConverterConfig = { channels: 4 };
 * const ports = channelConverterNode.ports();
 * const converter = channelConverterNode.create(config, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<2>");
 * const sink = new InputBinding<AudioFrame>("sink", "AudioFrame");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("channels");
 * converter.setup(ctx);
 * const stereo = createAudioFrame(2, 48_000, 1); // one sample per channel
 * stereo.samples.set([0.5, -0.5]);
 * source.write(stereo);
 * converter.process(ctx);
 * const out = sink.read()!;
 * assert.equal(out.channels, 4);
 * assert.deepEqual([...out.samples], [0.5, -0.5, 0.5, -0.5]);
 * ctx.frames.flush(); // what the runtime does when process() returns
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

/**
 * Converts audio of any channel count to mono, stereo and a configured count.
 *
 * The channel count of a typed port is part of its type, so one converter has three outputs and
 * the graph picks by connecting: `mono` (`AudioFrame<1>`), `stereo` (`AudioFrame<2>`), and `out`
 * (`AudioFrame` with `channels` channels, for inputs that take any count). Only connected
 * outputs are computed. Downmixing averages (stereo to mono is `(L + R) / 2`); upmixing repeats
 * (mono to stereo copies the sample to both sides); see `convertChannels` for the general rule.
 * Blocks keep their sample rate, timestamp and frame number. An output whose channel count is the
 * input's gets the input block itself (shared, not copied); the others get new frames from
 * `ctx.frames`.
 *
 * @example Mono to stereo
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createAudioFrame, createProcessContext, InputBinding, OutputBinding } from "@streamlib/streamlib";
 * import type { AudioFrame } from "@streamlib/streamlib";
 * import { channelConverterNode } from "./channel_converter.gen.ts";
 *
 * const ports = channelConverterNode.ports();
 * const converter = channelConverterNode.create({}, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame<1>");
 * const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
 * connectLocal(source, ports.input("in"));
 * connectLocal(ports.output("stereo"), sink);
 * const ctx = createProcessContext("channels");
 * converter.setup(ctx);
 * const mono = createAudioFrame(1, 48_000, 2);
 * mono.samples.set([0.25, -0.5]);
 * source.write(mono);
 * converter.process(ctx);
 * assert.deepEqual([...sink.read()!.samples], [0.25, 0.25, -0.5, -0.5]);
 * ctx.frames.flush();
 * ```
 */
@processor({ tags: ["audio", "channels"], mode: "push", needsEventLoop: false })
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

  /**
   * Converts every block waiting on `in` for each connected output.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const outputs = this.outputs;
    let frame;
    // One block per output per block in: read only what every output takes now.
    while (
      outputs.mono.space > 0 && outputs.stereo.space > 0 && outputs.out.space > 0 &&
      (frame = this.inputs.in.read()) !== undefined
    ) {
      const mono = outputs.mono.isConnected ? convert(ctx, frame, 1) : null;
      const stereo = outputs.stereo.isConnected ? convert(ctx, frame, 2) : null;
      const out = outputs.out.isConnected ? convert(ctx, frame, this.config.channels) : null;
      // No frame memory: the block is read again when some frees.
      if (mono === undefined || stereo === undefined || out === undefined) return;
      if (mono) outputs.mono.write(mono);
      if (stereo) outputs.stereo.write(stereo);
      if (out) outputs.out.write(out);
    }
  }
}

/**
 * `frame` at `channels` channels: the frame itself when it already has them, else a new frame
 * from `ctx.frames` (`undefined` when frame memory is exhausted).
 */
function convert<C extends number>(
  ctx: ProcessContext,
  frame: AudioFrame,
  channels: C,
): AudioFrame<C> | undefined {
  if (frame.channels === channels) return frame as AudioFrame<C>;
  const { sampleRate, frameCount } = frame;
  const block = ctx.frames.audio({ channels, sampleRate, frameCount });
  if (block === undefined) return undefined;
  convertChannels(frame.samples, frame.channels, block.samples, channels, frameCount);
  block.timestampNs = frame.timestampNs;
  block.frameNumber = frame.frameNumber;
  return block;
}
