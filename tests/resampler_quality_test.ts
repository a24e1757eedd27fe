/**
 * `Resampler` (our exact polyphase filter for these ratios) against sox's `rate -v` and GStreamer's `audioresample` on a stepped sine
 * sweep, 44.1 kHz to 48 kHz and 48 kHz to 16 kHz: passband ripple, stopband rejection and THD+N,
 * each computed here from the outputs, printed as a table (the figures of docs/performance.md,
 * "Resampling") and held to bounds. sox and gst-launch-1.0 must be installed: without them the
 * test fails.
 *
 * Run: `deno test -A tests/resampler_quality_test.ts`
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Resampler, type ResamplerQuality } from "../ffi/media/resampler.ts";

const AMPLITUDE = 0.5;
const SEGMENT_SECONDS = 0.25;
/** Output time skipped at each end of a segment: longer than any filter here. */
const EDGE_SECONDS = 0.04;

interface Case {
  from: number;
  to: number;
  /** Tones in the passband (below 0.8 of the lower Nyquist frequency). */
  passband: number[];
  /** Tones the conversion must remove (above the output's Nyquist frequency). */
  stopband: number[];
}

const CASES: Case[] = [
  { from: 44_100, to: 48_000, passband: [100, 1_000, 5_000, 10_000, 15_000, 17_500], stopband: [] },
  {
    from: 48_000,
    to: 16_000,
    passband: [100, 1_000, 3_000, 5_000, 6_000],
    stopband: [8_800, 10_000, 12_000, 16_000, 20_000, 23_000],
  },
];

/** What one resampler did to the sweep. */
interface Figures {
  /** Largest minus smallest passband gain, dB. */
  rippleDb: number;
  /** Lowest rejection of a stopband tone, dB (Infinity when the case has none). */
  stopbandDb: number;
  /** THD+N of the 1 kHz tone, dB relative to it. */
  thdn1kDb: number;
  /** Worst THD+N over the passband tones, dB. */
  thdnWorstDb: number;
}

function sweep(c: Case): Float32Array {
  const tones = [...c.passband, ...c.stopband];
  const segment = Math.round(SEGMENT_SECONDS * c.from);
  const out = new Float32Array(tones.length * segment);
  tones.forEach((hz, k) => {
    for (let i = 0; i < segment; i++) {
      out[k * segment + i] = AMPLITUDE * Math.sin((2 * Math.PI * hz * i) / c.from);
    }
  });
  return out;
}

/** Least-squares fit of `a sin + b cos + dc` at `hz`: the amplitude and the residual's RMS. */
function fit(x: Float32Array, rate: number, hz: number): { amplitude: number; residual: number } {
  const w = (2 * Math.PI * hz) / rate;
  // Normal equations of [sin, cos, 1].
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const v = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const basis = [Math.sin(w * i), Math.cos(w * i), 1];
    for (let r = 0; r < 3; r++) {
      v[r] += basis[r] * x[i];
      for (let col = 0; col < 3; col++) m[r][col] += basis[r] * basis[col];
    }
  }
  const [a, b, dc] = solve3(m, v);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] - (a * Math.sin(w * i) + b * Math.cos(w * i) + dc);
    sum += e * e;
  }
  return { amplitude: Math.hypot(a, b), residual: Math.sqrt(sum / x.length) };
}

function solve3(m: number[][], v: number[]): number[] {
  const a = m.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  return [0, 1, 2].map((i) => a[i][3] / a[i][i]);
}

function rms(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / x.length);
}

const db = (ratio: number) => 20 * Math.log10(ratio);

/** The figures of `output` (at `c.to`), whose signal starts `delay` frames in. */
function analyse(c: Case, output: Float32Array, delay: number): Figures {
  const segment = SEGMENT_SECONDS * c.to;
  const edge = Math.round(EDGE_SECONDS * c.to);
  const windowOf = (k: number) =>
    output.subarray(
      Math.round(delay + k * segment) + edge,
      Math.round(delay + (k + 1) * segment) - edge,
    );
  const gains: number[] = [];
  const thdn: number[] = [];
  let thdn1k = NaN;
  c.passband.forEach((hz, k) => {
    const { amplitude, residual } = fit(windowOf(k), c.to, hz);
    gains.push(db(amplitude / AMPLITUDE));
    const t = db(residual / (amplitude / Math.SQRT2));
    thdn.push(t);
    if (hz === 1_000) thdn1k = t;
  });
  let stopband = Infinity;
  c.stopband.forEach((_, j) => {
    const level = rms(windowOf(c.passband.length + j));
    stopband = Math.min(stopband, db((AMPLITUDE / Math.SQRT2) / Math.max(level, 1e-12)));
  });
  return {
    rippleDb: Math.max(...gains) - Math.min(...gains),
    stopbandDb: stopband,
    thdn1kDb: thdn1k,
    thdnWorstDb: Math.max(...thdn),
  };
}

