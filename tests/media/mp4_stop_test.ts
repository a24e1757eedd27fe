/**
 * Stopping an MP4 recording at a random moment — `rt.stop()`, a processor error upstream with
 * `stop-processor` or `stop-runtime` — leaves a file that ffprobe opens and ffmpeg decodes with
 * every frame the writer accepted; a writer restarted after its own error does not truncate the
 * recording it finalized. The moments are random but seeded: the seed is printed, and
 * `MP4_TEST_SEED=<seed>` repeats a run.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ErrorPolicy, Runtime } from "../../mod.ts";
import {
  createRuntime,
  H264Encoder,
  Mp4Writer,
  TestPattern,
  TestToneGenerator,
} from "../../processors/mod.ts";
import { withTempDir } from "./media_tools.ts";
import { breakAfterNode, rateSwitchNode } from "./mp4_fixture_nodes.ts";
import { decodeErrors, probe, seededRandom, testSeed } from "./mp4_tools.ts";

const SEED = testSeed("mp4_stop_test");
const random = (salt: number) => seededRandom(SEED, salt);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Test pattern → [relay] → H.264 → MP4 and a tone → MP4, 320x240 at 30 fps. */
function recordingGraph(path: string, options: { breakAfter?: number; policy?: ErrorPolicy }) {
  const rt = createRuntime();
  const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" }, {
    id: "pattern",
  });
  const encoder = rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 30 }, {
    id: "encoder",
  });
  const tone = rt.add(TestToneGenerator, { frequency: 440, amplitude: 0.3 }, { id: "tone" });
  const writer = rt.add(Mp4Writer, { path }, { id: "writer" });
  if (options.breakAfter === undefined) {
    rt.connect(pattern.outputs.video, encoder.inputs.in, { policy: "fifo", capacity: 4 });
  } else {
    const relay = rt.add(breakAfterNode, { throwAfter: options.breakAfter }, {
      id: "relay",
      onError: options.policy,
    });
    rt.connect(pattern.outputs.video, relay.inputs.in, { policy: "fifo", capacity: 4 });
    rt.connect(relay.outputs.out, encoder.inputs.in, { policy: "fifo", capacity: 4 });
  }
  rt.connect(encoder.outputs.out, writer.inputs.video);
  rt.connect(tone.outputs.audio, writer.inputs.audio);
  return rt;
}

/**
 * Checks the file holds every video frame the encoder wrote and every tone block (480 samples,
 * two per 20 ms Opus packet, the last one padded), and decodes without an error.
 */
async function assertComplete(rt: Runtime, path: string, context: string): Promise<number> {
  const { nodes } = rt.stats();
  const { streams } = await probe(path);
  assert.deepEqual(streams.map((s) => s.codec_name), ["h264", "opus"], context);
  const frames = Number(streams[0].nb_read_frames);
  assert.equal(frames, nodes.encoder.framesOut, `${context}: every encoded frame is in the file`);
  // Two 480-sample blocks per 20 ms packet, with the silence the writer put where the tone
  // skipped time under load (or minus what it trimmed): audio stays on its timestamps.
  const recorded = nodes.writer.processor as Record<string, number>;
  const samples = nodes.tone.framesOut * 480 + recorded.audioFilledSamples -
    recorded.audioTrimmedSamples;
  assert.equal(
    Number(streams[1].nb_read_frames),
    Math.ceil(samples / 960),
    `${context}: every tone block is in the file`,
  );
  assert.equal(await decodeErrors(path), "", context);
  return frames;
}

Deno.test("rt.stop() at a random moment leaves a file that plays, with every frame accepted before the stop", async () => {
  const draw = random(1);
  await withTempDir(async (dir) => {
    for (let run = 0; run < 2; run++) {
      const path = `${dir}/stop_${run}.mp4`;
      const rt = recordingGraph(path, {});
      const wait = draw(50, 1500);
      await rt.start();
      await sleep(wait);
      await rt.stop();
      const context = `seed ${SEED}, stop after ${wait} ms`;
      const frames = await assertComplete(rt, path, context);
      assert.ok(frames > 0, context);
    }
  });
});

