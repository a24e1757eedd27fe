/**
 * Checks of recorded WAV files with real tools: `sox --i` for the header, and the spectrum of
 * the samples for the tones in them. Not a test module itself.
 *
 * @module
 */

import { RealFft } from "../../processors/dsp/fft.ts";
import { run } from "../media/media_tools.ts";

/** What `sox --i` says about a file. */
export interface SoxInfo {
  /** Samples per second per channel (`-r`). */
  rate: number;
  /** Channels (`-c`). */
  channels: number;
  /** Samples per channel (`-s`). */
  samples: number;
  /** Duration in seconds (`-D`). */
  seconds: number;
}

/**
 * Reads a file's header with `sox --i`.
 *
 * @param path The file.
 * @returns Rate, channels, samples and duration.
 */
export async function soxInfo(path: string): Promise<SoxInfo> {
  const field = async (flag: string) => Number((await run("sox", ["--i", flag, path])).text);
  return {
    rate: await field("-r"),
    channels: await field("-c"),
    samples: await field("-s"),
    seconds: await field("-D"),
  };
}

/**
 * The frequencies of the `count` strongest spectral peaks of one channel, strongest first.
 * Peaks closer than `minSeparationHz` to a stronger one belong to it (the Hann window's main
 * lobe and a reverb's smearing), so two tones give two peaks, not one peak counted twice.
 *
 * @param samples Interleaved samples.
 * @param sampleRate Samples per second per channel.
 * @param options Channel layout, the channel, how many peaks and how far apart.
 * @returns The peak frequencies in hertz (bin centres, within `sampleRate / size` of the tone).
 */
export function spectralPeaks(
  samples: Float32Array,
  sampleRate: number,
  options: { channels: number; channel: number; count: number; minSeparationHz: number },
): number[] {
  const { channels, channel, count, minSeparationHz } = options;
  const length = Math.floor(samples.length / channels);
  let size = 4;
  while (size * 2 <= length) size *= 2; // the largest power of two that fits: no zero padding
  const x = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (size - 1));
    x[n] = samples[n * channels + channel] * hann;
  }
  const bins = size / 2 + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  new RealFft(size).forward(x, re, im);
  const power = re.map((r, k) => r * r + im[k] * im[k]);
  const hz = sampleRate / size;
  const peaks: number[] = [];
  const order = [...power.keys()].slice(1).sort((a, b) => power[b] - power[a]);
  for (const k of order) {
    if (peaks.length === count) break;
    if (peaks.every((p) => Math.abs(p - k * hz) >= minSeparationHz)) peaks.push(k * hz);
  }
  return peaks;
}
