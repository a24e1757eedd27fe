// SrtSink against independent SRT implementations: ffmpeg (libsrt) as listener and as caller,
// GStreamer's srtsrc as listener, and a receiver killed and restarted mid-stream. Loopback only;
// every peer is bounded in time and killed in `finally`.
import assert from "node:assert/strict";
import { SrtSink } from "../../processors/mod.ts";
import { createRuntime, encodedPattern, frameHashes, indexOfRun, stopIfRunning } from "./_graph.ts";
import { freePort, probeVideo, sleep, startPeer, waitFor } from "./_peers.ts";

type Custom = Record<string, number>;

Deno.test("SrtSink caller sends H.264 in MPEG-TS that ffmpeg's listener records frame for frame", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const ffmpeg = startPeer("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-i",
    `srt://127.0.0.1:${port}?mode=listener`,
    "-c",
    "copy",
    `${dir}/out.ts`,
  ]);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300); // ffmpeg binds its port
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port, mode: "caller" }, { id: "srt" });
    encodedPattern(rt, srt.inputs.video, { referencePath: `${dir}/ref.mp4` });
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.srt.processor?.connected === 1);
    await sleep(3_000);
    // libsrt's receiver measures the RTT (ACK -> ACKACK) and sends it in its full ACKs; it
    // starts from 100 ms, so a loopback figure well below that was measured.
    const rttMs = rt.stats().nodes.srt.processor?.rttMs as number | null;
    assert.ok(rttMs !== null && rttMs > 0 && rttMs < 20, `RTT ${rttMs} ms`);
    console.log(`RTT from libsrt's ACKs: ${rttMs} ms`);
    await rt.stop(); // closes the SRT connection: ffmpeg finishes its file and exits
    const custom = rt.stats().nodes.srt.processor as unknown as Custom;
    assert.equal(custom.rttMs, null, "no RTT once disconnected");
    const status = await ffmpeg.exited(10_000);
    assert.ok(status.code === 0 || status.code === 1, ffmpeg.stderr());
    const probe = await probeVideo(`${dir}/out.ts`);
    assert.equal(probe.codec, "h264");
    assert.equal(probe.width, 320);
    assert.equal(probe.height, 240);
    assert.ok(custom.frames >= 70, `sent ${custom.frames}`);
    assert.equal(probe.frames, custom.frames, "every frame sent was received and decoded");
    assert.ok(Math.abs(probe.duration - custom.frames / 30) < 0.2, `duration ${probe.duration}`);
    assert.equal(custom.connections, 1);
    assert.ok(custom.bytes > 0 && custom.packets > 0);
    // Bit-exact: the decoded frames are a contiguous run of the encoder's (PSNR infinite).
    const received = await frameHashes(`${dir}/out.ts`);
    const reference = await frameHashes(`${dir}/ref.mp4`);
    assert.ok(indexOfRun(reference, received) >= 0, "received frames differ from the encoder's");
  } finally {
    await stopIfRunning(rt);
    await ffmpeg.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink listener serves ffmpeg as the caller", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const rt = createRuntime({ workers: false });
  const srt = rt.add(SrtSink, { host: "127.0.0.1", port, mode: "listener", latencyMs: 200 }, {
    id: "srt",
  });
  encodedPattern(rt, srt.inputs.video);
  await rt.start();
  const ffmpeg = startPeer("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-t",
    "2",
    "-i",
    `srt://127.0.0.1:${port}?mode=caller&latency=200000`,
    "-c",
    "copy",
    `${dir}/out.ts`,
  ]);
  try {
    const status = await ffmpeg.exited(15_000);
    assert.equal(status.code, 0, ffmpeg.stderr());
    const custom = rt.stats().nodes.srt.processor as unknown as Custom;
    assert.equal(custom.connections, 1);
    const probe = await probeVideo(`${dir}/out.ts`);
    assert.equal(probe.codec, "h264");
    assert.ok(probe.frames >= 50 && probe.frames <= 61, `frames ${probe.frames}`);
  } finally {
    await ffmpeg.kill();
    await stopIfRunning(rt);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink feeds GStreamer's srtsrc, tsdemux and h264parse", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const gst = startPeer("gst-launch-1.0", [
    "-e",
    "-q",
    "srtsrc",
    `uri=srt://127.0.0.1:${port}?mode=listener`,
    "!",
    "tsdemux",
    "!",
    "h264parse",
    "!",
    "video/x-h264,stream-format=byte-stream",
    "!",
    "filesink",
    `location=${dir}/out.h264`,
  ]);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(500);
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port }, { id: "srt" });
    encodedPattern(rt, srt.inputs.video, { referencePath: `${dir}/ref.mp4` });
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.srt.processor?.connected === 1);
    await sleep(2_500);
    await rt.stop();
    const sent = (rt.stats().nodes.srt.processor as unknown as Custom).frames;
    await sleep(500);
    await gst.kill("SIGINT"); // -e: EOS, so filesink flushes
    const probe = await probeVideo(`${dir}/out.h264`);
    assert.equal(probe.codec, "h264");
    assert.equal(probe.width, 320);
    // gst may still hold the last access unit (h264parse emits one when the next begins).
    assert.ok(probe.frames >= sent - 1 && probe.frames <= sent, `${probe.frames} of ${sent}`);
    const received = await frameHashes(`${dir}/out.h264`);
    const reference = await frameHashes(`${dir}/ref.mp4`);
    assert.ok(indexOfRun(reference, received) >= 0, "received frames differ from the encoder's");
  } finally {
    await stopIfRunning(rt);
    await gst.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink reconnects when the receiver is killed and restarted; the graph never stalls", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const listen = (name: string) =>
    startPeer("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-i",
      `srt://127.0.0.1:${port}?mode=listener`,
      "-c",
      "copy",
      `${dir}/${name}`,
    ]);
  const first = listen("first.ts");
  let second: ReturnType<typeof listen> | undefined;
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300);
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port, idleTimeoutMs: 1_500 }, { id: "srt" });
    encodedPattern(rt, srt.inputs.video);
    await rt.start();
    const t0 = Date.now();
    await waitFor(
      "the first connection",
      5_000,
      () => rt.stats().nodes.srt.processor?.connected === 1,
    );
    await sleep(1_500);
    await first.kill(); // SIGKILL: no SRT shutdown reaches us, only silence
    await waitFor(
      "the loss to be noticed",
      8_000,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).disconnects === 1,
    );
    await sleep(3_500); // longer than a connection attempt (3 s): at least one fails
    second = listen("second.ts");
    await waitFor(
      "the reconnection",
      8_000,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).connections === 2,
    );
    await sleep(2_000);
    const elapsed = (Date.now() - t0) / 1000;
    const stats = rt.stats().nodes;
    await rt.stop();
    const custom = stats.srt.processor as unknown as Custom;
    // The graph kept its pace throughout: the pattern and the encoder ran at 30 fps.
    assert.ok(
      stats.encoder.framesOut >= 30 * elapsed * 0.85,
      `${stats.encoder.framesOut} in ${elapsed}s`,
    );
    assert.equal(stats.srt.framesIn, stats.encoder.framesOut);
    assert.ok(custom.framesDropped > 0, "frames while disconnected are dropped and counted");
    assert.equal(custom.frames + custom.framesDropped + custom.framesQueued, stats.srt.framesIn);
    assert.ok(custom.connectFailures >= 1, "the caller retried with backoff");
    const status = await second.exited(10_000);
    assert.ok(status.code === 0 || status.code === 1, second.stderr());
    const probe = await probeVideo(`${dir}/second.ts`);
    assert.equal(probe.codec, "h264");
    assert.ok(probe.frames >= 30, `second receiver got ${probe.frames} frames`);
  } finally {
    await stopIfRunning(rt);
    await first.kill();
    await second?.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink encrypts with a passphrase ffmpeg's listener decrypts (AES-128)", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const passphrase = "streamlib-secret-1";
  const ffmpeg = startPeer("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-i",
    `srt://127.0.0.1:${port}?mode=listener&passphrase=${passphrase}&pbkeylen=16`,
    "-c",
    "copy",
    `${dir}/out.ts`,
  ]);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300);
    const srt = rt.add(SrtSink, { host: "127.0.0.1", port, passphrase, keyLength: "aes-128" }, {
      id: "srt",
    });
    encodedPattern(rt, srt.inputs.video);
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.srt.processor?.connected === 1);
    await sleep(1_500);
    await rt.stop();
    const sent = (rt.stats().nodes.srt.processor as unknown as Custom).frames;
    await ffmpeg.exited(10_000);
    const probe = await probeVideo(`${dir}/out.ts`);
    assert.equal(probe.codec, "h264");
    assert.equal(probe.frames, sent);
  } finally {
    await stopIfRunning(rt);
    await ffmpeg.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
