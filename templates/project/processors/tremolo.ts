/**
 * The {@linkcode Tremolo} processor: this project's own. Edit it, then `deno task codegen`.
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
} from "@streamlib/streamlib";
import type { TremoloTypes } from "./tremolo.gen.ts";
import "./tremolo.gen.ts"; // registers the definition, so rt.add() finds the class

/** Config of {@linkcode Tremolo}. */
export interface TremoloConfig {
  /**
   * How many times a second the level rises and falls.
   *
   * @live
   * @minimum 0.1
   * @maximum 20
   * @default 5
   */
  rate: number;
  /**
   * How deep the level falls: 0 leaves the audio unchanged, 1 falls to silence.
   *
   * @live
   * @minimum 0
   * @maximum 1
   * @default 0.5
   */
  depth: number;
}

/** Makes the level of a stereo stream rise and fall `rate` times a second. */
@processor({ tags: ["audio", "filter"], mode: "push" })
export class Tremolo extends Processor<TremoloTypes> {
  /** Stereo audio. */
  @input({ required: true })
  in!: InputPort<AudioFrame<2>>;

  /** The audio with its level modulated. */
  @output()
  out!: OutputPort<AudioFrame<2>>;

  /** Rate and depth. */
  @config()
  config!: TremoloConfig;

  #phase = 0;

  /**
   * Modulates every block waiting on `in` and writes it to `out`, in place when it can.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const { rate, depth } = this.config;
    const out = this.outputs.out;
    let frame;
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const block = ctx.frames.writable(frame);
      if (block === undefined) return; // no frame memory now: read again when some frees
      const step = (2 * Math.PI * rate) / block.sampleRate;
      const samples = block.samples;
      for (let i = 0; i < block.frameCount; i++) {
        const level = 1 - depth * 0.5 * (1 - Math.cos(this.#phase));
        samples[2 * i] *= level;
        samples[2 * i + 1] *= level;
        this.#phase = (this.#phase + step) % (2 * Math.PI);
      }
      out.write(block);
    }
  }
}
