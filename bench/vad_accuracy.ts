/**
 * VoiceActivity's accuracy and inference cost: four `espeak-ng` phrases laid between silences
 * at known places, under several kinds of noise, played through a VoiceActivity node in a
 * runtime (default config) as 10 ms blocks. Prints, per condition, how many of the 8 known
 * boundaries were found (and how many segments were extra), the error of each kind of boundary
 * (found minus known, so the 30 ms pad makes starts about -30 ms and stops about +30 ms), and
 * the model's mean and worst inference time per 32 ms window.
 *
 * Run: `deno run -A bench/vad_accuracy.ts` (needs espeak-ng and sox:
 * `bash scripts/install_test_deps.sh`). About half a minute. `--refine-stop-ms N` sets the
 * node's `refineStopMs` (0: Silero's own stops).
 *
 * @module
 */

import { compose, type Composed, detect, type Part, speak } from "../tests/fixtures/speech.ts";

const PHRASES = [
  "hello there how are you today",
  "please send the report before noon",
  "the weather is nice this morning",
  "can you call me back later",
];

interface Condition {
  name: string;
  rate: number;
  channels: number;
  /** Between two phrases. */
  gap: (i: number) => Part[];
  /** Peak of the noise under everything. */
  floor: number;
}

const CONDITIONS: Condition[] = [
  {
    name: "quiet, 48 kHz stereo",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5 }],
    floor: 0.002,
  },
  {
    name: "quiet, 16 kHz mono",
    rate: 16_000,
    channels: 1,
    gap: () => [{ silenceS: 1.5 }],
    floor: 0.002,
  },
  {
    name: "noise burst in each gap",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 0.3 }, { silenceS: 0.9, noise: 0.05 }, { silenceS: 0.3 }],
    floor: 0.002,
  },
  {
    name: "noise right after speech",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5, noise: 0.03 }],
    floor: 0.002,
  },
  {
    name: "noise right after speech, SNR 5 dB",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5, noise: 0.1 }],
    floor: 0.002,
  },
  {
    name: "noise right after speech, SNR -1 dB",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5, noise: 0.2 }],
    floor: 0.002,
  },
  {
    name: "steady noise, SNR 19 dB",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5 }],
    floor: 0.02,
  },
  {
    name: "steady noise, SNR 9 dB",
    rate: 48_000,
    channels: 2,
    gap: () => [{ silenceS: 1.5 }],
    floor: 0.06,
  },
];

async function signalFor(condition: Condition): Promise<Composed> {
  const parts: Part[] = [{ silenceS: 1 }];
  for (let i = 0; i < PHRASES.length; i++) {
    if (i > 0) parts.push(...condition.gap(i));
    parts.push({ speech: await speak(PHRASES[i], condition.rate) });
  }
  parts.push({ silenceS: 1 });
  return compose(condition.rate, parts, condition.floor);
}

function stats(errors: number[]): string {
  if (errors.length === 0) return "-";
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  const worst = errors.reduce((a, b) => Math.abs(b) > Math.abs(a) ? b : a, 0);
  return `${mean.toFixed(0)} / ${worst.toFixed(0)}`;
}

const flag = Deno.args.indexOf("--refine-stop-ms");
const config = flag < 0 ? {} : { refineStopMs: Number(Deno.args[flag + 1]) };

const rows: string[] = [];
for (const condition of CONDITIONS) {
  const signal = await signalFor(condition);
  const run = await detect(signal, condition.rate, condition.channels, config);
  const known = signal.speech;
  const starts: number[] = [];
  const stops: number[] = [];
  let found = 0;
  let extra = 0;
  // Match each found segment to the known segment it overlaps most.
  for (let i = 0; i + 1 < run.events.length; i += 2) {
    const s = run.events[i].timestampNs / 1e9;
    const e = run.events[i + 1].timestampNs / 1e9;
    const match = known.findIndex(([ks, ke]) => s < ke && e > ks);
    if (match < 0) {
      extra++;
      continue;
    }
    starts.push((s - known[match][0]) * 1000);
    stops.push((e - known[match][1]) * 1000);
    found += 2;
  }
  const mean = run.stats.inferenceMsMean as number;
  const max = run.stats.inferenceMsMax as number;
  rows.push(
    `| ${condition.name} | ${found} of ${known.length * 2} | ${extra} | ${stats(starts)} | ${
      stats(stops)
    } | ${mean.toFixed(2)} / ${max.toFixed(1)} |`,
  );
}

console.log(
  "| condition | boundaries found | extra segments | start error ms (mean / worst) | stop error ms (mean / worst) | inference ms per window (mean / worst) |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
