/**
 * Hostile and unusual WAV files against `WavReader` and `WavFileSource`: each either decodes as
 * FFmpeg and SoX decode it, or is refused at open with a typed error and a code.
 */
import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createProcessContext,
  InputBinding,
  type SetupContext,
} from "../../mod.ts";
import { convertChannels } from "../../processors/dsp/channel_convert.ts";
import { readWavFile, WavReader } from "../../processors/formats/wav_reader.ts";
import { wavFileSourceNode } from "../../processors/sources/wav_file_source.gen.ts";
import { createRuntime, NullSink, WavFileSource } from "../../processors/mod.ts";
import { run, soxSamples, withTempDir } from "./media_tools.ts";

/** A RIFF chunk: id, little-endian size, body and the pad byte of an odd size. */
function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(new TextEncoder().encode(id));
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

/** A plain `fmt ` chunk of integer PCM. */
function fmt(channels: number, sampleRate: number, bits: number): Uint8Array {
  const body = new DataView(new ArrayBuffer(16));
  const align = (channels * bits) / 8;
  body.setUint16(0, 1, true);
  body.setUint16(2, channels, true);
  body.setUint32(4, sampleRate, true);
  body.setUint32(8, sampleRate * align, true);
  body.setUint16(12, align, true);
  body.setUint16(14, bits, true);
  return chunk("fmt ", new Uint8Array(body.buffer));
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const size = chunks.reduce((sum, c) => sum + c.length, 4);
  const out = new Uint8Array(8 + size);
  out.set(new TextEncoder().encode("RIFF"));
  new DataView(out.buffer).setUint32(4, size, true);
  out.set(new TextEncoder().encode("WAVE"), 8);
  let offset = 12;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** 16-bit samples of a ramp, `count` of them. */
function ramp16(count: number): Uint8Array {
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = ((i * 997) % 65536) - 32768;
  return new Uint8Array(samples.buffer);
}

async function ffmpegSamples(path: string): Promise<Float32Array> {
  const raw = (await run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-"])).stdout;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

Deno.test("WavReader takes the first fmt and data chunks, as FFmpeg and SoX do", async () => {
  await withTempDir(async (dir) => {
    const pcm = ramp16(2 * 400);
    // A second fmt chunk saying 8-bit used to replace the first: every sample was misread.
    const twoFmt = `${dir}/two_fmt.wav`;
    await Deno.writeFile(twoFmt, riff(fmt(2, 8000, 16), fmt(2, 8000, 8), chunk("data", pcm)));
    // Two data chunks: the first is the audio (SoX and the WAV spec); the second is skipped.
    const twoData = `${dir}/two_data.wav`;
    await Deno.writeFile(
      twoData,
      riff(fmt(2, 8000, 16), chunk("data", pcm.subarray(0, 800)), chunk("data", pcm.subarray(800))),
    );
    for (const [path, tool] of [[twoFmt, "ffmpeg"], [twoFmt, "sox"], [twoData, "sox"]] as const) {
      const { info, samples } = await readWavFile(path);
      const expected = tool === "sox" ? await soxSamples(path) : await ffmpegSamples(path);
      assert.deepEqual([info.bitsPerSample, info.channels], [16, 2], path);
      assert.deepEqual(Array.from(samples), Array.from(expected), `${path} against ${tool}`);
    }
  });
});

Deno.test("WavReader reads FFmpeg's RF64 and a BW64 by their ds64 sizes, sample-exact", async () => {
  await withTempDir(async (dir) => {
    const rf64 = `${dir}/rf64.wav`;
    await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "sine=d=0.1",
      "-c:a",
      "pcm_s24le",
      "-rf64",
      "always",
      rf64,
    ]);
    const bytes = await Deno.readFile(rf64);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "RF64");
    // BW64 (ITU-R BS.2088) is the same layout under another name.
    const bw64 = `${dir}/bw64.wav`;
    await Deno.writeFile(
      bw64,
      Uint8Array.of(...new TextEncoder().encode("BW64"), ...bytes.slice(4)),
    );
    for (const path of [rf64, bw64]) {
      const { info, samples } = await readWavFile(path);
      assert.deepEqual([info.bitsPerSample, info.frameCount, info.truncated], [24, 4410, false]);
      assert.deepEqual(Array.from(samples), Array.from(await ffmpegSamples(rf64)), path);
    }
    // Before: refused with not_wav. A ds64 chunk that is not first is still refused, by name.
    const noDs64 = `${dir}/no_ds64.wav`;
    const riffBytes = riff(fmt(1, 8000, 16), chunk("data", ramp16(8)));
    riffBytes.set(new TextEncoder().encode("RF64"));
    await Deno.writeFile(noDs64, riffBytes);
    await assert.rejects(WavReader.open(noDs64), {
      code: "wav_read_failed",
      message:
        `Cannot read WAV '${noDs64}': RF64 file's first chunk is 'fmt ' of 16 bytes, expected 'ds64' of at least 24`,
    });
  });
});

