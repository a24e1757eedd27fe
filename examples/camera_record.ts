/**
 * Records the camera and the microphone to an MP4 file: Camera → H264Encoder → Mp4Writer,
 * Microphone → Mp4Writer (Opus). On macOS (AVFoundation; the first run asks for camera and
 * microphone access). On Linux the camera is a V4L2 device and there is no microphone capture, so
 * the file has video only. Runs until Ctrl-C or `--seconds N`.
 *
 * Run: `deno run -A examples/camera_record.ts --out camera.mp4 --seconds 10`
 * (also `--device <id>`, `--mic <id>`, `--width 1280 --height 720 --fps 30`; list devices with
 * `deno eval 'import { listCaptureDevices } from "./ffi/mod.ts"; console.log(listCaptureDevices("camera"))'`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Camera, createRuntime, H264Encoder, Microphone, Mp4Writer } from "../processors/mod.ts";
import { runRecording } from "./recording_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    device: { type: "string", default: "" },
    mic: { type: "string", default: "" },
    out: { type: "string", default: "camera.mp4" },
    seconds: { type: "string" },
    width: { type: "string", default: "1280" },
    height: { type: "string", default: "720" },
    fps: { type: "string", default: "30" },
  },
});

const fps = Number(values.fps);
const rt = createRuntime();
const camera = rt.add(Camera, {
  device: values.device,
  width: Number(values.width),
  height: Number(values.height),
  fps,
  pixelFormat: "I420",
}, { id: "camera", onError: "stop-runtime" });
const encoder = rt.add(H264Encoder, { fps, keyframeInterval: fps }, { id: "encoder" });
const writer = rt.add(Mp4Writer, { path: values.out }, { id: "writer" });
rt.connect(camera.outputs.video, encoder.inputs.in);
rt.connect(encoder.outputs.out, writer.inputs.video);
const report: Record<string, string> = { videoFrames: "encoder" };
if (Deno.build.os === "darwin") {
  const mic = rt.add(Microphone, { device: values.mic }, { id: "mic", onError: "stop-runtime" });
  rt.connect(mic.outputs.audio, writer.inputs.audio);
  report.audioBlocks = "mic";
} else {
  console.error(`No microphone capture on ${Deno.build.os}: recording video only.`);
}

const summary = await runRecording({
  rt,
  path: values.out,
  seconds: values.seconds === undefined ? undefined : Number(values.seconds),
  report,
});
if ((summary.errors as string[]).length > 0) Deno.exit(1);
