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

import { requestGpuAdapter, type Runtime } from "../mod.ts";

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

/** The nodes {@linkcode addGpuDemo} adds: a WGSL effect on the pattern, and its sink. */
export const GPU_DEMO_NODES = ["gpu_effect", "gpu_out"] as const;

/** The connections {@linkcode addGpuDemo} makes (an upload into the effect, a download out). */
export const GPU_DEMO_CONNECTIONS: readonly (readonly [string, string])[] = [
  ["pattern.video", "gpu_effect.in"],
  ["gpu_effect.out", "gpu_out.in"],
];

/** The demo's WGSL effect: the pattern's colours rotated, a glow shifted by the live `phase` param. */
export const GPU_DEMO_EFFECT = `fn effect(c: vec4f, uv: vec2f) -> vec4f {
  let glow = 0.5 + 0.5 * sin(6.2831 * (uv.x + uv.y + params.phase));
  return vec4f(c.g, c.b * glow, c.r, c.a);
}`;

/**
 * Adds the demo's GPU branch to a runtime that has {@linkcode addDemoPipeline}'s `pattern`: the
 * pattern uploaded into a `WgslEffect` (WebGPU, in the main isolate) and read back into a sink.
 * Call it only when a WebGPU adapter exists ({@linkcode gpuAdapterProblem}).
 *
 * @param rt The runtime, with the demo pipeline added.
 *
 * @example Add the GPU branch beside the demo pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "../processors/mod.ts";
 * import { addDemoPipeline, addGpuDemo, GPU_DEMO_NODES } from "./demo_pipeline.ts";
 *
 * const rt = createRuntime({ workers: false });
 * addDemoPipeline(rt);
 * addGpuDemo(rt);
 * const ids = rt.describe().nodes.map((n) => n.id);
 * assert.ok(GPU_DEMO_NODES.every((id) => ids.includes(id)));
 * ```
 */
export function addGpuDemo(rt: Runtime): void {
  rt.add("WgslEffect", { wgsl: GPU_DEMO_EFFECT, params: { phase: 0 } }, { id: "gpu_effect" });
  rt.add("NullSink", {}, { id: "gpu_out" });
  for (const [from, to] of GPU_DEMO_CONNECTIONS) {
    const [fromNode, fromPort] = from.split(".");
    const [toNode, toPort] = to.split(".");
    rt.connectByName(fromNode, fromPort, toNode, toPort);
  }
}

/**
 * Why this machine cannot run the demo's GPU branch, or `undefined` when it can: WebGPU missing
 * from this Deno, or no adapter (no Vulkan driver: on Debian, `apt-get install
 * mesa-vulkan-drivers` gives lavapipe, a software one).
 *
 * @returns The reason, or `undefined` when an adapter exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpuAdapterProblem } from "./demo_pipeline.ts";
 *
 * const problem = await gpuAdapterProblem();
 * assert.ok(problem === undefined || problem.includes("WebGPU"));
 * ```
 */
export async function gpuAdapterProblem(): Promise<string | undefined> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (gpu === undefined) return "this Deno has no WebGPU (navigator.gpu is missing)";
  const adapter = await requestGpuAdapter(gpu).catch(() => null);
  if (adapter === null) {
    return "no WebGPU adapter: install a Vulkan driver (Debian: apt-get install mesa-vulkan-drivers)";
  }
  return undefined;
}
