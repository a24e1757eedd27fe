/**
 * Records a test pattern and a test tone to an MP4 file: TestPattern → H264Encoder → Mp4Writer,
 * TestToneGenerator → Mp4Writer (Opus). Runs until Ctrl-C, or `--seconds N`; the file is
 * finalized either way, and playable even if the process is killed outright.
 *
 * `--seconds N` records exactly N seconds of media (the writer's `maxSeconds`: N × fps frames,
 * N s of audio): the run lasts until the sources have made that much, then stops.
 *
 * Run: `deno run -A examples/record_test_pattern.ts --out pattern.mp4 --seconds 5`
 * (also `--width 640 --height 480 --fps 30 --bitrate 2000000 --backend auto`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  createRuntime,
  H264Encoder,
  Mp4Writer,
  TestPattern,
  TestToneGenerator,
} from "../processors/mod.ts";
import { runRecording } from "./recording_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string", default: "test_pattern.mp4" },
    seconds: { type: "string" },
    width: { type: "string", default: "640" },
    height: { type: "string", default: "480" },
    fps: { type: "string", default: "30" },
    bitrate: { type: "string", default: "2000000" },
    backend: { type: "string", default: "auto" },
  },
});

const fps = Number(values.fps);
const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
const TONE = { frequency: 440, amplitude: 0.3, sampleRate: 48_000, blockSize: 480 };
const rt = createRuntime();
const pattern = rt.add(TestPattern, {
  width: Number(values.width),
  height: Number(values.height),
  fps,
  pixelFormat: "I420",
}, { id: "pattern" });
const tone = rt.add(TestToneGenerator, TONE, { id: "tone" });
const encoder = rt.add(H264Encoder, {
  backend: values.backend as "auto" | "openh264" | "videotoolbox",
  bitrate: Number(values.bitrate),
  fps,
  keyframeInterval: fps,
}, { id: "encoder" });
const writer = rt.add(Mp4Writer, { path: values.out, maxSeconds: seconds ?? 0 }, {
  id: "writer",
});
// Lossless into the encoder: a recording keeps every frame the pattern makes.
rt.connect(pattern.outputs.video, encoder.inputs.in, { policy: "fifo", capacity: 4 });
rt.connect(encoder.outputs.out, writer.inputs.video);
rt.connect(tone.outputs.audio, writer.inputs.audio);

await runRecording({
  rt,
  path: values.out,
  seconds,
  // Every frame stamped before the limit is encoded (one past it proves it), and the tone has
  // made the limit's worth of samples: stopping now drains them into the writer, which cuts the
  // file at exactly `seconds`.
  until: () => {
    const { nodes } = rt.stats();
    return nodes.encoder.framesOut > seconds! * fps &&
      nodes.tone.framesOut * TONE.blockSize >= seconds! * TONE.sampleRate;
  },
  report: { videoFrames: "encoder", audioBlocks: "tone" },
  writer: "writer",
  source: "pattern",
});
