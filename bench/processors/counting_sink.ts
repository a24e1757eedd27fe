/**
 * The {@linkcode CountingSink} bench processor and the {@linkcode sinkDone} signal.
 *
 * @module
 */

import {
  config,
  type Frame,
  input,
  type InputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import type { CountingSinkTypes } from "./counting_sink.gen.ts";

/** Config of {@linkcode CountingSink}. */
export interface CountingSinkConfig {
  /**
   * Frames to expect; reaching the count signals {@linkcode sinkDone}.
   *
   * @integer
   * @minimum 1
   * @default 1000000
   */
  expect: number;
  /**
   * Record each frame's latency, the media clock at arrival minus its `timestampNs`.
   *
   * @default false
   */
  latency: boolean;
}

/** What a {@linkcode CountingSink} reports when the expected count arrived. */
export interface SinkReport {
  /** The sink's node id. */
  node: string;
  /** The media clock when the first frame arrived, in nanoseconds. */
  firstNs: number;
  /** The media clock when the last expected frame arrived, in nanoseconds. */
  doneNs: number;
  /** Frames whose `frameNumber` was not the previous one's plus one (0 when none was lost). */
  outOfOrder: number;
  /** Latencies in nanoseconds, one per frame, when `latency` is on; otherwise empty. */
  latenciesNs: Float64Array;
}

/**
 * Where a {@linkcode CountingSink} in this isolate announces that its expected count arrived: a
 * `CustomEvent<SinkReport>` named `"done"`. Bench scripts listen here; the sink must run in the
 * bench's own isolate.
 */
export const sinkDone: EventTarget = new EventTarget();

/**
 * Counts the frames it receives, checks that their frame numbers follow each other, optionally
 * records their latency, and signals {@linkcode sinkDone} when `expect` frames arrived: GStreamer's
 * `fakesink`, with a stopwatch.
 */
@processor({ tags: ["bench", "sink"], mode: "push" })
export class CountingSink extends Processor<CountingSinkTypes> {
  /** Frames of any type. */
  @input()
  in!: InputPort<Frame>;

  /** How many frames to expect, and whether to time them. */
  @config()
  config!: CountingSinkConfig;

  #received = 0;
  #firstNs = 0;
  #next = 0;
  #outOfOrder = 0;
  #latencies = new Float64Array(0);

  /** Frames received since `setup()`. */
  get received(): number {
    return this.#received;
  }

  /**
   * Resets the counters and allocates the latency record.
   *
   * @param _ctx The node's name and clock.
   */
  override setup(_ctx: SetupContext): void {
    this.#received = 0;
    this.#next = 0;
    this.#outOfOrder = 0;
    this.#latencies = new Float64Array(this.config.latency ? this.config.expect : 0);
  }

  /**
   * Drains `in`.
   *
   * @param ctx The node's name and clock.
   */
  process(ctx: ProcessContext): void {
    const input = this.inputs.in;
    const { expect, latency } = this.config;
    let frame;
    while ((frame = input.read()) !== undefined) {
      const number = "frameNumber" in frame ? frame.frameNumber : this.#next;
      if (number !== this.#next) this.#outOfOrder++;
      this.#next = number + 1;
      if (this.#received === 0) this.#firstNs = ctx.clock.nowNs();
      if (latency && this.#received < expect) {
        this.#latencies[this.#received] = ctx.clock.nowNs() - frame.timestampNs;
      }
      if (++this.#received === expect) {
        const report: SinkReport = {
          node: ctx.node,
          firstNs: this.#firstNs,
          doneNs: ctx.clock.nowNs(),
          outOfOrder: this.#outOfOrder,
          latenciesNs: this.#latencies,
        };
        sinkDone.dispatchEvent(new CustomEvent("done", { detail: report }));
      }
    }
  }
}
