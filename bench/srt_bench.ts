/**
 * SRT output at 1920x1080, 30 fps, 4 Mbit/s H.264 for a fixed time on loopback, ours beside
 * GStreamer's, measured in the same run, one table:
 *
 * - ours: `TestPattern` (I420) → `H264Encoder` (OpenH264, 4 Mbit/s, keyframe every 60) →
 *   `SrtSink` (caller), in a child `deno run` of this file (`--child`);
 * - GStreamer: `videotestsrc is-live=true ! openh264enc bitrate=4000000 gop-size=60 ! h264parse !
 *   mpegtsmux alignment=7 ! srtsink mode=caller` (`srtsink` in caller mode is what
 *   `srtclientsink` was; `srtserversink` is the same element as a listener: a caller makes the
 *   frame accounting exact, since both senders start sending once connected).
 *
 * The receiver of each row is `ffmpeg -i srt://...?mode=listener -c copy` (libsrt), started
 * first; ffprobe then decodes and counts what it recorded. "Lost" is frames the sender put on the
 * connection minus frames recorded. CPU is the whole sender process's user + sys time (bash's
 * `times`; pattern, encoder, mux and SRT together) per second of stream, in percent of one core;
 * for ours the SRT thread's own share (`/proc/self/task/<tid>/stat` of `sl-srt-sink`) is shown
 * too. On a shared 2-core machine the encoder dominates and both rows compete with whatever else
 * runs: read CPU as an order of magnitude, the lost-frame count as the result.
 *
 * Run: `deno task bench:srt` (or `deno run -A bench/srt_bench.ts [--seconds 60]`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createRuntime, H264Encoder, SrtSink, TestPattern } from "../processors/mod.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "60" },
    child: { type: "boolean", default: false },
    port: { type: "string", default: "0" },
    latency: { type: "string", default: "120" },
  },
});
const SECONDS = Number(values.seconds);
const WIDTH = 1920;
const HEIGHT = 1080;
const FPS = 30;
const BITRATE = 4_000_000;

/** CPU seconds (user + sys) of this process's thread named `name`, or NaN. */
function threadCpuSeconds(name: string): number {
  for (const entry of Deno.readDirSync("/proc/self/task")) {
    const dir = `/proc/self/task/${entry.name}`;
    if (Deno.readTextFileSync(`${dir}/comm`).trim() !== name) continue;
    const fields = Deno.readTextFileSync(`${dir}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in 100 Hz ticks
  }
  return Number.NaN;
}

async function child(port: number): Promise<void> {
  const rt = createRuntime({ workers: false });
  const pattern = rt.add(TestPattern, {
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    pixelFormat: "I420",
  });
  const encoder = rt.add(H264Encoder, { bitrate: BITRATE, fps: FPS, keyframeInterval: 60 }, {
    id: "encoder",
  });
  const srt = rt.add(SrtSink, {
    host: "127.0.0.1",
    port,
    queueFrames: 64,
    latencyMs: Number(values.latency),
  }, { id: "srt" });
  rt.connect(pattern.outputs.video, encoder.inputs.in);
  rt.connect(encoder.outputs.out, srt.inputs.video);
  await rt.start();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const srtCpu = threadCpuSeconds("sl-srt-sink");
  await rt.stop();
  const nodes = rt.stats().nodes;
  console.log(JSON.stringify({
    produced: nodes.encoder.framesOut,
    sent: nodes.srt.processor?.frames,
    dropped: nodes.srt.processor?.framesDropped,
    retransmitted: nodes.srt.processor?.packetsRetransmitted,
    lostReported: nodes.srt.processor?.packetsLost,
    srtCpu,
  }));
}

function freePort(): number {
  return 30_000 + Math.floor(Math.random() * 20_000);
}

interface Timed {
  stdout: string;
  cpuSeconds: number;
}

/** Runs `command` under bash and returns its stdout and its children's user + sys time. */
async function timed(command: string[]): Promise<Timed> {
  const quoted = command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const out = await new Deno.Command("bash", {
    args: ["-c", `${quoted} 2>/dev/null; times >&2`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  const seconds = (t: string) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const [user, sys] = lines.at(-1)!.trim().split(/\s+/).map(seconds);
  return { stdout: new TextDecoder().decode(out.stdout), cpuSeconds: user + sys };
}

async function receiver(port: number, path: string): Promise<Deno.ChildProcess> {
  const proc = new Deno.Command("ffmpeg", {
    args: [
      "-loglevel",
      "error",
      "-y",
      "-i",
      `srt://127.0.0.1:${port}?mode=listener`,
      "-c",
      "copy",
      path,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return proc;
}

/** Frames recorded in `path`, and how many are missing between the first and the last. */
async function countFrames(path: string): Promise<{ frames: number; gaps: number }> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=pts",
      "-of",
      "csv=p=0",
      path,
    ],
  }).output();
  const pts = new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean)
    .map((line) => parseInt(line, 10)).sort((a, b) => a - b);
  let gaps = 0;
  const tick = 90_000 / FPS;
  for (let i = 1; i < pts.length; i++) gaps += Math.round((pts[i] - pts[i - 1]) / tick) - 1;
  return { frames: pts.length, gaps };
}