for (const [salt, policy] of [[2, "stop-processor"], [3, "stop-runtime"]] as const) {
  Deno.test(`A processor error mid-recording (${policy}) leaves a file with every frame that reached the writer`, async () => {
    const draw = random(salt);
    await withTempDir(async (dir) => {
      const path = `${dir}/${policy}.mp4`;
      const breakAfter = draw(1, 45);
      const rt = recordingGraph(path, { breakAfter, policy });
      const context = `seed ${SEED}, ${policy} after ${breakAfter} frames`;
      const broke = Promise.withResolvers<void>();
      const stopped = Promise.withResolvers<void>();
      rt.on((event) => {
        if (event.type === "node-error" && event.node === "relay") broke.resolve();
        if (event.type === "runtime-state" && event.to === "stopped") stopped.resolve();
      });
      await rt.start();
      // The relay breaks (and the runtime stops by itself with stop-runtime).
      await broke.promise;
      if (policy === "stop-processor") {
        await sleep(draw(0, 300)); // the rest records on: audio only
        assert.equal(rt.state, "running", context);
        await rt.stop();
      } else {
        await stopped.promise;
      }
      const frames = await assertComplete(rt, path, context);
      assert.equal(frames, breakAfter, `${context}: the frames before the error`);
    });
  });
}

Deno.test("A writer restarted after its own error (onError restart) records to take-1.mp4 and keeps take.mp4 intact", async () => {
  const draw = random(4);
  await withTempDir(async (dir) => {
    const path = `${dir}/take.mp4`;
    const rt = createRuntime();
    const tone = rt.add(TestToneGenerator, { frequency: 440 }, { id: "tone" });
    // Tone blocks are 10 ms: the writer fails at a random block between 0.3 s and 0.8 s.
    const switchAt = draw(30, 80);
    const relay = rt.add(rateSwitchNode, { switchAt }, { id: "relay" });
    const writer = rt.add(Mp4Writer, { path }, { id: "writer", onError: "restart" });
    rt.connect(tone.outputs.audio, relay.inputs.in, { policy: "fifo", capacity: 16 });
    rt.connect(relay.outputs.out, writer.inputs.audio, { policy: "fifo", capacity: 16 });
    const context = `seed ${SEED}, the writer fails at block ${switchAt}`;
    await rt.start();
    const deadline = Date.now() + 10_000;
    while (rt.stats().nodes.writer.restarts === 0 && Date.now() < deadline) await sleep(10);
    await sleep(300);
    await rt.stop();
    assert.equal(rt.stats().nodes.writer.restarts, 1, context);
    const first = await probe(path);
    const second = await probe(`${dir}/take-1.mp4`);
    for (const file of [first, second]) {
      assert.deepEqual(file.streams.map((s) => s.codec_name), ["opus"], context);
      assert.ok(Number(file.streams[0].nb_read_frames) > 0, context);
    }
    // The first file holds every block before the failing one, placed by its timestamps: the
    // media time they span (silence where the tone skipped time under load) in 20 ms Opus
    // packets, the last one padded.
    const packets = Number(first.streams[0].nb_read_frames);
    const { firstNs, endNs } = rt.stats().nodes.relay.processor as Record<string, number>;
    const spanned = Math.round(((endNs - firstNs) * 48_000) / 1e9);
    assert.ok(spanned >= switchAt * 480, `${context}: the blocks span ${spanned} samples`);
    assert.equal(packets, Math.ceil(spanned / 960), `${context}, ${spanned} samples spanned`);
    assert.equal(await decodeErrors(path), "");
    assert.equal(await decodeErrors(`${dir}/take-1.mp4`), "");
  });
});
