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
} from "../mod.ts";
import type { NullSinkTypes } from "./null_sink.gen.ts";

/**
 * Accepts frames of any type and discards them, counting what it saw. The end of a pipeline
 * that only needs to run (benchmarks, tests, keeping a source busy).
 *
 * @example Count frames
 * ```ts
 * import { connectLocal, monotonicClock, OutputBinding, type Frame } from "@streamlib/streamlib";
 * import { nullSinkNode } from "@streamlib/streamlib/processors";
 *
 * const ports = nullSinkNode.ports();
 * const sink = nullSinkNode.create({}, ports);
 * const source = new OutputBinding<Frame>("source", "DataFrame");
 * connectLocal(source, ports.input("in"));
 * source.write({ kind: "data", timestampNs: 5, value: "hello" });
 * sink.process({ node: "sink", clock: monotonicClock });
 * console.log(sink.received, sink.lastTimestampNs); // 1 5
 * ```
 */
@processor({ tags: ["sink", "test"], mode: "push" })
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
