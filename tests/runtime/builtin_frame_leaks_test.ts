/**
 * The leak report is zero for every built-in processor that runs without a device: one graph
 * that makes and transforms frames (and records three files), one that plays those files back,
 * each run in one isolate and with the processors in a Worker. Camera, Microphone and
 * ScreenCapture need a device (ScreenCapture's own test checks its leaks under Xvfb).
 */

import assert from "node:assert/strict";
import { encode } from "fast-png";
import { join } from "node:path";
import { builtinRegistry } from "../../processors/mod.ts";
import { runForLeaks } from "../fixtures/runtime/leak_rig.ts";

// Devices this machine has none of (a camera, a microphone, a display to capture or to show a
// window on, a sound card): their own tests cover them with Xvfb or ALSA's file plugin.
const DEVICE_PROCESSORS = ["Camera", "Microphone", "ScreenCapture", "Speaker", "VideoWindow"];
const covered = new Set<string>();

function add(
  rt: Parameters<Parameters<typeof runForLeaks>[0]>[0],
  processor: string,
  config: Record<string, unknown>,
  id: string,
  placement?: { worker: string },
): void {
  covered.add(processor);
  rt.add(processor, config as never, { id, placement });
}

for (const worker of [false, true]) {
  Deno.test(`Built-in processors (${worker ? "in a Worker" : "one isolate"}) leave no frame unreleased at stop`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "streamlib_leaks_" });
    const files = { y4m: join(dir, "a.y4m"), wav: join(dir, "a.wav"), mp4: join(dir, "a.mp4") };
    try {
      const live = await runForLeaks(
        (rt, placement) => {
          add(
            rt,
            "TestPattern",
            { width: 160, height: 120, fps: 200, pixelFormat: "I420" },
            "bars",
          );
          add(rt, "ColorConvert", { pixelFormat: "RGBA" }, "rgba", placement);
          add(rt, "VideoScale", { width: 80, height: 60 }, "scale", placement);
          add(rt, "NullSink", {}, "vsink");
          add(rt, "H264Encoder", { backend: "openh264" }, "enc", placement);
          add(rt, "H264Decoder", {}, "dec", placement);
          add(rt, "NullSink", {}, "dsink", placement);
          add(rt, "Y4mWriter", { path: files.y4m }, "y4m", placement);
          add(rt, "Mp4Writer", { path: files.mp4 }, "mp4", placement);
          add(rt, "TestToneGenerator", {}, "tone");
          add(rt, "Gain", { gain: 0.5 }, "gain", placement);
          add(rt, "Reverb", {}, "reverb", placement);
          add(rt, "AudioMixer", {}, "mix", placement);
          add(rt, "ChannelConverter", {}, "chan", placement);
          add(rt, "AudioResampler", { sampleRate: 16_000 }, "resample", placement);
          add(rt, "NullSink", {}, "resampled");
          add(rt, "VoiceActivity", {}, "vad", placement);
          add(rt, "NullSink", {}, "vad_speech");
          add(rt, "WavWriter", { path: files.wav }, "wav", placement);
          add(rt, "NullSink", {}, "mono");
          // WebRTC with no peer: the sinks read and release every frame; the source has none.
          add(rt, "WhepSink", {}, "whep", placement);
          add(rt, "WhipSink", { url: "http://127.0.0.1:9/whip" }, "whip_out", placement);
          add(rt, "WhipSource", {}, "whip_in", placement);
          add(rt, "NullSink", {}, "whip_null");
          rt.connectByName("enc", "out", "whep", "video");
          rt.connectByName("tone", "audio", "whep", "audio");
          rt.connectByName("enc", "out", "whip_out", "video");
          rt.connectByName("tone", "audio", "whip_out", "audio");
          rt.connectByName("whip_in", "video", "whip_null", "in");
          // SRT and RTMP with no peer (port 9 refuses): the sinks read, drop (counted) and release
          // every frame while they retry; the source has none.
          add(rt, "SrtSink", { mode: "caller", host: "127.0.0.1", port: 9 }, "srt_out", placement);
          add(rt, "RtmpSink", { url: "rtmp://127.0.0.1:9/live/leaks" }, "rtmp_out", placement);
          add(rt, "SrtSource", { mode: "caller", host: "127.0.0.1", port: 9 }, "srt_in", placement);
          add(rt, "NullSink", {}, "srt_null");
          add(rt, "RtspSource", { url: "rtsp://127.0.0.1:9/leaks" }, "rtsp_in", placement);
          add(rt, "NullSink", {}, "rtsp_null");
          rt.connectByName("enc", "out", "srt_out", "video");
          rt.connectByName("enc", "out", "rtmp_out", "video");
          rt.connectByName("srt_in", "video", "srt_null", "in");
          rt.connectByName("rtsp_in", "video", "rtsp_null", "in");
          rt.connectByName("bars", "video", "rgba", "in");
          rt.connectByName("rgba", "out", "scale", "in");
          rt.connectByName("scale", "out", "vsink", "in");
          rt.connectByName("bars", "video", "enc", "in");
          rt.connectByName("enc", "out", "dec", "in");
          rt.connectByName("dec", "out", "dsink", "in");
          rt.connectByName("enc", "out", "mp4", "video");
          rt.connectByName("bars", "video", "y4m", "in");
          rt.connectByName("tone", "audio", "gain", "in");
          rt.connectByName("gain", "out", "reverb", "in");
          rt.connectByName("reverb", "out", "mix", "in_0");
          rt.connectByName("tone", "audio", "mix", "in_1");
          rt.connectByName("mix", "out", "chan", "in");
          rt.connectByName("chan", "out", "wav", "in");
          rt.connectByName("chan", "mono", "mono", "in");
          rt.connectByName("tone", "audio", "resample", "in");
          rt.connectByName("resample", "out", "resampled", "in");
          rt.connectByName("tone", "audio", "vad", "in");
          rt.connectByName("vad", "speech", "vad_speech", "in");
          rt.connectByName("tone", "audio", "mp4", "audio");
          // Encoded audio from a Worker into the main isolate (and to RTMP in the Worker).
          add(rt, "AacEncoder", {}, "aac", placement);
          add(rt, "NullSink", {}, "aac_null");
          rt.connectByName("tone", "audio", "aac", "in");
          rt.connectByName("aac", "out", "aac_null", "in");
          rt.connectByName("aac", "out", "rtmp_out", "audio");
        },
        (rt) => {
          const n = rt.stats().nodes;
          return n.vsink.framesIn >= 10 && n.dsink.framesIn >= 10 && n.y4m.framesIn >= 10 &&
            n.wav.framesIn >= 20 && n.mono.framesIn >= 20 && n.resampled.framesIn >= 20 &&
            n.vad.framesIn >= 20 && n.mp4.framesIn >= 30 &&
            n.whep.framesIn >= 30 && n.whip_out.framesIn >= 30 && n.srt_out.framesIn >= 30 &&
            n.rtmp_out.framesIn >= 30 && n.aac_null.framesIn >= 20;
        },
        { worker },
      );
      assert.deepEqual(live.problems, []);
      assert.deepEqual(live.leaks, []);

      const played = await runForLeaks(
        (rt, placement) => {
          add(rt, "Y4mFileSource", { path: files.y4m }, "y4m_src", placement);
          add(rt, "WavFileSource", { path: files.wav }, "wav_src", placement);
          add(rt, "Mp4FileSource", { path: files.mp4 }, "mp4_src", placement);
          for (const sink of ["y4m_sink", "wav_sink", "mp4_video", "mp4_audio"]) {
            add(rt, "NullSink", {}, sink);
          }
          rt.connectByName("y4m_src", "video", "y4m_sink", "in");
          rt.connectByName("wav_src", "audio", "wav_sink", "in");
          rt.connectByName("mp4_src", "video", "mp4_video", "in");
          rt.connectByName("mp4_src", "audio", "mp4_audio", "in");
        },
        (rt) => {
          const n = rt.stats().nodes;
          return n.y4m_sink.framesIn >= 5 && n.wav_sink.framesIn >= 5 &&
            n.mp4_video.framesIn >= 5 && n.mp4_audio.framesIn >= 5;
        },
        { worker },
      );
      assert.deepEqual(played.problems, []);
      assert.deepEqual(played.leaks, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("Built-in GPU processors and AacEncoder again (one isolate: GPU nodes run in the main one) leave no frame unreleased at stop", async () => {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_gpu_leaks_" });
  try {
    const cube = join(dir, "swap.cube");
    const entries = [];
    for (const b of [0, 1]) {
      for (const g of [0, 1]) for (const r of [0, 1]) entries.push(`${b} ${g} ${r}`);
    }
    await Deno.writeTextFile(cube, `LUT_3D_SIZE 2\n${entries.join("\n")}\n`);
    const logo = join(dir, "logo.png");
    await Deno.writeFile(
      logo,
      encode({ width: 3, height: 2, data: new Uint8Array(24).fill(200), channels: 4, depth: 8 }),
    );
    const run = await runForLeaks(
      (rt) => {
        add(rt, "TestPattern", { width: 160, height: 120, fps: 100, pixelFormat: "I420" }, "bars");
        add(rt, "YuvToGpu", {}, "up");
        add(rt, "GpuScale", { width: 80, height: 60 }, "scale");
        add(rt, "GpuBlur", { sigma: 1 }, "blur");
        add(rt, "GpuLut", { path: cube }, "lut");
        add(rt, "WgslEffect", {}, "effect");
        add(rt, "TextOverlay", { text: "leak" }, "text");
        add(rt, "ImageOverlay", { src: logo }, "logo");
        add(rt, "VideoCompositor", { width: 96, height: 64 }, "comp");
        add(rt, "GpuToYuv", {}, "down");
        add(rt, "NullSink", {}, "vsink");
        add(rt, "TestToneGenerator", {}, "tone");
        add(rt, "AacEncoder", {}, "aac");
        add(rt, "NullSink", {}, "asink");
        const chain = [
          "bars.video>up.in",
          "up.out>scale.in",
          "scale.out>blur.in",
          "blur.out>lut.in",
          "lut.out>effect.in",
          "effect.out>text.in",
          "text.out>logo.in",
          "logo.out>comp.in_0",
          "comp.out>down.in",
          "down.out>vsink.in",
          "tone.audio>aac.in",
          "aac.out>asink.in",
        ];
        for (const link of chain) {
          const [from, to] = link.split(">").map((end) => end.split("."));
          rt.connectByName(from[0], from[1], to[0], to[1]);
        }
      },
      (rt) => {
        const n = rt.stats().nodes;
        return n.vsink.framesIn >= 10 && n.asink.framesIn >= 10;
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(run.problems, []);
    assert.deepEqual(run.leaks, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Built-in processor leak tests cover every built-in processor that needs no device", () => {
  const all = builtinRegistry.list().map((d) => d.name).sort();
  const missing = all.filter((name) => !covered.has(name) && !DEVICE_PROCESSORS.includes(name));
  assert.deepEqual(missing, []);
});
