/**
 * The file round trip: what `Mp4Writer` records, `Mp4FileSource` plays back — the same number of
 * frames, each the pattern frame it was made from within codec loss, and the tone at its pitch.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  InputBinding,
  type MediaClock,
  type VideoFrame,
} from "../../mod.ts";
import {
  createRuntime,
  H264Encoder,
  Mp4Writer,
  TestPattern,
  TestToneGenerator,
} from "../../processors/mod.ts";
import { mp4FileSourceNode } from "../../processors/sources/mp4_file_source.gen.ts";
import { dominantFrequency } from "../../processors/dsp/fft.ts";
import { TestPatternRenderer } from "../../processors/video/test_pattern.ts";
import { withTempDir } from "./media_tools.ts";
import { probe, psnr } from "./mp4_tools.ts";
import { createProcessContext } from "../../mod.ts";

const [WIDTH, HEIGHT, FPS, SECONDS] = [640, 360, 30, 2];

/** Records `SECONDS` of the test pattern (H.264) and a 440 Hz tone (Opus) to `path`. */
async function record(path: string): Promise<void> {
  const rt = createRuntime();
  const pattern = rt.add(TestPattern, {
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    pixelFormat: "I420",
  });
  const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: FPS }, {
    id: "encoder",
  });
  const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3, blockSize: 480 }, {
    id: "tone",
  });
  const writer = rt.add(Mp4Writer, { path, maxSeconds: SECONDS });
  rt.connect(pattern.outputs.video, encoder.inputs.in, { policy: "fifo", capacity: 4 });
  rt.connect(encoder.outputs.out, writer.inputs.video);
  rt.connect(tone.outputs.audio, writer.inputs.audio);
  await rt.start();
  // Until the sources have made SECONDS of media (the writer cuts there), then drain and stop.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { nodes } = rt.stats();
    const done = nodes.encoder.framesOut > SECONDS * FPS &&
      nodes.tone.framesOut * 480 >= SECONDS * 48_000;
    if (done || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await rt.stop();
}

Deno.test("Mp4FileSource plays back what Mp4Writer recorded: every frame, each the pattern's within codec loss, and the tone", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/round_trip.mp4`;
    await record(path);
    const recorded = Number((await probe(path)).streams[0].nb_read_frames);
    assert.equal(recorded, SECONDS * FPS);

    const clock: MediaClock = { nowNs: () => 0 };
    const ctx = createProcessContext("play", { clock });
    const ports = mp4FileSourceNode.ports();
    const source = mp4FileSourceNode.create({ path }, ports);
    const video = new InputBinding<VideoFrame>("video", "VideoFrame");
    const audio = new InputBinding<AudioFrame<2>>("audio", "AudioFrame<2>");
    connectLocal(ports.output("video"), video, { capacity: 4, policy: "fifo" });
    connectLocal(ports.output("audio"), audio, { capacity: 64, policy: "fifo" });
    const periods: number[] = [];
    await source.setup({
      ...ctx,
      loop: { periodNs: undefined, setPeriodNs: (ns) => periods.push(ns) },
    });
    assert.deepEqual(periods.map(Math.round), [Math.round(1e9 / FPS)]);

    const renderer = new TestPatternRenderer("I420", WIDTH, HEIGHT);
    const expected = new Uint8Array(renderer.byteLength);
    const qualities: number[] = [];
    const stamps: number[] = [];
    const pcm: number[] = [];
    let tenth: Uint8Array | undefined;
    for (let calls = 0; !source.ended && calls < 10 * SECONDS * FPS; calls++) {
      await source.process(ctx);
      let frame;
      while ((frame = video.read()) !== undefined) {
        assert.deepEqual([frame.width, frame.height, frame.format], [WIDTH, HEIGHT, "I420"]);
        renderer.render(qualities.length, expected);
        if (qualities.length === 10) tenth = frame.data.slice();
        qualities.push(psnr(frame.data, expected));
        stamps.push(frame.timestampNs);
      }
      let block;
      while ((block = audio.read()) !== undefined) {
        for (let i = 0; i < block.frameCount; i++) pcm.push(block.samples[2 * i]);
      }
    }
    source.teardown();
    assert.ok(source.ended);

    // Frame count equal, frames in order on the file's clock, content within codec loss.
    assert.equal(qualities.length, recorded);
    assert.deepEqual(
      stamps.map((ns) => Math.round(ns / 1e6)),
      [...Array(recorded).keys()].map((n) => Math.round((n * 1e3) / FPS)),
    );
    const worst = Math.min(...qualities);
    const at = qualities.indexOf(worst);
    assert.ok(worst >= 35, `frame ${at}: ${worst.toFixed(1)} dB against pattern frame ${at}`);
    // Frame n is pattern frame n, not a neighbour: the moving box tells them apart.
    renderer.render(11, expected);
    const neighbour = psnr(tenth!, expected);
    assert.ok(neighbour < qualities[10] - 10, `frame 10 vs 11: ${neighbour.toFixed(1)} dB`);

    // The audio: SECONDS of it (within one 20 ms packet) at the tone's pitch.
    assert.ok(
      Math.abs(pcm.length - SECONDS * 48_000) <= 960,
      `${pcm.length} samples, expected ${SECONDS * 48_000}`,
    );
    const pitch = dominantFrequency(Float32Array.from(pcm), 48_000);
    assert.ok(Math.abs(pitch - 440) < 1, `dominant frequency ${pitch} Hz`);
  });
});
