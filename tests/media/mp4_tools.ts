/**
 * Helpers for the MP4 integration tests: running the recording examples, probing files with
 * ffprobe, decoding them with ffmpeg. Not a test module itself.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { run } from "./media_tools.ts";

/** The absolute path of an example script. */
export function example(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

/** The streams ffprobe reports, with frames counted by decoding. */
export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  nb_read_frames: string;
  duration: string;
}

/**
 * ffprobe's view of `path`: container format and every stream, frames counted.
 *
 * @param path The file.
 * @returns The format name and streams.
 */
export async function probe(path: string): Promise<{ format: string; streams: ProbedStream[] }> {
  const out = await run("ffprobe", [
    "-v",
    "error",
    "-count_frames",
    "-show_entries",
    "format=format_name:stream=codec_type,codec_name,width,height,sample_rate,channels,nb_read_frames,duration",
    "-of",
    "json",
    path,
  ]);
  const json = JSON.parse(out.text);
  return { format: json.format.format_name, streams: json.streams };
}

/**
 * Decodes every stream of `path` with ffmpeg and returns what it printed at level "error" (empty
 * when the file decodes cleanly).
 *
 * @param path The file.
 * @returns ffmpeg's error output.
 */
export async function decodeErrors(path: string): Promise<string> {
  // The null output keeps each frame's own timestamp in the file's time base (passthrough): by
  // default ffmpeg rounds them to 1 / the guessed frame rate, and two frames of a variable-rate
  // capture closer than that (valid, strictly increasing in the file) were reported as
  // "non monotonically increasing dts" of its own output.
  const { stderr } = await run("ffmpeg", [
    ..."-v error -i".split(" "),
    path,
    ..."-fps_mode passthrough -enc_time_base -1 -f null -".split(" "),
  ]);
  return stderr.trim();
}

/**
 * The video of `path` as raw I420 frames (via ffmpeg).
 *
 * @param path The file.
 * @returns All frames, back to back.
 */
export async function decodeI420(path: string): Promise<Uint8Array> {
  return (await run("ffmpeg", [
    "-v",
    "error",
    "-i",
    path,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "yuv420p",
    "-",
  ])).stdout;
}

/**
 * PSNR in dB of two equally long byte buffers.
 *
 * @param a One.
 * @param b The other.
 * @returns The PSNR (`Infinity` when equal).
 */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / sum);
}

/** A running example whose stderr progress lines (`{"videoFrames":N,...}`) are followed. */
export interface RunningExample {
  /** The process. */
  child: Deno.ChildProcess;
  /**
   * Resolves when the example has said it is recording (its runtime started, its SIGINT handler
   * installed): from then on SIGINT stops it cleanly.
   */
  started: Promise<void>;
  /** Resolves when a progress line reports at least `frames` video frames. */
  reached(frames: number): Promise<void>;
  /** The JSON summary line the example printed on stdout at its end. */
  summary(): Promise<Record<string, unknown>>;
}

/**
 * Starts an example with `args`, following its progress on stderr.
 *
 * @param name The example file.
 * @param args Its arguments.
 * @param env Extra environment.
 * @returns The running example.
 */
export function startExample(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): RunningExample {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", example(name), ...args],
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
  let frames = 0;
  const started = Promise.withResolvers<void>();
  const waiters: { frames: number; resolve: () => void }[] = [];
  const progress = (async () => {
    let pending = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("Recording to ")) started.resolve();
        if (!line.startsWith("{")) continue;
        frames = Math.max(frames, Number(JSON.parse(line).videoFrames ?? 0));
        for (const w of waiters.splice(0)) {
          if (frames >= w.frames) w.resolve();
          else waiters.push(w);
        }
      }
    }
  })();
  const stdout = new Response(child.stdout).text();
  return {
    child,
    started: started.promise,
    reached: (n) =>
      n <= frames
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ frames: n, resolve })),
    summary: async () => {
      await progress;
      const lines = (await stdout).trim().split("\n");
      return JSON.parse(lines.at(-1) ?? "{}");
    },
  };
}

/**
 * The indices (in display order) of the video frames ffprobe reports as keyframes.
 *
 * @param path The file.
 * @returns The keyframes' frame numbers, from 0.
 */
