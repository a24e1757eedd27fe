/**
 * The {@linkcode NullSink} processor.
 *
 * @module
 */

import {
  type Frame,
  input,
  type InputPort,
  type ProcessContext,
  Processor,
  processor,
} from "../../mod.ts";
import type { NullSinkTypes } from "./null_sink.gen.ts";

/**
 * Accepts frames of any type and discards them, counting what it saw. The end of a pipeline
 * that only needs to run (benchmarks, tests, keeping a source busy). It keeps nothing: the
 * runtime releases every frame it read when `process()` returns.
 *
 * @example Count frames; what it read is released after the run
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AudioFrame, connectLocal, createProcessContext, OutputBinding } from "@streamlib/streamlib";
 * import { nullSinkNode } from "./null_sink.gen.ts";
 *
 * const ports = nullSinkNode.ports();
 * const sink = nullSinkNode.create({}, ports);
 * const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
 * connectLocal(source, ports.input("in"));
 * const tone = createProcessContext("tone");
 * const block = tone.frames.audio({ channels: 1, sampleRate: 48_000, frameCount: 480 })!;
 * block.timestampNs = 5;
 * source.write(block);
 * tone.frames.flush(); // the writer's run returned: the connection holds the block
 * const ctx = createProcessContext("sink", { ports }); // owns the ports, as a runtime does
 * sink.process(ctx);
 * assert.deepEqual([sink.received, sink.lastTimestampNs], [1, 5]);
 * ctx.frames.flush(); // the sink's run returned
 * assert.equal(block.released, true);
 * ```
 */
@processor({ tags: ["sink", "test"], mode: "push", needsEventLoop: false })
export class NullSink extends Processor<NullSinkTypes> {
  /** Frames of any type. */
  @input()
  in!: InputPort<Frame>;

  #received = 0;
  #lastTimestampNs = Number.NaN;

  /** Frames received since construction. */
  get received(): number {
    return this.#received;
  }

  /** Timestamp of the last frame received, `NaN` before the first. */
  get lastTimestampNs(): number {
    return this.#lastTimestampNs;
  }

  /**
   * Drains `in`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      this.#received++;
      this.#lastTimestampNs = frame.timestampNs;
    }
  }
}
