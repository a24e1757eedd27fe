import assert from "node:assert/strict";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { SineOscillator } from "../../processors/dsp/sine_oscillator.ts";
import { readWavFile, WavReader } from "../../processors/formats/wav_reader.ts";
import { WavWriter } from "../../processors/formats/wav_writer.ts";
import { run, soxSamples, soxStat, withTempDir } from "./media_tools.ts";

async function writeTone(
  path: string,
  sampleFormat: "pcm16" | "float32",
  seconds: number,
): Promise<void> {
  const osc = new SineOscillator({
    sampleRate: 48_000,
    frequency: 1_000,
    amplitude: 0.5,
    channels: 2,
  });
  const block = new Float32Array(2 * 480);
  await using writer = await WavWriter.create(path, {
    sampleRate: 48_000,
    channels: 2,
    sampleFormat,
  });
  for (let i = 0; i < seconds * 100; i++) {
    osc.fill(block);
    await writer.write(block);
  }
}

Deno.test("WavWriter output: sox and ffprobe agree on a 1 kHz tone, found at 1000 Hz in both decodings", async () => {
  await withTempDir(async (dir) => {
    for (
      const [sampleFormat, bits, encoding, codec] of [
        ["pcm16", "16", "Signed Integer PCM", "pcm_s16le"],
        ["float32", "32", "Floating Point PCM", "pcm_f32le"],
      ] as const
    ) {
      const path = `${dir}/tone_${sampleFormat}.wav`;
      await writeTone(path, sampleFormat, 1);

      const info = (flag: string) => run("sox", ["--i", flag, path]).then((o) => o.text.trim());
      assert.equal(await info("-r"), "48000");
      assert.equal(await info("-c"), "2");
      assert.equal(await info("-s"), "48000"); // samples per channel
      assert.equal(Number(await info("-D")), 1);
      assert.equal(await info("-b"), bits);
      assert.match(await info("-e"), new RegExp(encoding));

      const stat = (await run("sox", [path, "-n", "stat"])).stderr;
      assert.ok(Math.abs(soxStat(stat, "Maximum amplitude") - 0.5) < 1e-3, stat);
      assert.ok(Math.abs(soxStat(stat, "RMS     amplitude") - 0.5 / Math.SQRT2) < 1e-3, stat);
      assert.ok(Math.abs(soxStat(stat, "Mean    amplitude")) < 1e-4, stat);

      const probe = JSON.parse(
        (await run("ffprobe", [
          "-v",
          "error",
          "-show_entries",
          "stream=codec_name,sample_rate,channels,duration",
          "-of",
          "json",
          path,
        ])).text,
      ).streams[0];
      assert.deepEqual(
        [probe.codec_name, probe.sample_rate, probe.channels, Number(probe.duration)],
        [codec, "48000", 2, 1],
      );

      // The pitch, by FFT of what sox and ffmpeg decode (not the project's WavReader).
      const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-"])).stdout;
      const decodings = {
        sox: await soxSamples(path),
        ffmpeg: new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4),
      };
      for (const [tool, samples] of Object.entries(decodings)) {
        assert.equal(samples.length, 2 * 48_000, tool);
        for (const channel of [0, 1]) {
          const f = dominantFrequency(samples, 48_000, { channels: 2, channel });
          assert.ok(
            Math.abs(f - 1_000) <= 2,
            `${tool} ${sampleFormat} channel ${channel}: ${f} Hz`,
          );
        }
      }
      const { info: wav } = await readWavFile(path);
      assert.equal(wav.frameCount, 48_000);
    }
  });
});

Deno.test("WavReader reads sox's 24-bit stereo 440 Hz file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/sox24.wav`;
    await run("sox", [
      "-n",
      "-r",
      "48000",
      "-c",
      "2",
      "-b",
      "24",
      path,
      "synth",
      "0.5",
      "sine",
      "440",
    ]);
    const { info, samples } = await readWavFile(path);
    assert.deepEqual(
      [info.encoding, info.bitsPerSample, info.channels, info.sampleRate, info.frameCount],
      ["pcm", 24, 2, 48_000, 24_000],
    );
    for (const channel of [0, 1]) {
      const f = dominantFrequency(samples, 48_000, { channels: 2, channel });
      assert.ok(Math.abs(f - 440) <= 2, `channel ${channel}: ${f} Hz`);
    }
    const peak = samples.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    assert.ok(peak > 0.99 && peak <= 1, `peak ${peak}`); // sox synthesises at full scale

    // Every sample matches sox's own decoding to 32-bit float.
    const raw = (await run("sox", [path, "-t", "f32", "-"])).stdout;
    const reference = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    assert.equal(reference.length, samples.length);
    for (let i = 0; i < samples.length; i++) {
      assert.ok(Math.abs(reference[i] - samples[i]) < 1e-6, `sample ${i}`);
    }
  });
});