async function finish(proc: Deno.ChildProcess): Promise<void> {
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  await proc.status;
  clearTimeout(timer);
}

interface Row {
  name: string;
  sent: number;
  received: number;
  gaps: number;
  retransmitted: number | string;
  reportedLost: number | string;
  dropped: number | string;
  cpuPercent: number;
  srtPercent: number | string;
}

async function ours(dir: string): Promise<Row> {
  const port = freePort();
  const rx = await receiver(port, `${dir}/ours.ts`);
  const self = fileURLToPath(import.meta.url);
  const run = await timed([
    Deno.execPath(),
    "run",
    "-A",
    self,
    "--child",
    "--port",
    String(port),
    "--seconds",
    String(SECONDS),
  ]);
  await finish(rx);
  const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  const received = await countFrames(`${dir}/ours.ts`);
  return {
    name: "streamlib SrtSink (caller)",
    sent: result.sent,
    received: received.frames,
    gaps: received.gaps,
    retransmitted: result.retransmitted,
    reportedLost: result.lostReported,
    dropped: result.dropped,
    cpuPercent: run.cpuSeconds / SECONDS * 100,
    srtPercent: (result.srtCpu / SECONDS * 100).toFixed(1),
  };
}

async function gstreamer(dir: string): Promise<Row> {
  const port = freePort();
  const rx = await receiver(port, `${dir}/gst.ts`);
  const frames = SECONDS * FPS;
  const run = await timed([
    "gst-launch-1.0",
    "-q",
    "videotestsrc",
    "is-live=true",
    `num-buffers=${frames}`,
    "!",
    `video/x-raw,format=I420,width=${WIDTH},height=${HEIGHT},framerate=${FPS}/1`,
    "!",
    "openh264enc",
    `bitrate=${BITRATE}`,
    "gop-size=60",
    "!",
    "h264parse",
    "!",
    "mpegtsmux",
    "alignment=7",
    "!",
    "srtsink",
    `uri=srt://127.0.0.1:${port}?mode=caller`,
  ]);
  await finish(rx);
  const received = await countFrames(`${dir}/gst.ts`);
  return {
    name: "GStreamer openh264enc ! mpegtsmux ! srtsink",
    sent: frames,
    received: received.frames,
    gaps: received.gaps,
    retransmitted: "-",
    reportedLost: "-",
    dropped: "-",
    cpuPercent: run.cpuSeconds / SECONDS * 100,
    srtPercent: "-",
  };
}

if (values.child) {
  await child(Number(values.port));
} else {
  if (!await ensureGstreamer(["openh264enc", "mpegtsmux", "srtsink"])) {
    throw new Error("GStreamer with openh264enc, mpegtsmux and srtsink is needed");
  }
  const dir = await Deno.makeTempDir();
  try {
    const rows = [await ours(dir), await gstreamer(dir)];
    console.log(
      `SRT ${WIDTH}x${HEIGHT} ${FPS} fps ${BITRATE / 1e6} Mbit/s H.264, ${SECONDS} s, loopback, ` +
        `receiver ffmpeg (libsrt) listener`,
    );
    console.log(
      "| sender | frames sent | frames received | lost | of which mid-stream | packets NAKed / retransmitted | dropped at sender | CPU % of a core | SRT thread % |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows) {
      console.log(
        `| ${r.name} | ${r.sent} | ${r.received} | ${r.sent - r.received} | ${r.gaps} | ` +
          `${r.reportedLost} / ${r.retransmitted} | ${r.dropped} | ` +
          `${r.cpuPercent.toFixed(1)} | ${r.srtPercent} |`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