async function run(command: string, args: string[]): Promise<void> {
  let out;
  try {
    out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    throw new Error(
      `Cannot run ${command}: ${error} (install it: apt-get install sox gstreamer1.0-tools gstreamer1.0-plugins-base)`,
    );
  }
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function floats(bytes: Uint8Array): Float32Array {
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function sox(dir: string, c: Case, input: Float32Array): Promise<Float32Array> {
  const raw = join(dir, "in.raw");
  const out = join(dir, "sox.raw");
  await Deno.writeFile(raw, new Uint8Array(input.buffer));
  const format = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1"];
  await run("sox", [
    ...format,
    "-r",
    String(c.from),
    raw,
    ...format,
    out,
    "rate",
    "-v",
    String(c.to),
  ]);
  return floats(await Deno.readFile(out));
}

async function gstreamer(dir: string, c: Case, input: Float32Array, quality: number) {
  const wav = join(dir, "in.wav");
  const out = join(dir, "gst.raw");
  await Deno.writeFile(join(dir, "in.raw"), new Uint8Array(input.buffer));
  const format = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", String(c.from)];
  await run("sox", [...format, join(dir, "in.raw"), "-e", "floating-point", wav]);
  await run("gst-launch-1.0", [
    "-q",
    "filesrc",
    `location=${wav}`,
    "!",
    "wavparse",
    "!",
    "audioconvert",
    "!",
    "audioresample",
    `quality=${quality}`,
    "!",
    `audio/x-raw,rate=${c.to},format=F32LE,channels=1`,
    "!",
    "filesink",
    `location=${out}`,
  ]);
  return floats(await Deno.readFile(out));
}

function ours(c: Case, input: Float32Array, quality: ResamplerQuality) {
  using resampler = Resampler.create({ inputRate: c.from, outputRate: c.to, channels: 1, quality });
  const chunks: Float32Array[] = [];
  for (let at = 0; at < input.length; at += 480) {
    chunks.push(resampler.process(input.subarray(at, at + 480)).slice());
  }
  const output = new Float32Array(chunks.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of chunks) {
    output.set(x, at);
    at += x.length;
  }
  // Where the signal starts: the resampler's reported delay (its output is not trimmed).
  return { output, delay: resampler.latencyFrames };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(x > -1 && x < 1 ? 4 : 1) : "-");

Deno.test("Resampler matches sox rate -v on a sweep: ripple, stopband and THD+N within bounds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resampler_quality_" });
  try {
    const all: [Case, Record<string, Figures>][] = [];
    const rows: string[] = [
      "| conversion | resampler | passband ripple (dB) | stopband rejection (dB) | THD+N 1 kHz (dB) | worst THD+N (dB) |",
      "| --- | --- | --- | --- | --- | --- |",
    ];
    for (const c of CASES) {
      const input = sweep(c);
      const results: [string, Figures][] = [];
      for (const quality of ["fast", "balanced", "best"] as const) {
        const { output, delay } = ours(c, input, quality);
        results.push([`streamlib ${quality}`, analyse(c, output, delay)]);
      }
      results.push(["sox rate -v", analyse(c, await sox(dir, c, input), 0)]);
      for (const q of [4, 7, 10]) {
        results.push([
          `gst audioresample quality=${q}`,
          analyse(c, await gstreamer(dir, c, input, q), 0),
        ]);
      }
      for (const [name, f] of results) {
        rows.push(
          `| ${c.from} → ${c.to} | ${name} | ${fmt(f.rippleDb)} | ${fmt(f.stopbandDb)} | ${
            fmt(f.thdn1kDb)
          } | ${fmt(f.thdnWorstDb)} |`,
        );
      }
      all.push([c, Object.fromEntries(results)]);
    }
    console.log(rows.join("\n"));
    for (const [c, figures] of all) {
      const soxFigures = figures["sox rate -v"];
      // sox's own figures are what "very high quality" means: the reference is sane.
      assert.ok(
        soxFigures.rippleDb < 0.05 && soxFigures.thdn1kDb < -90,
        JSON.stringify(soxFigures),
      );
      for (const [quality, bounds] of Object.entries(BOUNDS)) {
        const f = figures[`streamlib ${quality}`];
        const where = `${c.from}->${c.to} ${quality}: ${JSON.stringify(f)}`;
        assert.ok(f.rippleDb < bounds.rippleDb, where);
        assert.ok(f.stopbandDb > bounds.stopbandDb, where);
        assert.ok(f.thdn1kDb < bounds.thdn1kDb, where);
        assert.ok(f.thdnWorstDb < bounds.thdnWorstDb, where);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * What each preset must reach on both conversions: some dB under what it measures (the table in
 * docs/performance.md). `fast`'s 64-tap Kaiser filter is flat to 0.01 dB at 17.5 kHz; its THD+N
 * when upsampling is the image folded back from about 108 dB down, so its bound is looser.
 */
const BOUNDS: Record<ResamplerQuality, Figures> = {
  fast: { rippleDb: 0.05, stopbandDb: 105, thdn1kDb: -120, thdnWorstDb: -110 },
  balanced: { rippleDb: 0.01, stopbandDb: 120, thdn1kDb: -120, thdnWorstDb: -120 },
  best: { rippleDb: 0.01, stopbandDb: 125, thdn1kDb: -120, thdnWorstDb: -125 },
};