Deno.test("WavReader reads sox's plain IEEE float (format tag 3) file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/soxf32.wav`;
    await run("sox", [
      "-n",
      "-r",
      "8000",
      "-c",
      "1",
      "-e",
      "floating-point",
      "-b",
      "32",
      path,
      "synth",
      "0.25",
      "sine",
      "300",
      "vol",
      "0.25",
    ]);
    const { info, samples } = await readWavFile(path);
    assert.deepEqual([info.formatTag, info.encoding, info.bitsPerSample, info.frameCount], [
      3,
      "float",
      32,
      2000,
    ]);
    assert.ok(Math.abs(dominantFrequency(samples, 8_000) - 300) <= 2);
    const peak = samples.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    assert.ok(Math.abs(peak - 0.25) < 1e-3, `peak ${peak}`);
  });
});

Deno.test("WavReader reads ffmpeg's 8/24/32-bit PCM, 32/64-bit float and 6-channel extensible files", async () => {
  await withTempDir(async (dir) => {
    for (
      const [codec, extra, bits, encoding, channels, formatTag] of [
        // FFmpeg writes WAVE_FORMAT_EXTENSIBLE for more than 16 bits or 2 channels.
        ["pcm_f32le", [], 32, "float", 1, 0xfffe],
        ["pcm_u8", [], 8, "pcm", 1, 1],
        ["pcm_s24le", [], 24, "pcm", 1, 0xfffe],
        ["pcm_s32le", [], 32, "pcm", 1, 0xfffe],
        ["pcm_f64le", [], 64, "float", 1, 0xfffe],
        ["pcm_s16le", ["-ac", "6"], 16, "pcm", 6, 0xfffe],
      ] as const
    ) {
      const path = `${dir}/${codec}_${channels}.wav`;
      await run("ffmpeg", [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1000:sample_rate=44100:duration=0.5",
        ...extra,
        "-c:a",
        codec,
        path,
      ]);
      await using reader = await WavReader.open(path);
      const { info } = reader;
      assert.deepEqual(
        [info.bitsPerSample, info.encoding, info.channels, info.formatTag, info.sampleRate],
        [bits, encoding, channels, formatTag, 44_100],
        codec,
      );
      assert.equal(info.frameCount, 22_050);
      const samples = new Float32Array(info.frameCount * channels);
      assert.equal(await reader.read(samples), info.frameCount);
      // FFmpeg upmixes mono to the centre channel (index 2) of 5.1.
      const f = dominantFrequency(samples, 44_100, { channels, channel: channels === 6 ? 2 : 0 });
      assert.ok(Math.abs(f - 1_000) <= 2, `${codec}: ${f} Hz`);

      const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-"])).stdout;
      const reference = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      assert.equal(reference.length, samples.length);
      const tolerance = bits === 8 ? 1 / 128 : 1e-6;
      for (let i = 0; i < samples.length; i++) {
        assert.ok(Math.abs(reference[i] - samples[i]) <= tolerance, `${codec} sample ${i}`);
      }
    }
  });
});

Deno.test("WavWriter 6-channel WAVE_FORMAT_EXTENSIBLE output is read by sox and ffprobe as 5.1", async () => {
  await withTempDir(async (dir) => {
    for (const sampleFormat of ["pcm16", "float32"] as const) {
      const path = `${dir}/surround_${sampleFormat}.wav`;
      const osc = new SineOscillator({
        sampleRate: 48_000,
        frequency: 500,
        amplitude: 0.25,
        channels: 6,
      });
      const block = new Float32Array(6 * 4800);
      osc.fill(block);
      const writer = await WavWriter.create(path, {
        sampleRate: 48_000,
        channels: 6,
        sampleFormat,
      });
      await writer.write(block);
      await writer.close();
      assert.equal((await run("sox", ["--i", "-c", path])).text.trim(), "6");
      const probe = JSON.parse(
        (await run("ffprobe", [
          "-v",
          "error",
          "-show_entries",
          "stream=channels,channel_layout,codec_name",
          "-of",
          "json",
          path,
        ])).text,
      ).streams[0];
      assert.deepEqual(
        [probe.channels, probe.channel_layout, probe.codec_name],
        [6, "5.1", sampleFormat === "pcm16" ? "pcm_s16le" : "pcm_f32le"],
      );
      const { info } = await readWavFile(path);
      assert.deepEqual([info.formatTag, info.channels, info.frameCount], [0xfffe, 6, 4800]);
    }
  });
});