async function startSource(path: string, blockSize: number, loop: boolean) {
  const ports = wavFileSourceNode.ports();
  const source = wavFileSourceNode.create({ path, blockSize, loop }, ports);
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(ports.output<AudioFrame<2>>("audio"), sink, { capacity: 64, policy: "fifo" });
  const ctx = createProcessContext("wav");
  const setup: SetupContext = { ...ctx, loop: { periodNs: undefined, setPeriodNs: () => {} } };
  await source.setup(setup);
  return { source, sink, ctx };
}

Deno.test("WavFileSource's buffers do not grow with the channel count a header declares", async () => {
  await withTempDir(async (dir) => {
    // 32767 channels of 16-bit PCM (the most a 16-bit block align allows), 3 frames. Before, the
    // source took blockSize x channels floats twice (with loop): 2 x 134 MB for 1024-sample blocks,
    // 2 x 2.1 GB at the largest blockSize.
    const channels = 32_767;
    const path = `${dir}/wide.wav`;
    await Deno.writeFile(path, riff(fmt(channels, 8000, 16), chunk("data", ramp16(channels * 3))));
    const before = Deno.memoryUsage().external;
    const { source, sink, ctx } = await startSource(path, 1024, true);
    const grown = Deno.memoryUsage().external - before;
    assert.ok(grown < 64 * 2 ** 20, `setup took ${grown} bytes`);
    await source.process(ctx);
    const block = sink.read();
    assert.equal(block?.frameCount, 1024);
    // Looped over the 3 frames: block frame i is file frame i % 3, folded to stereo.
    const { samples } = await readWavFile(path);
    const stereo = new Float32Array(6);
    convertChannels(samples, channels, stereo, 2, 3);
    for (const i of [0, 1, 2, 3, 4, 1023]) {
      const at = (i % 3) * 2;
      assert.deepEqual(
        [block!.samples[2 * i], block!.samples[2 * i + 1]],
        [stereo[at], stereo[at + 1]],
        `frame ${i}`,
      );
    }
    ctx.frames.flush();
    await source.teardown();
  });
});

