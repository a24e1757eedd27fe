/**
 * A file round trip: MP4 → decode → scale → encode → MP4. Mp4FileSource decodes the H.264 and
 * Opus tracks, VideoScale resizes, H264Encoder re-encodes, Mp4Writer writes the video and the
 * audio (re-encoded to Opus). Stops at the end of the file (or Ctrl-C).
 *
 * Run: `deno run -A examples/transcode.ts --in pattern.mp4 --out half.mp4 --width 320 --height 240`
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  createRuntime,
  H264Encoder,
  Mp4FileSource,
  Mp4Writer,
  VideoScale,
} from "../processors/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    in: { type: "string" },
    out: { type: "string", default: "transcoded.mp4" },
    width: { type: "string", default: "320" },
    height: { type: "string", default: "240" },
    bitrate: { type: "string", default: "1000000" },
  },
});
if (values.in === undefined) {
  console.error("Usage: transcode.ts --in <file.mp4> [--out out.mp4] [--width W --height H]");
  Deno.exit(2);
}

const rt = createRuntime();
const source = rt.add(Mp4FileSource, { path: values.in }, { id: "source" });
const scale = rt.add(VideoScale, {
  width: Number(values.width),
  height: Number(values.height),
}, { id: "scale" });
const encoder = rt.add(H264Encoder, { bitrate: Number(values.bitrate) }, { id: "encoder" });
const writer = rt.add(Mp4Writer, { path: values.out }, { id: "writer" });
// Lossless all the way: a transcode keeps every frame.
rt.connect(source.outputs.video, scale.inputs.in, { policy: "fifo", capacity: 4 });
rt.connect(scale.outputs.out, encoder.inputs.in, { policy: "fifo", capacity: 4 });
rt.connect(encoder.outputs.out, writer.inputs.video);
rt.connect(source.outputs.audio, writer.inputs.audio);

await rt.start();
const stopped = Promise.withResolvers<void>();
const onSignal = () => stopped.resolve();
Deno.addSignalListener("SIGINT", onSignal);
// At the end of the file the source keeps being called but writes nothing more: stop when its
// output count has not moved for two polls while its calls went on, or when it failed.
let lastOut = -1;
let lastCalls = 0;
let idlePolls = 0;
const poll = setInterval(() => {
  const stats = rt.stats().nodes.source;
  const failed = rt.describe().nodes.find((n) => n.id === "source")?.state === "error";
  idlePolls = stats.framesOut === lastOut && stats.calls > lastCalls ? idlePolls + 1 : 0;
  lastOut = stats.framesOut;
  lastCalls = stats.calls;
  if (failed || idlePolls >= 2) stopped.resolve();
}, 300);
await stopped.promise;
clearInterval(poll);
Deno.removeSignalListener("SIGINT", onSignal);
await rt.stop();
const nodes = rt.stats().nodes;
console.log(JSON.stringify({
  path: values.out,
  videoFrames: nodes.encoder.framesOut,
  // The source writes video frames and audio blocks; the scaler passes the video on.
  audioBlocks: nodes.source.framesOut - nodes.scale.framesOut,
}));
