/**
 * Mp4FileSource plays the MP4 files people have (H.264 + AAC-LC): ffmpeg makes them, a runtime
 * plays them into WavWriter, and the samples are compared with ffmpeg's own decode of the MP4.
 * Hostile files (a corrupt AudioSpecificConfig, a huge channel count, garbled access units) are
 * refused with typed errors and codes.
 */

import assert from "node:assert/strict";
import type { NodeErrorEvent } from "../../core/lifecycle/events.ts";
import { checkManifestInputs } from "../../core/manifest/input_check.ts";
import { Mp4ReadError, UnsupportedMp4CodecError } from "../../processors/formats/mp4_errors.ts";
import {
  builtinRegistry,
  createRuntime,
  Mp4FileSource,
  NullSink,
  WavWriter,
} from "../../processors/mod.ts";
import { run, withTempDir } from "./media_tools.ts";

/** Makes a 1 s AAC file with ffmpeg's encoder: a tone per channel, with or without video. */
async function makeAac(
  path: string,
  options: { sampleRate: number; channels: 1 | 2; video: boolean },
): Promise<void> {
  const { sampleRate, channels, video } = options;
  const tone = (
    f: number,
  ) => ["-f", "lavfi", "-i", `sine=frequency=${f}:sample_rate=${sampleRate}:duration=1`];
  await run("ffmpeg", [
    ..."-v error -y".split(" "),
    ...(video ? ["-f", "lavfi", "-i", "testsrc=size=128x96:rate=25:duration=1"] : []),
    ...tone(440),
    ...(channels === 2 ? tone(660) : []),
    ...(channels === 2
      ? [
        "-filter_complex",
        `[${video ? 1 : 0}:a][${video ? 2 : 1}:a]amerge=inputs=2[a]`,
        "-map",
        "[a]",
      ]
      : ["-map", `${video ? 1 : 0}:a`]),
    ...(video ? ["-map", "0:v", "-c:v", "libx264", "-pix_fmt", "yuv420p"] : []),
    ..."-c:a aac -b:a 128k".split(" "),
    path,
  ]);
}

/** ffmpeg's decode of `path`'s audio: interleaved f32 at the track's rate and channels. */
async function ffmpegF32(path: string): Promise<Float32Array> {
  const { stdout } = await run("ffmpeg", [
    "-v",
    "error",
    "-i",
    path,
    "-map",
    "0:a:0",
    "-f",
    "f32le",
    "-",
  ]);
  return new Float32Array(stdout.slice().buffer);
}

/** Plays `path` through Mp4FileSource in a runtime into a float WAV; returns its stereo samples. */
async function playToWav(path: string, wav: string, sampleRate: number): Promise<Float32Array> {
  const rt = createRuntime();
  const source = rt.add(Mp4FileSource, { path }, { id: "clip" });
  const writer = rt.add(WavWriter, { path: wav, sampleRate, channels: 2, sampleFormat: "float32" });
  const video = rt.add(NullSink, {});
  rt.connect(source.outputs.audio, writer.inputs.in);
  rt.connect(source.outputs.video, video.inputs.in);
  const errors: NodeErrorEvent[] = [];
  rt.on((event) => void (event.type === "node-error" && errors.push(event)));
  await rt.start();
  for (let i = 0; i < 100 && !rt.ended; i++) await new Promise((r) => setTimeout(r, 50));
  await rt.stop();
  assert.deepEqual(errors, []);
  assert.ok(rt.ended, "the source ended the stream");
  return ffmpegF32(wav);
}

/** SNR in dB of `ours` (stereo) against `reference` (the file's channels), channel by channel. */
function snr(ours: Float32Array, reference: Float32Array, channels: number): number {
  let signal = 0;
  let noise = 0;
  const frames = reference.length / channels;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < 2; c++) {
      const want = reference[i * channels + (channels === 1 ? 0 : c)];
      signal += want * want;
      noise += (ours[2 * i + c] - want) ** 2;
    }
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-30));
}