Deno.test("WavFileSource plays a 64-channel file in blocks larger than its decode buffer, sample-exact", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ch64.wav`;
    await run("sox", [
      "-n",
      "-r",
      "48000",
      "-c",
      "64",
      "-b",
      "24",
      path,
      "synth",
      "0.5",
      "sine",
      "440",
    ]);
    const { info, samples } = await readWavFile(path);
    assert.equal(info.frameCount, 24_000);
    const expected = new Float32Array(info.frameCount * 2);
    convertChannels(samples, 64, expected, 2, info.frameCount);
    // 64 channels: 1024 frames decoded at a time, so each 16384-frame block takes 16 reads.
    const { source, sink, ctx } = await startSource(path, 16_384, false);
    const played: number[] = [];
    while (!source.ended) {
      await source.process(ctx);
      for (let block; (block = sink.read()) !== undefined;) played.push(...block.samples);
    }
    assert.equal(played.length, expected.length);
    assert.ok(played.every((v, i) => v === expected[i]), "the blocks are the file, folded");
    ctx.frames.flush();
    await source.teardown();
  });
});

Deno.test("WavFileSource warns in its log about a recording cut off, not about FFmpeg's streamed WAV", async () => {
  await withTempDir(async (dir) => {
    const cut = `${dir}/cut.wav`;
    const whole = riff(fmt(2, 8000, 16), chunk("data", ramp16(2 * 300)));
    await Deno.writeFile(cut, whole.subarray(0, whole.length - 401)); // 199.75 frames left
    // FFmpeg writing to a pipe cannot seek back: RIFF and data sizes stay 0xFFFFFFFF.
    const streamed = `${dir}/streamed.wav`;
    const piped = (await run("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "sine=d=0.05",
      "-f",
      "wav",
      "-",
    ])).stdout;
    await Deno.writeFile(streamed, piped);
    const warnings: Record<string, string[]> = {};
    for (const path of [cut, streamed]) {
      const rt = createRuntime();
      const lines: string[] = warnings[path] = [];
      rt.on((e) => void (e.type === "node-log" && e.level === "warn" && lines.push(e.message)));
      const source = rt.add(WavFileSource, { path, blockSize: 64 }, { id: "wav" });
      const sink = rt.add(NullSink, {}, { id: "sink" });
      rt.connect(source.outputs.audio, sink.inputs.in);
      await rt.start();
      const deadline = Date.now() + 3_000;
      while (!rt.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await rt.stop();
      assert.ok(rt.ended, path);
    }
    assert.deepEqual(warnings[cut], [
      `WAV '${cut}' is cut short: its data chunk declares 1200 bytes, the file holds 199 whole frames; playing those`,
    ]);
    assert.deepEqual(warnings[streamed], []);
    assert.equal((await readWavFile(streamed)).info.frameCount, 2205); // 0.05 s at 44.1 kHz
  });
});

Deno.test("WavReader names the chunk at fault in a broken layout, with what was valid", async () => {
  await withTempDir(async (dir) => {
    const pcm = ramp16(8);
    /** A chunk with a size field of `size` whatever its body. */
    const lying = (id: string, size: number, body: Uint8Array) => {
      const c = chunk(id, body);
      new DataView(c.buffer).setUint32(4, size, true);
      return c;
    };
    // A 7-byte LIST chunk without its pad byte (FFmpeg and SoX refuse it too).
    const noPad = riff(fmt(2, 8000, 16), lying("LIST", 7, new Uint8Array(8)).subarray(0, 15));
    const cases = [
      [
        "no_pad",
        Uint8Array.of(...noPad, ...chunk("data", pcm)),
        "wav_read_failed",
        "the bytes 61 74 61 10 at byte 52 are not a chunk id; the chunk before it may lack the pad byte of an odd size",
      ],
      [
        "overflow",
        riff(lying("LIST", 0xffff_fff0, new Uint8Array(4)), fmt(2, 8000, 16), chunk("data", pcm)),
        "truncated_wav",
        "truncated 'LIST' chunk at byte 12 (no 'fmt ' chunk found before it): expected 4294967280 bytes, found 52",
      ],
      [
        "no_channels",
        riff(fmt(0, 8000, 16), chunk("data", pcm)),
        "wav_read_failed",
        "fmt chunk has 0 channels at 8000 Hz, expected at least 1 channel at a rate above 0 Hz",
      ],
    ] as const;
    for (const [name, bytes, code, reason] of cases) {
      const path = `${dir}/${name}.wav`;
      await Deno.writeFile(path, bytes);
      await assert.rejects(WavReader.open(path), {
        code,
        message: `Cannot read WAV '${path}': ${reason}`,
      });
    }
  });
});

Deno.test("WavReader decodes every G.711 A-law and mu-law byte as FFmpeg and SoX do", async () => {
  await withTempDir(async (dir) => {
    for (const [tag, name] of [[6, "alaw"], [7, "mulaw"]] as const) {
      // Before: refused (unsupported_wav_format, format tag 6 / 7).
      const body = new DataView(new ArrayBuffer(18));
      body.setUint16(0, tag, true);
      body.setUint16(2, 1, true);
      body.setUint32(4, 8000, true);
      body.setUint32(8, 8000, true);
      body.setUint16(12, 1, true);
      body.setUint16(14, 8, true);
      const path = `${dir}/${name}.wav`;
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      await Deno.writeFile(
        path,
        riff(chunk("fmt ", new Uint8Array(body.buffer)), chunk("data", every)),
      );
      const { info, samples } = await readWavFile(path);
      assert.deepEqual([info.encoding, info.bitsPerSample, info.frameCount], [name, 8, 256]);
      assert.deepEqual(
        Array.from(samples),
        Array.from(await ffmpegSamples(path)),
        `${name}: ffmpeg`,
      );
      assert.deepEqual(Array.from(samples), Array.from(await soxSamples(path)), `${name}: sox`);
    }
  });
});
