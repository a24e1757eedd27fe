/**
 * The {@linkcode DashboardPreviewTap} processor: the small internal sink node the dashboard
 * connects to an output it previews.
 *
 * @module
 */

import {
  config,
  type Frame,
  input,
  type InputPort,
  Processor,
  processor,
  type SetupContext,
} from "../../mod.ts";
import { type TapSink, tapSink } from "../preview_tap.ts";
import type { DashboardPreviewTapTypes } from "./dashboard_preview_tap.gen.ts";

/** Config of {@linkcode DashboardPreviewTap}. */
export interface DashboardPreviewTapConfig {
  /** The output it previews (`node.port`). */
  output: string;
  /** What it expects. */
  kind: "video" | "audio";
  /**
   * How often it samples, in milliseconds.
   *
   * @minimum 10
   * @default 500
   */
  periodMs: number;
  /** The key of the sink it hands samples to, from `registerTapSink()` in this isolate. */
  sink: string;
}

/**
 * Samples the newest frame of the output it is connected to for the dashboard's preview. It runs
 * in `loop` mode at its own low rate and reads only the newest frame (`readLatest()`), so it never
 * makes the previewed output wait and costs nothing between its runs.
 */
@processor({ tags: ["dashboard", "internal"], mode: "loop" })
export class DashboardPreviewTap extends Processor<DashboardPreviewTapTypes> {
  /** The previewed output, through a `latest` connection of capacity 1. */
  @input({ required: true })
  in!: InputPort<Frame>;

  /** What to sample, how often, and for whom. */
  @config()
  config!: DashboardPreviewTapConfig;

  #sink: TapSink | undefined;

  /**
   * Looks up the sink and sets the loop period.
   *
   * @param ctx The node's loop control.
   * @throws {TapSinkNotFoundError} When the config's sink is not registered.
   */
  override setup(ctx: SetupContext): void {
    this.#sink = tapSink(this.config.sink);
    ctx.loop?.setPeriodNs(this.config.periodMs * 1e6);
  }

  /** Hands the newest frame, if it is of the expected kind, to the sink. */
  process(): void {
    const frame = this.inputs.in.readLatest();
    if (frame === undefined || this.#sink === undefined) return;
    const { output, kind } = this.config;
    if (kind === "video" && frame.kind === "video") this.#sink.video(output, frame);
    else if (kind === "audio" && frame.kind === "audio") this.#sink.audio(output, frame);
  }
}
