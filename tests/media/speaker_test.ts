/**
 * Speaker against a real ALSA device: the default device pointed at ALSA's file plugin, writing
 * into a FIFO that a reader drains at the real-time rate (tests/media/alsa_capture.ts). What the
 * device played is compared with what was sent, sample for sample.
 */

import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  OutputBinding,
} from "../../mod.ts";
import { NativeSpeaker } from "../../ffi/media/speaker.ts";
import { SpeakerDeviceError } from "../../ffi/media/speaker_errors.ts";
import { createRuntime, Speaker, TestToneGenerator } from "../../processors/mod.ts";
import { speakerNode } from "../../processors/sinks/speaker.gen.ts";
import { alsaFileDevice, withoutSilence } from "./alsa_capture.ts";

const RATE = 48_000;
const CHANNELS = 2;
const BYTES_PER_SECOND = RATE * CHANNELS * 4;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Non-zero, distinct-enough samples, so silence can be told from signal exactly. */
function signal(frames: number, from = 0): Float32Array {
  const out = new Float32Array(frames * CHANNELS);
  for (let i = 0; i < frames; i++) {
    const n = from + i;
    out[i * CHANNELS] = ((n * 7) % 1999 + 1) / 4000;
    out[i * CHANNELS + 1] = -((n * 13) % 1997 + 1) / 4000;
  }
  return out;
}

/** Waits for `check` to hold, polling, with a generous deadline. */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

Deno.test("NativeSpeaker plays every sample it was given, unchanged, on an ALSA device", async () => {
  const device = await alsaFileDevice(BYTES_PER_SECOND);
  const total = RATE; // 1 s
  const sent = signal(total);
  const speaker = NativeSpeaker.open({ sampleRate: RATE, channels: CHANNELS, bufferFrames: 9_600 });
  try {
    assert.equal(speaker.deviceRate, RATE);
    assert.equal(speaker.channels, CHANNELS);
    assert.equal(speaker.format, "f32");
    let written = 0;
    while (written < total) {
      const block = sent.subarray(written * CHANNELS, Math.min(total, written + 960) * CHANNELS);
      written += speaker.write(block);
      await delay(5);
    }
    await until(() => speaker.stats().playedFrames >= total, "the device to play 1 s");
    // Closing drops what the device still buffers: play 0.5 s of silence after the signal.
    await until(() => speaker.stats().underrunFrames >= RATE / 2, "0.5 s of silence after it");
    const stats = speaker.stats();
    assert.equal(stats.writtenFrames, total);
    assert.equal(stats.failureStatus, 0);
    assert.ok(stats.running);
  } finally {
    speaker.close();
  }
  const played = withoutSilence(await device.finish(), CHANNELS);
  assert.equal(played.length, sent.length, "every frame sent was played, nothing else");
  assert.deepEqual(played, sent);
});

Deno.test("NativeSpeaker counts each time the device runs dry as one underrun", async () => {
  const device = await alsaFileDevice(BYTES_PER_SECOND);
  const speaker = NativeSpeaker.open({ sampleRate: RATE, channels: CHANNELS, bufferFrames: 9_600 });
  try {
    assert.equal(speaker.write(signal(4_800)), 4_800); // 100 ms, then nothing for a while
    await until(() => speaker.stats().underruns >= 1, "the first underrun");
    await delay(300);
    const first = speaker.stats();
    assert.equal(first.underruns, 1, "one gap is one underrun, however many callbacks it lasts");
    assert.ok(first.underrunFrames >= RATE * 0.2, `${first.underrunFrames} silent frames`);
    assert.equal(speaker.write(signal(4_800, 4_800)), 4_800);
    await until(() => speaker.stats().underruns >= 2, "the second underrun");
    const silent = speaker.stats().underrunFrames;
    await until(() => speaker.stats().underrunFrames >= silent + RATE / 2, "0.5 s of silence");
    assert.equal(speaker.stats().playedFrames, 9_600);
    assert.equal(speaker.stats().underruns, 2);
  } finally {
    speaker.close();
  }
  const played = withoutSilence(await device.finish(), CHANNELS);
  assert.deepEqual(played, signal(9_600));
});

