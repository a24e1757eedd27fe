/**
 * The {@linkcode PassThrough} bench processor.
 *
 * @module
 */

import {
  type Frame,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { KeptFrame } from "../../core/frames/node_frames.ts";
import type { PassThroughTypes } from "./pass_through.gen.ts";
import { SelfWake } from "./self_wake.ts";

/**
 * Writes every frame it reads, unchanged: GStreamer's `identity`. A frame the output refuses (a
 * full `fifo`) is kept, nothing more is read, and the node asks to run again to retry it, so
 * nothing is lost when the next node is slower.
 */
@processor({ tags: ["bench", "filter"], mode: "push", needsEventLoop: false })
export class PassThrough extends Processor<PassThroughTypes> {
  /** Frames of any type. */
  @input({ required: true })
  in!: InputPort<Frame>;

  /** The same frames. */
  @output()
  out!: OutputPort<Frame>;

  #held: KeptFrame<Frame> | undefined;
  #wake: SelfWake | undefined;

  /**
   * Prepares the retry wake.
   *
   * @param ctx The node's name, clock and wake.
   */
  override setup(ctx: SetupContext): void {
    if (ctx.wake) this.#wake = new SelfWake(ctx.wake);
  }

  /**
   * Moves frames from `in` to `out` until `in` is empty or `out` is full.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const input = this.inputs.in;
    const output = this.outputs.out;
    // Moves only what the output takes now: at a full `fifo` the runtime runs this node again
    // when the reader makes room (back-pressure), and the rest stays queued on the input.
    let frame: Frame | undefined = this.#held?.frame;
    let refused = false;
    while (output.space > 0 && (frame ??= input.read()) !== undefined) {
      if (!output.write(frame)) {
        refused = true; // a pool slot was missing
        break;
      }
      this.#held?.release();
      this.#held = undefined;
      frame = undefined;
    }
    // A frame not written yet outlives this run: keep it (once) until it goes out.
    if (frame !== undefined && this.#held === undefined) this.#held = ctx.frames.keep(frame);
    if (refused) this.#wake?.retry();
  }

  /** Closes the retry wake. */
  override teardown(): void {
    this.#wake?.close();
    this.#wake = undefined;
    this.#held?.release();
    this.#held = undefined;
  }
}
