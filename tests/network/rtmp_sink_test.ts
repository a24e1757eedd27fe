// RtmpSink against ffmpeg's RTMP server (`-listen 1`): codec, size, frame count and bit-exact
// frames, and a server killed and restarted mid-stream. Loopback only; every peer is bounded in
// time and killed in `finally`.
import assert from "node:assert/strict";
import { RtmpSink } from "../../processors/mod.ts";
import { createRuntime, encodedPattern, frameHashes, indexOfRun, stopIfRunning } from "./_graph.ts";
import { ffmpegRtmpServer, freePort, type Peer, probeVideo, sleep, waitFor } from "./_peers.ts";

type Custom = Record<string, number>;

Deno.test("RtmpSink publishes H.264 that ffmpeg's RTMP server records frame for frame", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("tcp");
  const ffmpeg = ffmpegRtmpServer(port, `${dir}/out.flv`);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300);
    const rtmp = rt.add(RtmpSink, { url: `rtmp://127.0.0.1:${port}/live/key` }, { id: "rtmp" });
    encodedPattern(rt, rtmp.inputs.video, { referencePath: `${dir}/ref.mp4` });
    await rt.start();
    await waitFor("publishing", 5_000, () => rt.stats().nodes.rtmp.processor?.connected === 1);
    await sleep(3_000);
    // The kernel's TCP estimate (TCP_INFO), refreshed every 250 ms while publishing. On loopback
    // it is well under a millisecond on a quiet machine; the kernel's smoothed RTT includes the
    // receiver's scheduling delay, which reached 33 ms on a loaded 2-core machine, so the bound
    // only rules out a missing or misscaled figure (microseconds read as milliseconds would be
    // in the hundreds at least under that load).
    const rttMs = rt.stats().nodes.rtmp.processor?.rttMs as number | null;
    if (Deno.build.os === "linux") {
      assert.ok(rttMs !== null && rttMs > 0 && rttMs < 250, `RTT ${rttMs} ms`);
    }
    await rt.stop();
    const custom = rt.stats().nodes.rtmp.processor as unknown as Custom;
    const status = await ffmpeg.exited(10_000);
    assert.ok(status.code === 0 || status.code === 1, ffmpeg.stderr());
    const probe = await probeVideo(`${dir}/out.flv`);
    assert.equal(probe.codec, "h264");
    assert.equal(probe.width, 320);
    assert.equal(probe.height, 240);
    assert.ok(custom.frames >= 70, `sent ${custom.frames}`);
    assert.equal(probe.frames, custom.frames, "every frame sent was received and decoded");
    assert.ok(Math.abs(probe.duration - custom.frames / 30) < 0.2, `duration ${probe.duration}`);
    const received = await frameHashes(`${dir}/out.flv`);
    const reference = await frameHashes(`${dir}/ref.mp4`);
    assert.ok(indexOfRun(reference, received) >= 0, "received frames differ from the encoder's");
  } finally {
    await stopIfRunning(rt);
    await ffmpeg.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RtmpSink republishes when the server is killed and restarted; the graph never stalls", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("tcp");
  const first = ffmpegRtmpServer(port, `${dir}/first.flv`);
  let second: Peer | undefined;
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300);
    const rtmp = rt.add(RtmpSink, { url: `rtmp://127.0.0.1:${port}/live/key` }, { id: "rtmp" });
    encodedPattern(rt, rtmp.inputs.video);
    await rt.start();
    const t0 = Date.now();
    await waitFor("publishing", 5_000, () => rt.stats().nodes.rtmp.processor?.connected === 1);
    await sleep(1_500);
    await first.kill();
    await waitFor(
      "the loss to be noticed",
      8_000,
      () => (rt.stats().nodes.rtmp.processor as unknown as Custom).disconnects === 1,
    );
    await sleep(1_000); // refused connections meanwhile: retried with backoff
    second = ffmpegRtmpServer(port, `${dir}/second.flv`);
    await waitFor(
      "republishing",
      8_000,
      () => (rt.stats().nodes.rtmp.processor as unknown as Custom).connections === 2,
    );
    await sleep(2_000);
    const elapsed = (Date.now() - t0) / 1000;
    const stats = rt.stats().nodes;
    await rt.stop();
    const custom = stats.rtmp.processor as unknown as Custom;
    assert.ok(
      stats.encoder.framesOut >= 30 * elapsed * 0.85,
      `${stats.encoder.framesOut} in ${elapsed}s`,
    );
    assert.equal(stats.rtmp.framesIn, stats.encoder.framesOut);
    assert.ok(custom.framesDropped > 0, "frames while disconnected are dropped and counted");
    assert.equal(custom.frames + custom.framesDropped + custom.framesQueued, stats.rtmp.framesIn);
    assert.ok(custom.connectFailures >= 1, "the publisher retried with backoff");
    await second.exited(10_000);
    const probe = await probeVideo(`${dir}/second.flv`);
    assert.equal(probe.codec, "h264");
    assert.ok(probe.frames >= 30, `second server got ${probe.frames} frames`);
  } finally {
    await stopIfRunning(rt);
    await first.kill();
    await second?.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