/** The presentation time of each video frame of `path`, in seconds, in file order. */
export async function framePtsSeconds(path: string): Promise<number[]> {
  const out = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "frame=pts_time",
    "-of",
    "csv=p=0",
    path,
  ]);
  return out.text.trim().split("\n").map((line) => Number(line.trim().replace(/,$/, "")));
}

export async function keyframeIndices(path: string): Promise<number[]> {
  const out = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_frames",
    "-show_entries",
    "frame=key_frame",
    "-of",
    "csv=p=0",
    path,
  ]);
  const flags = out.text.trim().split("\n").map((line) => line.trim());
  return flags.flatMap((flag, n) => flag === "1" ? [n] : []);
}

/**
 * The first audio stream of `path` decoded by ffmpeg to 32-bit float samples at `sampleRate`,
 * mixed to one channel.
 *
 * @param path The file.
 * @param sampleRate The rate to decode at.
 * @returns The samples.
 */
export async function decodeMonoF32(path: string, sampleRate = 48_000): Promise<Float32Array> {
  const { stdout } = await run("ffmpeg", [
    ..."-v error -i".split(" "),
    path,
    ..."-map 0:a:0 -ac 1 -ar".split(" "),
    `${sampleRate}`,
    ..."-f f32le -".split(" "),
  ]);
  return new Float32Array(stdout.slice().buffer);
}

/** What ffmpeg's `psnr` filter measured: the average over all frames and the worst frame. */
export interface FfmpegPsnr {
  /** Average PSNR of all planes over all frames, in dB. */
  average: number;
  /** The lowest per-frame PSNR (all planes), in dB. */
  min: number;
  /** Frames compared. */
  frames: number;
}

/**
 * Compares the video of `path` with raw I420 frames (`reference`, a `.yuv` file) using ffmpeg's
 * `psnr` filter, frame for frame.
 *
 * @param path The encoded file.
 * @param reference Raw I420 frames of the same size, back to back.
 * @param width Frame width.
 * @param height Frame height.
 * @param fps The file's frame rate (the raw frames are timed at it, so frame n meets frame n).
 * @param statsFile Where the filter writes its per-frame lines.
 * @returns Average and worst frame.
 */
export async function ffmpegPsnr(
  path: string,
  reference: string,
  width: number,
  height: number,
  fps: number,
  statsFile: string,
): Promise<FfmpegPsnr> {
  const { stderr } = await run("ffmpeg", [
    ..."-hide_banner -nostats -i".split(" "),
    path,
    ..."-f rawvideo -pix_fmt yuv420p -s".split(" "),
    `${width}x${height}`,
    "-framerate",
    `${fps}`,
    "-i",
    reference,
    "-lavfi",
    `[0:v][1:v]psnr=stats_file=${statsFile}`,
    ..."-f null -".split(" "),
  ]);
  const number = (text: string | undefined) => Number(text?.replace("inf", "Infinity"));
  const average = number(
    /PSNR y:[\d.inf]+ u:[\d.inf]+ v:[\d.inf]+ average:([\d.inf]+)/.exec(stderr)?.[1],
  );
  const perFrame = (await Deno.readTextFile(statsFile)).trim().split("\n")
    .map((line) => number(/psnr_avg:([\d.inf]+)/.exec(line)?.[1]));
  return { average, min: Math.min(...perFrame), frames: perFrame.length };
}

/**
 * The seed of a test file's random choices: `MP4_TEST_SEED` when set, else a fresh one; printed,
 * so a failing run can be repeated.
 *
 * @param file The test file, for the printed line.
 * @returns The seed.
 */
export function testSeed(file: string): number {
  const seed = Number(Deno.env.get("MP4_TEST_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`${file}: seed ${seed} (MP4_TEST_SEED=${seed} repeats this run)`);
  return seed;
}

/**
 * A seeded integer generator (mulberry32); `salt` gives each test its own stream, so adding a
 * draw to one test does not change another's.
 *
 * @param seed The seed.
 * @param salt A number per test.
 * @returns `draw(min, max)`: an integer from `min` to `max` inclusive.
 */
export function seededRandom(seed: number, salt: number): (min: number, max: number) => number {
  let state = (seed ^ Math.imul(salt, 0x9e3779b9)) >>> 0;
  return (min, max) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return Math.floor(min + unit * (max - min + 1));
  };
}