for (
  const [sampleRate, channels, video] of [
    [44_100, 1, false],
    [48_000, 2, false],
    [44_100, 2, true],
    [48_000, 1, true],
  ] as const
) {
  const what = `${sampleRate / 1000} kHz ${channels === 1 ? "mono" : "stereo"}${
    video ? " with H.264 video" : ""
  }`;
  Deno.test(`Mp4FileSource plays ffmpeg's AAC (${what}) as ffmpeg decodes it: same frame count, SNR >= 90 dB`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/in.mp4`;
      await makeAac(path, { sampleRate, channels, video });
      const reference = await ffmpegF32(path);
      const ours = await playToWav(path, `${dir}/out.wav`, sampleRate);
      // ffmpeg drops the encoder's 1024 priming samples (the edit list) and keeps the last
      // unit whole: 1 s + its padding, in whole units of 1024.
      const frames = reference.length / channels;
      assert.equal(frames % 1024, 0);
      assert.ok(frames >= sampleRate && frames < sampleRate + 2048, `${frames} frames`);
      assert.equal(ours.length / 2, frames, "as many samples as ffmpeg's decode");
      // Measured 132 to 135 dB (both decoders in float): well above the 40 dB of "the same audio".
      const db = snr(ours, reference, channels);
      assert.ok(db >= 90, `SNR ${db.toFixed(1)} dB against ffmpeg`);
    });
  });
}

/** The file's bytes with `patch` applied at the first place `find` occurs after `after`. */
function patchAfter(bytes: Uint8Array, after: string, find: number[], patch: number[]): Uint8Array {
  const start = indexOf(bytes, [...new TextEncoder().encode(after)], 0);
  assert.ok(start >= 0, `no '${after}' box`);
  const at = indexOf(bytes, find, start);
  assert.ok(at >= 0, `no ${find} after '${after}'`);
  const out = bytes.slice();
  out.set(patch, at);
  return out;
}

function indexOf(bytes: Uint8Array, needle: number[], from: number): number {
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

Deno.test("Mp4FileSource refuses a corrupt AudioSpecificConfig and a huge channel count in setup and validate, with codes", async () => {
  await withTempDir(async (dir) => {
    const good = `${dir}/good.mp4`;
    await makeAac(good, { sampleRate: 44_100, channels: 1, video: false });
    const bytes = await Deno.readFile(good);
    // ffmpeg's config for 44.1 kHz mono: AAC-LC (2), frequency index 4, channels 1 (0x12 0x08).
    // Index 13 is reserved.
    const reserved = patchAfter(bytes, "esds", [0x12, 0x08], [0x16, 0x88]);
    // Channel configuration 15 (reserved; never mono or stereo).
    const asc15 = patchAfter(bytes, "esds", [0x12, 0x08], [0x12, 0x78]);
    // Channel configuration 6 (5.1).
    const surround = patchAfter(bytes, "esds", [0x12, 0x08], [0x12, 0x30]);
    // Channel configuration 0 (a layout in a program config element) and the 'mp4a' sample
    // entry's channel count (20 bytes after its type), which then stands, set to 65535.
    const huge = patchAfter(bytes, "esds", [0x12, 0x08], [0x12, 0x00]);
    huge.set([0xff, 0xff], indexOf(bytes, [...new TextEncoder().encode("mp4a")], 0) + 20);
    const cases: [string, Uint8Array, string, RegExp][] = [
      [
        "reserved.mp4",
        reserved,
        "aac_config_invalid",
        /AudioSpecificConfig is corrupt: .*index 13 is reserved/,
      ],
      [
        "asc15.mp4",
        asc15,
        "unsupported_codec",
        /aac, expected aac-lc or opus \(channel configuration 15, expected 1 \(mono\) or 2/,
      ],
      [
        "huge.mp4",
        huge,
        "aac_channels_unsupported",
        /declares 65535 channels, expected 1 \(mono\) or 2 \(stereo\)/,
      ],
      ["surround.mp4", surround, "aac_channels_unsupported", /declares 6 channels, expected 1/],
    ];
    for (const [name, content, code, message] of cases) {
      const path = `${dir}/${name}`;
      await Deno.writeFile(path, content);
      await assert.rejects(
        () => Mp4FileSource.checkInput({ path }),
        (e: unknown) => {
          assert.ok(e instanceof Mp4ReadError, String(e));
          assert.equal(e.code, code, e.message);
          assert.match(e.message, message);
          if (code === "unsupported_codec") assert.ok(e instanceof UnsupportedMp4CodecError);
          return true;
        },
      );
    }
    // What `streamlib validate` runs: one issue per file, with the code.
    const manifest = {
      version: 1,
      nodes: [
        ...cases.map(([name], i) => ({
          id: `n${i}`,
          type: "Mp4FileSource",
          config: { path: `${dir}/${name}` },
        })),
        { id: "ok", type: "Mp4FileSource", config: { path: good } },
      ],
    };
    const issues = await checkManifestInputs(manifest, builtinRegistry);
    assert.deepEqual(
      issues.map((i) => [i.node, i.code]),
      cases.map(([, , code], i) => [`n${i}`, code]),
    );
  });
});

Deno.test("Mp4FileSource fails with aac_packet_corrupt on truncated, garbled access units: a node error, no panic or hang", async () => {
  await withTempDir(async (dir) => {
    const good = `${dir}/good.mp4`;
    await makeAac(good, { sampleRate: 48_000, channels: 1, video: false });
    const bytes = await Deno.readFile(good);
    // Halve every entry of the sample size table: each unit is cut short, and the ones after it
    // in a chunk start in the middle of another.
    const stsz = indexOf(bytes, [...new TextEncoder().encode("stsz")], 0);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const count = view.getUint32(stsz + 12);
    assert.equal(view.getUint32(stsz + 8), 0, "one size per sample");
    for (let i = 0; i < count; i++) {
      const at = stsz + 16 + 4 * i;
      view.setUint32(at, Math.max(1, view.getUint32(at) >> 1));
    }
    const path = `${dir}/cut.mp4`;
    await Deno.writeFile(path, bytes);
    const rt = createRuntime();
    const source = rt.add(Mp4FileSource, { path }, { id: "clip" });
    const sink = rt.add(NullSink, {});
    rt.connect(source.outputs.audio, sink.inputs.in);
    const errors: NodeErrorEvent[] = [];
    rt.on((event) => void (event.type === "node-error" && errors.push(event)));
    await rt.start(); // the config and the sample table are fine: setup passes
    for (let i = 0; i < 100 && errors.length === 0 && !rt.ended; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await rt.stop();
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const [error] = errors;
    assert.deepEqual([error.node, error.phase, error.code], [
      "clip",
      "process",
      "aac_packet_corrupt",
    ]);
    assert.match(
      error.message,
      /its AAC packet \d+ \(\d+ bytes at -?\d+\.\d{3} s\) does not decode: /,
    );
  });
});
