/**
 * The {@linkcode CaptureStamp} bench processor.
 *
 * @module
 */

import {
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type VideoFrame,
} from "../../mod.ts";
import type { CaptureStampTypes } from "./capture_stamp.gen.ts";

/**
 * Stamps each video frame with the media-clock time it passes through, as a camera stamps its
 * capture time: a source whose timestamps are nominal (`TestPattern`: start + n x period) keeps
 * them even when an overloaded machine runs it late, which a latency measurement must not count
 * as transport latency. Put it right after the source. Frames only this run holds are stamped in
 * place; shared ones are copied first (`ctx.frames.writable()`).
 */
@processor({ tags: ["bench", "filter"], mode: "push" })
export class CaptureStamp extends Processor<CaptureStampTypes> {
  /** Video frames. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** The same frames, stamped now. */
  @output()
  out!: OutputPort<VideoFrame>;

  /**
   * Stamps and forwards every waiting frame.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      const stamped = ctx.frames.writable(frame);
      if (stamped === undefined) {
        ctx.frames.drop(frame);
        continue;
      }
      stamped.timestampNs = ctx.clock.nowNs();
      this.outputs.out.write(stamped);
    }
  }
}
