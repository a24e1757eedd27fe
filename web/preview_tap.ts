/**
 * The preview tap: a small internal sink node the dashboard connects to an output it previews.
 *
 * @module
 */

import {
  type AudioFrame,
  defineNode,
  type Frame,
  type InputPort,
  type InputRef,
  type NodeDefinition,
  type PortTable,
  Processor,
  type ProcessorDescriptor,
  processorInit,
  type SetupContext,
  type TypesOf,
  type VideoFrame,
} from "../mod.ts";

/**
 * Node ids of preview taps start with this; the dashboard hides those nodes.
 *
 * @example A watched output gets a tap node; leave it out of your own listings
 * ```ts
 * import { API_BASE, createDashboard, type ServerMessage, TAP_PREFIX } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const dashboard = await createDashboard(rt, { statsHz: 20 });
 * const ws = new WebSocket(`ws://127.0.0.1:${dashboard.port}${API_BASE}/stream?token=${dashboard.token}`);
 * await new Promise<void>((resolve) => {
 *   ws.onmessage = (event) => {
 *     const message: ServerMessage = JSON.parse(event.data);
 *     if (message.type === "snapshot") ws.send(JSON.stringify({ type: "watch", outputs: ["tone.audio"] }));
 *     if (message.type === "stats" && message.stats.levels["tone.audio"]) resolve();
 *   };
 * });
 * const ids = rt.describe().nodes.map((n) => n.id);
 * console.log(ids.some((id) => id.startsWith(TAP_PREFIX))); // true
 * console.log(ids.filter((id) => !id.startsWith(TAP_PREFIX))); // [ "tone", "sink" ]
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await dashboard.close(); // removes the taps
 * await rt.stop();
 * ```
 */
export const TAP_PREFIX = "_dashboard_tap_";

/** Where a tap hands what it sampled. */
export interface TapSink {
  /** A video frame from `output`, to downscale (called at most at the tap's rate). */
  video(output: string, frame: VideoFrame): void;
  /** An audio block from `output`, to measure. */
  audio(output: string, frame: AudioFrame): void;
}

/** Config of a tap. */
export interface TapConfig {
  /** The output it previews (`node.port`). */
  output: string;
  /** What it expects. */
  kind: "video" | "audio";
  /** How often it samples, in milliseconds. */
  periodMs: number;
}

type Handle = {
  readonly name: string;
  readonly processor: string;
  readonly inputs: { readonly in: InputRef<Frame> };
  readonly outputs: Record<never, never>;
};
type TapTypes = {
  inputs: { readonly in: InputPort<Frame> };
  outputs: Record<never, never>;
  config: TapConfig;
  handle: Handle;
};

const descriptor: ProcessorDescriptor = {
  name: "DashboardPreviewTap",
  description:
    "Samples the newest frame of the output it is connected to for the dashboard's preview.",
  tags: ["dashboard", "internal"],
  mode: "loop",
  inputs: [{
    name: "in",
    direction: "input",
    portType: "Frame",
    required: true,
    description: "The previewed output, through a `latest` connection of capacity 1.",
  }],
  outputs: [],
  config: {
    type: "object",
    properties: {
      output: { type: "string" },
      kind: { type: "string", enum: ["video", "audio"] },
      periodMs: { type: "number", minimum: 10, default: 500 },
    },
    required: ["output", "kind"],
    additionalProperties: false,
  },
  source: "web/preview_tap.ts",
};

/**
 * A node definition for preview taps that hand their samples to `sink`. A tap runs in `loop`
 * mode at its own low rate and reads only the newest frame (`readLatest()`), so it never makes
 * the previewed output wait and costs nothing between its runs.
 *
 * @param sink Receives the sampled frames.
 * @returns The definition (not registered anywhere: the dashboard adds it by definition).
 */
export function createTapDefinition(sink: TapSink): NodeDefinition {
  class DashboardPreviewTap extends Processor<TapTypes> {
    get #config(): TapConfig {
      return processorInit(this)!.config as TapConfig;
    }

    override setup(ctx: SetupContext): void {
      ctx.loop?.setPeriodNs(this.#config.periodMs * 1e6);
    }

    process(): void {
      const frame = this.inputs.in.readLatest();
      if (frame === undefined) return;
      const { output, kind } = this.#config;
      if (kind === "video" && frame.kind === "video") sink.video(output, frame);
      else if (kind === "audio" && frame.kind === "audio") sink.audio(output, frame);
    }
  }
  return defineNode<TypesOf<DashboardPreviewTap>, DashboardPreviewTap>({
    descriptor,
    processorClass: DashboardPreviewTap,
    accessors: (ports: PortTable) => ({ inputs: { in: ports.input<Frame>("in") }, outputs: {} }),
  });
}