Deno.test("Speaker in a runtime plays a tone and shows its counters in the node's stats", async () => {
  const device = await alsaFileDevice(BYTES_PER_SECOND);
  const rt = createRuntime({ workers: false });
  const tone = rt.add(TestToneGenerator, { frequency: 1_000, amplitude: 0.5, sampleRate: RATE });
  const out = rt.add(Speaker, { sampleRate: RATE, channels: CHANNELS, bufferMs: 400 }, {
    id: "out",
  });
  rt.connect(tone.outputs.audio, out.inputs.in);
  await rt.start();
  await until(
    () => Number(rt.stats().nodes.out.processor?.playedFrames) >= RATE / 2,
    "half a second played",
  );
  const stats = rt.stats().nodes.out.processor!;
  await rt.stop();
  assert.equal(stats.deviceRate, RATE);
  assert.equal(stats.deviceChannels, CHANNELS);
  assert.ok(Number(stats.writtenFrames) >= Number(stats.playedFrames));
  assert.equal(typeof stats.underruns, "number");
  const captured = await device.finish();
  // The tone starts after the device's first silence; what it still buffered when the runtime
  // stopped is dropped, so a quarter second of it is checked.
  let start = 0;
  while (start < captured.length && captured[start] === 0) start++;
  start -= start % CHANNELS;
  const frames = RATE / 4;
  assert.ok(captured.length >= start + frames * CHANNELS, `${captured.length} samples captured`);
  // The tone is there: its correlation with a 1 kHz sine and cosine carries the energy.
  let re = 0, im = 0, energy = 0;
  for (let i = 0; i < frames; i++) {
    const x = captured[start + i * CHANNELS];
    re += x * Math.cos(2 * Math.PI * 1_000 * i / RATE);
    im += x * Math.sin(2 * Math.PI * 1_000 * i / RATE);
    energy += x * x;
  }
  const tonePower = 2 * (re * re + im * im) / frames;
  assert.ok(tonePower / energy > 0.99, `1 kHz carries ${tonePower / energy} of the energy`);
});

Deno.test("Speaker's setup fails with speaker_device_unavailable for a device that does not exist", async () => {
  const ports = speakerNode.ports();
  const node = speakerNode.create({ device: "alsa:no_such_device" }, ports);
  const error = await node.setup(createProcessContext("out")).then(() => undefined, (e) => e);
  node.teardown();
  assert.ok(error instanceof SpeakerDeviceError, String(error));
  assert.equal(error.code, "speaker_device_unavailable");
  assert.equal(error.reason, "not_found");
  assert.match(error.message, /alsa:no_such_device/);
});

Deno.test("Speaker's setup fails with speaker_device_unavailable when the default device cannot open", async () => {
  // The default device is a sound card this machine does not have.
  const dir = await Deno.makeTempDir({ prefix: "speaker_" });
  await Deno.writeTextFile(`${dir}/asoundrc`, `pcm.!default { type hw; card 7 }\n`);
  Deno.env.set("ALSA_CONFIG_PATH", `/usr/share/alsa/alsa.conf:${dir}/asoundrc`);
  try {
    const ports = speakerNode.ports();
    const node = speakerNode.create({}, ports);
    const error = await node.setup(createProcessContext("out")).then(() => undefined, (e) => e);
    node.teardown();
    assert.ok(error instanceof SpeakerDeviceError, String(error));
    assert.equal(error.code, "speaker_device_unavailable");
    assert.equal(error.reason, "not_found");
    assert.match(error.message, /the default/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Speaker fails the node with reason vanished when its device goes away mid-play", async () => {
  const device = await alsaFileDevice(BYTES_PER_SECOND);
  const ports = speakerNode.ports();
  const node = speakerNode.create({ sampleRate: RATE, bufferMs: 100 }, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  connectLocal(source, ports.input("in"));
  const ctx = createProcessContext("out");
  await node.setup(ctx);
  let error: unknown;
  try {
    const block = createAudioFrame(2, RATE, 480);
    block.samples.fill(0.25);
    source.write(block);
    node.process(ctx);
    await until(() => node.reportStats().playedFrames > 0, "playback to start");
    device.kill();
    const end = Date.now() + 20_000;
    while (error === undefined && Date.now() < end) {
      const next = createAudioFrame(2, RATE, 480);
      source.write(next);
      try {
        node.process(ctx);
      } catch (e) {
        error = e;
      }
      await delay(10);
    }
  } finally {
    node.teardown();
    await device.finish();
  }
  assert.ok(error instanceof SpeakerDeviceError, String(error));
  assert.equal(error.code, "speaker_device_unavailable");
  assert.equal(error.reason, "vanished");
  assert.match(error.message, /^Cannot play to the audio output \(the default\): /);
});
