/**
 * Resampling speed, one table, every row measured in this run on the same audio: `Resampler`
 * (native code through the FFI, the code `AudioResampler` runs: for these ratios our exact
 * polyphase filter; decision 0032)
 * against GStreamer's `audioresample` at the same filter length: our `fast`, `balanced` and
 * `best` (64-, 128- and 256-tap sinc) against `quality=4`, `7` and `10` (GStreamer's 64, 128 and
 * 256 taps). The audio: 60 s of stereo `f32` (a sweep of tones), 44.1 kHz to 48 kHz and 48 kHz
 * to 16 kHz.
 *
 * Timing:
 * - ours: in this process, the audio in memory, converted in blocks of 1024 frames
 *   (`Resampler.process()`: the copy in, the native call, the output view), wall-clock;
 * - GStreamer: `gst-launch-1.0 filesrc ! wavparse ! audioconvert ! audioresample quality=N !
 *   audio/x-raw,rate=R ! fakesink` from a WAV file (in the page cache), its own "Execution ended
 *   after" time (PLAYING to end of stream), minus the same pipeline without the rate change
 *   (`audioresample` passes through), so reading and parsing the file cancel and only the
 *   conversion remains.
 *
 * Rounds are interleaved (every row once per round) and the table gives medians; "x realtime" is
 * seconds of audio per second of conversion; "vs gst" is GStreamer's time over ours (above 1: we
 * are faster). The goal (issue 35): at least 1x at equal quality.
 *
 * Run: `deno run -A bench/resample_bench.ts [--rounds R]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { Resampler, type ResamplerQuality } from "../ffi/mod.ts";
import { ensureGstreamer } from "./ensure_gstreamer.ts";
import { gstExecutionSeconds } from "./gstreamer.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "60" } },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CHANNELS = 2;
const BLOCK = 1024;

const PRESETS: [ResamplerQuality, number][] = [["fast", 4], ["balanced", 7], ["best", 10]];
const CONVERSIONS: [number, number][] = [[44_100, 48_000], [48_000, 16_000]];

function audio(rate: number): Float32Array {
  const frames = SECONDS * rate;
  const out = new Float32Array(frames * CHANNELS);
  for (let i = 0; i < frames; i++) {
    const hz = 100 + (i / frames) * 0.4 * rate; // a sweep to 0.4 of the rate
    const v = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate / 2);
    out[i * CHANNELS] = v;
    out[i * CHANNELS + 1] = -v;
  }
  return out;
}

async function writeWav(path: string, samples: Float32Array, rate: number): Promise<void> {
  const bytes = samples.byteLength;
  const header = new DataView(new ArrayBuffer(44));
  const text = (at: number, s: string) =>
    [...s].forEach((ch, i) => header.setUint8(at + i, ch.charCodeAt(0)));
  text(0, "RIFF");
  header.setUint32(4, 36 + bytes, true);
  text(8, "WAVE");
  text(12, "fmt ");
  header.setUint32(16, 16, true);
  header.setUint16(20, 3, true); // IEEE float
  header.setUint16(22, CHANNELS, true);
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * CHANNELS * 4, true);
  header.setUint16(32, CHANNELS * 4, true);
  header.setUint16(34, 32, true);
  text(36, "data");
  header.setUint32(40, bytes, true);
  const file = new Uint8Array(44 + bytes);
  file.set(new Uint8Array(header.buffer), 0);
  file.set(new Uint8Array(samples.buffer, samples.byteOffset, bytes), 44);
  await Deno.writeFile(path, file);
}

function oursSeconds(
  input: Float32Array,
  from: number,
  to: number,
  quality: ResamplerQuality,
): number {
  using resampler = Resampler.create({
    inputRate: from,
    outputRate: to,
    channels: CHANNELS,
    quality,
  });
  const step = BLOCK * CHANNELS;
  let frames = 0;
  const start = performance.now();
  for (let at = 0; at < input.length; at += step) {
    frames += resampler.process(input.subarray(at, at + step)).length;
  }
  const seconds = (performance.now() - start) / 1000;
  if (frames === 0) throw new Error("the resampler wrote nothing");
  return seconds;
}

function gstPipeline(wav: string, to: number, quality: number): string {
  return `filesrc location=${wav} ! wavparse ! audioconvert ! audioresample quality=${quality} ! audio/x-raw,rate=${to} ! fakesink`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (import.meta.main) {
  await ensureGstreamer(["audioresample", "wavparse"]);
  const dir = await Deno.makeTempDir({ prefix: "resample_bench_" });
  try {
    const rows: { name: string; ours: number[]; gst: number[] }[] = [];
    const inputs = new Map<number, { samples: Float32Array; wav: string }>();
    for (const [from] of CONVERSIONS) {
      if (inputs.has(from)) continue;
      const samples = audio(from);
      const wav = join(dir, `in_${from}.wav`);
      await writeWav(wav, samples, from);
      inputs.set(from, { samples, wav });
    }
    for (const [from, to] of CONVERSIONS) {
      for (const [quality, gstQuality] of PRESETS) {
        rows.push({
          name: `${from} → ${to}, ${quality} / quality=${gstQuality}`,
          ours: [],
          gst: [],
        });
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      let row = 0;
      for (const [from, to] of CONVERSIONS) {
        const { samples, wav } = inputs.get(from)!;
        const baseline = await gstExecutionSeconds(gstPipeline(wav, from, 4));
        for (const [quality, gstQuality] of PRESETS) {
          const r = rows[row++];
          r.ours.push(oursSeconds(samples, from, to, quality));
          const gst = await gstExecutionSeconds(gstPipeline(wav, to, gstQuality));
          r.gst.push(Math.max(gst - baseline, 1e-6));
        }
      }
    }
    console.log(
      `${SECONDS} s of stereo f32, blocks of ${BLOCK} frames, median of ${ROUNDS} rounds\n`,
    );
    console.log(
      "| conversion, ours / GStreamer | ours (x realtime) | gst audioresample (x realtime) | vs gst |",
    );
    console.log("| --- | ---: | ---: | ---: |");
    for (const r of rows) {
      const ours = median(r.ours);
      const gst = median(r.gst);
      console.log(
        `| ${r.name} | ${(SECONDS / ours).toFixed(0)} | ${(SECONDS / gst).toFixed(0)} | ${
          (gst / ours).toFixed(2)
        }x |`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
