/**
 * `VoiceActivity` in a runtime on speech `espeak-ng` made, laid between silence and noise at
 * known places: the events must name the known boundaries within 100 ms, and the `speech` output
 * must hold the input's own samples, only around the speech.
 */

import assert from "node:assert/strict";
import type { AppFrame } from "../../core/app/app_output.ts";
import { createRuntime } from "../../processors/runtime.ts";
import {
  VoiceActivity,
  type VoiceActivityEvent,
} from "../../processors/transforms/voice_activity.ts";
import { compose, type Composed, speak } from "../fixtures/speech.ts";

const TOLERANCE_S = 0.1;

interface Run {
  events: VoiceActivityEvent[];
  speech: { startS: number; samples: Float32Array }[];
  stats: Record<string, unknown>;
}

/** Plays `signal` (mono) as `channels`-channel blocks through a VoiceActivity node. */
async function detect(
  signal: Composed,
  rate: number,
  channels: number,
  config: Record<string, unknown> = {},
): Promise<Run> {
  await using rt = createRuntime();
  rt.add(VoiceActivity, config, { id: "vad" });
  const input = rt.addInput("audio", "vad.in", { capacity: 16 });
  const speechOut = rt.addOutput("speech", "vad.speech", { capacity: 64 });
  const eventsOut = rt.addOutput("events", "vad.events", { capacity: 64 });
  await rt.start();
  const collect = async (output: AsyncIterable<AppFrame>) => {
    const got: AppFrame[] = [];
    for await (const item of output) got.push(item);
    return got;
  };
  const speechDone = collect(speechOut);
  const eventsDone = collect(eventsOut);
  const block = Math.round(rate / 100); // 10 ms, as a microphone gives
  for (let at = 0; at < signal.samples.length; at += block) {
    const mono = signal.samples.subarray(at, Math.min(at + block, signal.samples.length));
    const samples = new Float32Array(mono.length * channels);
    for (let i = 0; i < mono.length; i++) samples.fill(mono[i], i * channels, (i + 1) * channels);
    await input.send({
      kind: "audio",
      channels,
      sampleRate: rate,
      samples,
      timestampNs: Math.round(at * 1e9 / rate),
    });
  }
  // Enough silence after the signal for the last stop to be decided, then the end.
  const tail = new Float32Array(block * channels);
  for (let i = 0; i < 100; i++) {
    const at = signal.samples.length + i * block;
    await input.send({
      kind: "audio",
      channels,
      sampleRate: rate,
      samples: tail,
      timestampNs: Math.round(at * 1e9 / rate),
    });
  }
  input.end();
  const [speech, events] = await Promise.all([speechDone, eventsDone]);
  const stats = rt.stats().nodes.vad as unknown as { processor?: Record<string, unknown> };
  await rt.stop();
  return {
    events: events.map((e) => (e.frame as { value: VoiceActivityEvent }).value),
    speech: speech.map((s) => {
      const f = s.frame as { timestampNs: number; samples: Float32Array; channels: number };
      const mono = new Float32Array(f.samples.length / f.channels);
      for (let i = 0; i < mono.length; i++) mono[i] = f.samples[i * f.channels];
      return { startS: f.timestampNs / 1e9, samples: mono };
    }),
    stats: stats.processor ?? {},
  };
}

async function fixture(rate: number): Promise<Composed> {
  const first = await speak("hello there how are you today", rate);
  const second = await speak("please send the report before noon", rate);
  return compose(rate, [
    { silenceS: 1 },
    { speech: first },
    // 1.5 s between the phrases: a burst of white noise (SNR about 10 dB against the speech)
    // with quiet on either side.
    { silenceS: 0.3 },
    { silenceS: 0.9, noise: 0.05 },
    { silenceS: 0.3 },
    { speech: second },
    { silenceS: 1 },
  ]);
}

function assertBoundaries(run: Run, signal: Composed): void {
  assert.deepEqual(
    run.events.map((e) => e.type),
    ["speech-start", "speech-stop", "speech-start", "speech-stop"],
    JSON.stringify(run.events),
  );
  const found = run.events.map((e) => e.timestampNs / 1e9);
  const known = signal.speech.flat();
  for (let i = 0; i < known.length; i++) {
    assert.ok(
      Math.abs(found[i] - known[i]) <= TOLERANCE_S,
      `boundary ${i}: found ${found[i].toFixed(3)} s, known ${known[i].toFixed(3)} s`,
    );
  }
}

function assertOnlySpeech(run: Run, signal: Composed, rate: number): void {
  assert.ok(run.speech.length > 0);
  let total = 0;
  for (const block of run.speech) {
    const start = block.startS;
    const end = start + block.samples.length / rate;
    total += end - start;
    const inside = signal.speech.some(([s, e]) =>
      start >= s - TOLERANCE_S && end <= e + TOLERANCE_S
    );
    assert.ok(inside, `speech output at ${start.toFixed(3)}-${end.toFixed(3)} s is outside speech`);
    // The input's own samples, cut, not a copy of something else.
    const offset = Math.round(start * rate);
    for (let i = 0; i < block.samples.length; i += 97) {
      assert.equal(block.samples[i], signal.samples[offset + i], `sample at ${start}+${i}`);
    }
  }
  const known = signal.speech.reduce((n, [s, e]) => n + e - s, 0);
  assert.ok(
    Math.abs(total - known) <= 4 * TOLERANCE_S,
    `speech output ${total.toFixed(3)} s, speech ${known.toFixed(3)} s`,
  );
}

Deno.test("VoiceActivity finds espeak-ng speech between silence and noise within 100 ms (48 kHz stereo)", async () => {
  const rate = 48_000;
  const signal = await fixture(rate);
  const run = await detect(signal, rate, 2);
  assertBoundaries(run, signal);
  assertOnlySpeech(run, signal, rate);
  assert.ok((run.stats.windows as number) > 0);
});

Deno.test("VoiceActivity takes 16 kHz mono as it is (no resampler)", async () => {
  const rate = 16_000;
  const signal = await fixture(rate);
  const run = await detect(signal, rate, 1, { padMs: 0 });
  assertBoundaries(run, signal);
  assertOnlySpeech(run, signal, rate);
});
