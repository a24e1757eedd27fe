import assert from "node:assert/strict";
import {
  AAC_ENCODER_DELAY_SAMPLES,
  AAC_FRAME_SAMPLES,
  aacAudioSpecificConfig,
  aacBitrateRange,
  VoAacEncoder,
} from "./vo_aac_encoder.ts";
import { adtsFrame as adts } from "../../processors/formats/aac_packet.ts";

Deno.test("VoAacEncoder.encode() makes AAC-LC that ffmpeg decodes back to the tone", async () => {
  const sampleRate = 48_000;
  const channels = 2;
  using encoder = VoAacEncoder.create({ sampleRate, channels, bitrate: 128_000 });
  assert.deepEqual([...encoder.audioSpecificConfig], [...aacAudioSpecificConfig(48_000, 2)]);
  const frames: Uint8Array[] = [];
  const seconds = 2;
  const silentFrames = 10; // a click after ~213 ms of silence measures the delay
  for (let f = 0; f < (seconds * sampleRate) / AAC_FRAME_SAMPLES; f++) {
    const pcm = new Float32Array(AAC_FRAME_SAMPLES * channels);
    if (f >= silentFrames) {
      for (let i = 0; i < AAC_FRAME_SAMPLES; i++) {
        const t = (f * AAC_FRAME_SAMPLES + i) / sampleRate;
        pcm[i * 2] = pcm[i * 2 + 1] = 0.5 * Math.sin(2 * Math.PI * 1_000 * t);
      }
    }
    const frame = encoder.encode(pcm);
    assert.ok(frame.length > 0 && frame.length < 1_536);
    frames.push(adts(frame, encoder.audioSpecificConfig));
  }
  const bytes = frames.reduce((n, f) => n + f.length, 0);
  // 128 kbit/s within 10 %.
  const kbps = (bytes * 8) / seconds / 1_000;
  assert.ok(kbps > 115 && kbps < 145, `${kbps} kbit/s`);
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/tone.aac`;
    await Deno.writeFile(file, new Uint8Array(frames.flatMap((f) => [...f])));
    const decoded = await new Deno.Command("ffmpeg", {
      args: ["-v", "error", "-i", file, "-af", "pan=mono|c0=c0", "-f", "f32le", "-"],
      stdout: "piped",
    }).output();
    assert.ok(decoded.success);
    const pcm = new Float32Array(decoded.stdout.buffer.slice(0, decoded.stdout.length & ~3));
    // Onset: the first sample above 0.1 in the decoded mono, against 10 frames of silence in.
    const onset = pcm.findIndex((s) => Math.abs(s) > 0.1);
    const delay = onset - silentFrames * AAC_FRAME_SAMPLES;
    // The encoder's priming, which AacEncoder takes off its timestamps (a few samples of the
    // sine's rise under the threshold).
    assert.ok(Math.abs(delay - AAC_ENCODER_DELAY_SAMPLES) <= 16, `delay ${delay} samples`);
    // The steady part: 1 kHz (zero crossings) at amplitude 0.5 (RMS 0.354) within 1 dB.
    const steady = pcm.subarray(48_000, 96_000 - 4_096);
    let crossings = 0;
    let energy = 0;
    for (let i = 1; i < steady.length; i++) {
      if ((steady[i - 1] < 0) !== (steady[i] < 0)) crossings++;
      energy += steady[i] * steady[i];
    }
    const hz = crossings / 2 / (steady.length / sampleRate);
    assert.ok(Math.abs(hz - 1_000) < 5, `${hz} Hz`);
    const rms = Math.sqrt(energy / steady.length);
    assert.ok(Math.abs(20 * Math.log10(rms / 0.3536)) < 1, `rms ${rms}`);
    console.log(`vo-aacenc: ${kbps.toFixed(1)} kbit/s, decoder-visible delay ${delay} samples`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VoAacEncoder.create() refuses a format AAC-LC cannot take, naming what is valid", () => {
  assert.throws(() => VoAacEncoder.create({ sampleRate: 96_000, channels: 2, bitrate: 128_000 }), {
    code: "aac_encoder_config",
    argument: "sampleRate",
  });
  assert.throws(() => VoAacEncoder.create({ sampleRate: 48_000, channels: 6, bitrate: 128_000 }), {
    code: "aac_encoder_config",
    message: /channels 6, expected 1 or 2/,
  });
  assert.throws(() => VoAacEncoder.create({ sampleRate: 8_000, channels: 1, bitrate: 64_000 }), {
    code: "aac_encoder_config",
    message: /8000\.\.48000 bits\/s/,
  });
});

Deno.test("VoAacEncoder.create() without the library is a typed error that says what to install", async () => {
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { VoAacEncoder } from "${new URL("./vo_aac_encoder.ts", import.meta.url)}";
       try { VoAacEncoder.create({ sampleRate: 48000, channels: 1, bitrate: 64000 }); }
       catch (e) { console.log(e.code, e.message); }`,
    ],
    env: { STREAMLIB_VO_AACENC: "/nonexistent/libvo-aacenc.so.0" },
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(child.stdout);
  assert.match(text, /^aac_encoder_unavailable .*apt-get install libvo-aacenc0/);
});

Deno.test("VoAacEncoder.encode() encodes every rate and both channel counts at its extremes", () => {
  for (const sampleRate of [8_000, 11_025, 22_050, 44_100, 48_000]) {
    for (const channels of [1, 2]) {
      const { min, max } = aacBitrateRange(sampleRate, channels);
      for (const bitrate of [min, max]) {
        using encoder = VoAacEncoder.create({ sampleRate, channels, bitrate });
        const frame = encoder.encode(new Float32Array(1024 * channels).fill(0.25));
        assert.ok(frame.length > 0, `${sampleRate} ${channels} ${bitrate}`);
      }
    }
  }
});
