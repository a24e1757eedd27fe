/**
 * Colour bars converted, scaled and recorded to a YUV4MPEG2 file that FFmpeg plays.
 *
 * ```
 * TestPattern (RGBA) --video--> ColorConvert (I420) --out--> VideoScale --out--> Y4mWriter
 * ```
 *
 * Video connections default to `latest` (a slow viewer skips to the newest picture). A recording
 * should keep every frame, so these use `fifo` with a capacity of 4, below the 8 frames each
 * processor rotates through.
 *
 * Run: `deno run -A examples/pattern_to_y4m.ts [--seconds 2] [--fps 30] [--size 320x240]
 * [--out pattern.y4m]`, then `ffplay pattern.y4m`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  ColorConvert,
  createRuntime,
  TestPattern,
  VideoScale,
  Y4mWriter,
} from "@streamlib/streamlib/processors";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "2" },
    fps: { type: "string", default: "30" },
    size: { type: "string", default: "320x240" },
    out: { type: "string", default: "pattern.y4m" },
  },
});
const seconds = Number(values.seconds);
const fps = Number(values.fps);
const [width, height] = values.size.split("x").map(Number);
const path = values.out;

const rt = createRuntime();
const pattern = rt.add(TestPattern, { width: 640, height: 480, fps, pixelFormat: "RGBA" }, {
  id: "pattern",
});
const convert = rt.add(ColorConvert, { pixelFormat: "I420" }, { id: "convert" });
const scale = rt.add(VideoScale, { width, height }, { id: "scale" });
const y4m = rt.add(Y4mWriter, { path, width, height, fps }, { id: "y4m" });

const lossless = { policy: "fifo", capacity: 4 } as const;
rt.connect(pattern.outputs.video, convert.inputs.in, lossless);
rt.connect(convert.outputs.out, scale.inputs.in, lossless);
rt.connect(scale.outputs.out, y4m.inputs.in, lossless);

await rt.start();
console.log(`recording 640x480 RGBA colour bars as ${width}x${height} I420 to ${path}`);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
await rt.stop();

const stats = rt.stats();
const lost = Object.values(stats.connections).reduce((n, c) => n + c.dropped + c.fullRejections, 0);
const { framesWritten, repeatedFrames } = stats.nodes.y4m.processor as Record<string, number>;
console.log(
  `frames written: ${framesWritten} (${repeatedFrames} repeated where the pattern skipped time, ${lost} lost on the way)`,
);
for (const id of ["pattern", "convert", "scale", "y4m"]) {
  const p99 = stats.nodes[id].processTime.p99Ns / 1e6;
  console.log(`${id.padEnd(7)} process() p99 ${p99.toFixed(2)} ms`);
}
