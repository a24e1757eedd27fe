/**
 * Records an X11 screen to an MP4 file: ScreenCapture → H264Encoder → Mp4Writer. Linux only
 * (any X server: a desktop, or `Xvfb :99` for a headless one). Runs until Ctrl-C or `--seconds N`.
 *
 * Run: `deno run -A examples/screen_record.ts --display :0 --out screen.mp4 --seconds 10`
 * (also `--fps 30 --bitrate 4000000 --x 0 --y 0 --width 0 --height 0`; 0 is the whole screen).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRuntime, H264Encoder, Mp4Writer, ScreenCapture } from "../processors/mod.ts";
import { runRecording } from "./recording_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    display: { type: "string", default: "" },
    out: { type: "string", default: "screen.mp4" },
    seconds: { type: "string" },
    fps: { type: "string", default: "30" },
    bitrate: { type: "string", default: "4000000" },
    x: { type: "string", default: "0" },
    y: { type: "string", default: "0" },
    width: { type: "string", default: "0" },
    height: { type: "string", default: "0" },
  },
});

const fps = Number(values.fps);
const rt = createRuntime();
const screen = rt.add(ScreenCapture, {
  display: values.display,
  fps,
  x: Number(values.x),
  y: Number(values.y),
  width: Number(values.width),
  height: Number(values.height),
  pixelFormat: "I420",
}, { id: "screen", onError: "stop-runtime" });
const encoder = rt.add(H264Encoder, {
  bitrate: Number(values.bitrate),
  fps,
  keyframeInterval: fps,
}, { id: "encoder" });
const writer = rt.add(Mp4Writer, { path: values.out }, { id: "writer" });
rt.connect(screen.outputs.video, encoder.inputs.in);
rt.connect(encoder.outputs.out, writer.inputs.video);

await runRecording({
  rt,
  path: values.out,
  seconds: values.seconds === undefined ? undefined : Number(values.seconds),
  report: { videoFrames: "encoder" },
});
