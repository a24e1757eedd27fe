/**
 * The graph the network tests send: a test pattern encoded to H.264, optionally recorded to an
 * MP4 beside the network sink as the reference the receiver's frames are compared with.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createRuntime, H264Encoder, Mp4Writer, TestPattern } from "../../processors/mod.ts";
import type { Runtime } from "../../mod.ts";
import type { InputRef } from "../../mod.ts";
import type { EncodedVideoFrame } from "../../mod.ts";

/** Options of {@linkcode encodedPattern}. */
export interface PatternOptions {
  /** Width (default 320). */
  width?: number;
  /** Height (default 240). */
  height?: number;
  /** Frames per second (default 30). */
  fps?: number;
  /** Keyframe every this many frames (default 15). */
  keyframeInterval?: number;
  /** Bit rate (default 500 kbit/s). */
  bitrate?: number;
  /** Record the encoder's output here too. */
  referencePath?: string;
}

/**
 * Adds pattern → encoder to `rt` and connects the encoder to `input` (and to an Mp4Writer).
 *
 * @param rt The runtime.
 * @param input The network sink's video input.
 * @param options Size, rate and reference.
 */
export function encodedPattern(
  rt: Runtime,
  input: InputRef<EncodedVideoFrame>,
  options: PatternOptions = {},
): void {
  const { width = 320, height = 240, fps = 30, keyframeInterval = 15, bitrate = 500_000 } = options;
  const pattern = rt.add(TestPattern, { width, height, fps, pixelFormat: "I420" }, {
    id: "pattern",
  });
  const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval, bitrate, fps }, {
    id: "encoder",
  });
  rt.connect(pattern.outputs.video, encoder.inputs.in);
  rt.connect(encoder.outputs.out, input);
  if (options.referencePath) {
    const writer = rt.add(Mp4Writer, { path: options.referencePath }, { id: "reference" });
    rt.connect(encoder.outputs.out, writer.inputs.video);
  }
}

export { createRuntime };

/**
 * The MD5 of every decoded frame of a file's video, in order (`ffmpeg -f framemd5`).
 *
 * @param path The file.
 * @returns One hash per frame.
 */
export async function frameHashes(path: string): Promise<string[]> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"],
  }).output();
  assert.ok(out.success, `ffmpeg framemd5 ${path}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(",").at(-1)!.trim());
}

/**
 * Where `part` occurs as a contiguous run inside `whole`, or -1.
 *
 * @param whole The reference hashes.
 * @param part The received hashes.
 * @returns The index of the first match.
 */
export function indexOfRun(whole: string[], part: string[]): number {
  if (part.length === 0) return -1;
  for (let i = 0; i + part.length <= whole.length; i++) {
    if (part.every((h, j) => whole[i + j] === h)) return i;
  }
  return -1;
}

/**
 * Stops `rt` if it is running or paused (for `finally` blocks).
 *
 * @param rt The runtime.
 */
export async function stopIfRunning(rt: Runtime): Promise<void> {
  if (rt.state === "running" || rt.state === "paused") await rt.stop();
}
