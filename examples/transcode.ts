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

const stopped = Promise.withResolvers<void>();
// The source ends its stream at the end of the file; every node after it ends once its inputs
// have, and the runtime then says `end-of-stream`. A node that fails for good stops the run too.
rt.on((event) => {
  if (event.type === "end-of-stream") stopped.resolve();
  if (event.type === "node-state" && event.to === "error") stopped.resolve();
});
const onSignal = () => stopped.resolve();
Deno.addSignalListener("SIGINT", onSignal);
await rt.start();
await stopped.promise;
Deno.removeSignalListener("SIGINT", onSignal);
await rt.stop();
const nodes = rt.stats().nodes;
console.log(JSON.stringify({
  path: values.out,
  videoFrames: nodes.encoder.framesOut,
  // The source writes video frames and audio blocks; the scaler passes the video on.
  audioBlocks: nodes.source.framesOut - nodes.scale.framesOut,
}));
