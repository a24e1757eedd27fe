/**
 * A/V sync marks for the network tests, defined by hand (test nodes, not processors): a video
 * source whose frames are black except a white one at every whole second of the media clock, an
 * audio source that is silent except a 1 kHz beep over the first 100 ms of every whole second,
 * and the ffmpeg measurements that find both in a received file. Both sources stamp on fixed
 * grids anchored at whole seconds of the clock, so a flash and its beep carry the same time by
 * construction; what a receiver shows between them is what the path in between added.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type AudioFrame,
  defineNode,
  type OutputPort,
  type ProcessContext,
  Processor,
  type SetupContext,
  type TypesOf,
  type VideoFrame,
} from "../../mod.ts";
import { accessors, descriptorMaker } from "../fixtures/runtime/node_descriptor.ts";

const SECOND = 1_000_000_000;
const FPS = 30;
const WIDTH = 160;
const HEIGHT = 120;
const RATE = 48_000;
/** Samples per audio block: 10 ms. */
const BLOCK = 480;
/** The beep's length in each second. */
const BEEP_NS = 100_000_000;

/** The frame or block index a run serves: its deadline on a grid from `originNs`, never behind. */
function gridIndex(ctx: ProcessContext, originNs: number, stepNs: number, next: number): number {
  const deadline = ctx.deadlineNs ?? ctx.clock.nowNs();
  return Math.max(next, Math.round((deadline - originNs) / stepNs));
}

/** Black I420 frames, white at every whole second, on a 30 fps grid from a whole second. */
export class FlashSource extends Processor<
  {
    inputs: Record<never, never>;
    outputs: { video: OutputPort<VideoFrame> };
    config: Record<never, never>;
    handle: never;
  }
> {
  #originNs = 0;
  #next = 0;

  override setup(ctx: SetupContext): void {
    this.#originNs = Math.ceil(ctx.clock.nowNs() / SECOND) * SECOND;
    this.#next = 0;
    ctx.loop?.setPeriodNs(SECOND / FPS);
  }

  process(ctx: ProcessContext): void {
    const n = gridIndex(ctx, this.#originNs, SECOND / FPS, this.#next);
    this.#next = n + 1;
    const frame = ctx.frames.video({ width: WIDTH, height: HEIGHT, format: "I420" });
    if (frame === undefined) return;
    const luma = WIDTH * HEIGHT;
    frame.data.fill(n % FPS === 0 ? 235 : 16, 0, luma);
    frame.data.fill(128, luma);
    frame.timestampNs = this.#originNs + Math.round((n * SECOND) / FPS);
    frame.frameNumber = n;
    this.outputs.video.write(frame);
  }
}

/** Stereo 48 kHz silence with a 1 kHz beep over the first 100 ms of every whole second. */
export class BeepSource extends Processor<
  {
    inputs: Record<never, never>;
    outputs: { audio: OutputPort<AudioFrame> };
    config: Record<never, never>;
    handle: never;
  }
> {
  #originNs = 0;
  #next = 0;

  override setup(ctx: SetupContext): void {
    this.#originNs = Math.ceil(ctx.clock.nowNs() / SECOND) * SECOND;
    this.#next = 0;
    ctx.loop?.setPeriodNs((BLOCK / RATE) * SECOND);
  }

  process(ctx: ProcessContext): void {
    const m = gridIndex(ctx, this.#originNs, (BLOCK / RATE) * SECOND, this.#next);
    this.#next = m + 1;
    const block = ctx.frames.audio({ channels: 2, sampleRate: RATE, frameCount: BLOCK });
    if (block === undefined) return;
    for (let i = 0; i < BLOCK; i++) {
      const sample = m * BLOCK + i; // samples since the origin, a whole second
      const inSecond = sample % RATE;
      const v = inSecond < (BEEP_NS / SECOND) * RATE
        ? 0.5 * Math.sin((2 * Math.PI * 1_000 * inSecond) / RATE)
        : 0;
      block.samples[2 * i] = v;
      block.samples[2 * i + 1] = v;
    }
    block.timestampNs = this.#originNs + Math.round((m * BLOCK * SECOND) / RATE);
    block.frameNumber = m;
    this.outputs.audio.write(block);
  }
}

const video = descriptorMaker({
  portType: "VideoFrame",
  source: "tests/network/_av_marks.ts",
  what: "a video A/V mark source",
});
const audio = descriptorMaker({
  portType: "AudioFrame",
  source: "tests/network/_av_marks.ts",
  what: "an audio A/V mark source",
});

/** The node of {@linkcode FlashSource}: `rt.add(flashSourceNode, {})`. */
export const flashSourceNode = defineNode<TypesOf<FlashSource>, FlashSource>({
  descriptor: video("FlashSource", "loop", [], ["video"], {}),
  processorClass: FlashSource,
  accessors: accessors([], ["video"]) as never,
});

/** The node of {@linkcode BeepSource}: `rt.add(beepSourceNode, {})`. */
export const beepSourceNode = defineNode<TypesOf<BeepSource>, BeepSource>({
  descriptor: audio("BeepSource", "loop", [], ["audio"], {}),
  processorClass: BeepSource,
  accessors: accessors([], ["audio"]) as never,
});

async function ffmpegLog(args: string[]): Promise<string> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-nostats", "-copyts", ...args, "-f", "null", "-"],
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `ffmpeg ${args.join(" ")}: ${text}`);
  return text;
}

/**
 * The presentation times (s) of a file's white frames, and the times its beeps start (ffmpeg's
 * `signalstats` and `silencedetect`, on the file's own timestamps).
 *
 * @param path The received file.
 * @returns Flash and beep times, in order.
 */
export async function findMarks(path: string): Promise<{ flashes: number[]; beeps: number[] }> {
  const videoLog = await ffmpegLog([
    "-i",
    path,
    "-map",
    "0:v:0",
    "-vf",
    "signalstats,metadata=print:key=lavfi.signalstats.YAVG",
  ]);
  const flashes: number[] = [];
  let pts = Number.NaN;
  for (const line of videoLog.split("\n")) {
    const time = line.match(/pts_time:([-\d.]+)/);
    if (time) pts = Number(time[1]);
    const luma = line.match(/lavfi\.signalstats\.YAVG=([\d.]+)/);
    if (luma && Number(luma[1]) > 128) flashes.push(pts);
  }
  const audioLog = await ffmpegLog([
    "-i",
    path,
    "-map",
    "0:a:0",
    "-af",
    "silencedetect=noise=-30dB:duration=0.05",
  ]);
  const beeps = [...audioLog.matchAll(/silence_end: ([-\d.]+)/g)].map((m) => Number(m[1]));
  return { flashes, beeps };
}

/**
 * For each flash, how far the nearest beep starts after it (ms); flashes with no beep within
 * half a second are left out.
 *
 * @param marks What {@linkcode findMarks} found.
 * @returns One offset per matched pair, in ms.
 */
export function avOffsetsMs(marks: { flashes: number[]; beeps: number[] }): number[] {
  const offsets: number[] = [];
  for (const flash of marks.flashes) {
    let best = Number.POSITIVE_INFINITY;
    for (const beep of marks.beeps) {
      if (Math.abs(beep - flash) < Math.abs(best)) best = beep - flash;
    }
    if (Math.abs(best) < 0.5) offsets.push(best * 1_000);
  }
  return offsets;
}
