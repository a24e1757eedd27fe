/**
 * The demo pipeline: an audio branch (two test tones mixed, then a reverb) and a video branch (a
 * test pattern, scaled down), each ending in a sink. All in the main isolate by default (no
 * Workers, no native library); `videoWorker` puts the pattern and the scaler on a Worker.
 *
 * ```text
 * tone_a ─┐
 *         ├─ mixer ─ reverb ─ audio_out
 * tone_b ─┘
 * pattern ─ scale ─ video_out
 * ```
 *
 * @module
 */

import type { Runtime } from "../mod.ts";

/** The ids of the demo's nodes, in the order they are added. */
export const DEMO_NODES = [
  "tone_a",
  "tone_b",
  "mixer",
  "reverb",
  "audio_out",
  "pattern",
  "scale",
  "video_out",
] as const;

/** The demo's connections, as `[from, to]` `node.port` pairs. */
export const DEMO_CONNECTIONS: readonly (readonly [string, string])[] = [
  ["tone_a.audio", "mixer.in_0"],
  ["tone_b.audio", "mixer.in_1"],
  ["mixer.out", "reverb.in"],
  ["reverb.out", "audio_out.in"],
  ["pattern.video", "scale.in"],
  ["scale.out", "video_out.in"],
];

/**
 * Adds the demo pipeline to a runtime whose registry has the built-in processors.
 *
 * @param rt The runtime (from `createRuntime()`).
 * @param options `videoWorker`: the name of a Worker for the pattern and the scaler (needs a
 * runtime with Worker placement and the native library).
 *
 * @example Build and describe the demo
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "../processors/mod.ts";
 * import { addDemoPipeline } from "./demo_pipeline.ts";
 *
 * const rt = createRuntime();
 * addDemoPipeline(rt);
 * assert.equal(rt.describe().connections.length, 6);
 * ```
 */
export function addDemoPipeline(rt: Runtime, options: { videoWorker?: string } = {}): void {
  const placement = options.videoWorker ? { worker: options.videoWorker } : "main";
  rt.add("TestToneGenerator", { frequency: 220, amplitude: 0.25 }, { id: "tone_a" });
  rt.add("TestToneGenerator", { frequency: 330, amplitude: 0.2, waveform: "square" }, {
    id: "tone_b",
  });
  rt.add("AudioMixer", { gains: [0.6, 0.4] }, { id: "mixer" });
  rt.add("Reverb", { roomSize: 0.7, wet: 0.35 }, { id: "reverb" });
  rt.add("NullSink", {}, { id: "audio_out" });
  rt.add("TestPattern", { width: 640, height: 360, fps: 30 }, { id: "pattern", placement });
  rt.add("VideoScale", { width: 320, height: 180 }, { id: "scale", placement });
  rt.add("NullSink", {}, { id: "video_out" });
  for (const [from, to] of DEMO_CONNECTIONS) {
    const [fromNode, fromPort] = from.split(".");
    const [toNode, toPort] = to.split(".");
    rt.connectByName(fromNode, fromPort, toNode, toPort);
  }
}
