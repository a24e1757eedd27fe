/**
 * The {@linkcode {{pascal}}} processor. Edit it, then `deno task codegen`.
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
import type { {{pascal}}Types } from "./{{snake}}.gen.ts";
import "./{{snake}}.gen.ts"; // registers the definition, so rt.add() finds the class

/** Config of {@linkcode {{pascal}}}. */
export interface {{pascal}}Config {
  /**
   * The factor every sample is multiplied by.
   *
   * @live
   * @minimum 0
   * @maximum 4
   * @default 1
   */
  level: number;
}

/** Scales every sample of a stereo stream by `level`. */
@processor({ tags: ["audio", "filter"], mode: "push" })
export class {{pascal}} extends Processor<{{pascal}}Types> {
  /** Stereo audio. */
  @input({ required: true })
  in!: InputPort<AudioFrame<2>>;

  /** The scaled audio. */
  @output()
  out!: OutputPort<AudioFrame<2>>;

  /** The level. */
  @config()
  config!: {{pascal}}Config;

  /**
   * Scales every block waiting on `in` and writes it to `out`, in place when it can.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const level = this.config.level;
    const out = this.outputs.out;
    let frame;
    while (out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const block = ctx.frames.writable(frame);
      if (block === undefined) return; // no frame memory now: read again when some frees
      const samples = block.samples;
      for (let i = 0; i < samples.length; i++) samples[i] *= level;
      out.write(block);
    }
  }
}
