// Audio over SRT: Opus in MPEG-TS beside H.264, against independent peers. SrtSink sends a flash
// every second on video and a beep at the same media time on audio to ffmpeg's listener (60 s,
// the A/V offset measured at every flash; the test takes about 65 s) and to GStreamer's srtsrc +
// tsdemux; SrtSource takes ffmpeg's libopus + mpegts and a crafted TS whose Opus PES are broken.
// Loopback only; every peer is bounded in time and killed in `finally`.
import assert from "node:assert/strict";
import { createRuntime, H264Encoder, Mp4Writer, SrtSink, SrtSource } from "../../processors/mod.ts";
import type { Runtime } from "../../mod.ts";
import { stopIfRunning } from "./_graph.ts";
import { freePort, sleep, startPeer, waitFor } from "./_peers.ts";
import { avOffsetsMs, beepSourceNode, findMarks, flashSourceNode } from "./_av_marks.ts";

type Custom = Record<string, number>;

/** Seconds the long A/V test streams (AV_SRT_SECONDS to shorten it by hand). */
const SECONDS = Number(Deno.env.get("AV_SRT_SECONDS") ?? 60);

/** The streams of a file, by ffprobe. */
async function probeStreams(path: string): Promise<Record<string, Record<string, string>>> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      ..."-v error -show_entries stream=codec_type,codec_name,sample_rate,channels,start_time,duration"
        .split(" "),
      "-of",
      "json",
      path,
    ],
  }).output();
  assert.ok(out.success, `ffprobe ${path}: ${new TextDecoder().decode(out.stderr)}`);
  const streams: Record<string, Record<string, string>> = {};
  for (const s of JSON.parse(new TextDecoder().decode(out.stdout)).streams) {
    streams[s.codec_type] = s;
  }
  return streams;
}

/** Flashes (encoded, 2 keyframes a second) into the sink `sink`'s video and beeps into its audio. */
function marks(rt: Runtime, sink: string) {
  rt.add(flashSourceNode, {}, { id: "flash" });
  rt.add(H264Encoder, { backend: "openh264", keyframeInterval: 15, bitrate: 200_000, fps: 30 }, {
    id: "encoder",
  });
  rt.add(beepSourceNode, {}, { id: "beep" });
  rt.connectByName("flash", "video", "encoder", "in");
  rt.connectByName("encoder", "out", sink, "video");
  rt.connectByName("beep", "audio", sink, "audio");
}

/** Offsets in ms, summarized for the log. */
function summary(offsets: number[]): string {
  const mean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
  const [min, max] = [Math.min(...offsets), Math.max(...offsets)];
  return `${offsets.length} flashes: beep - flash mean ${mean.toFixed(1)} ms, min ${
    min.toFixed(1)
  }, max ${max.toFixed(1)}`;
}

Deno.test(`SrtSink sends H.264 + Opus to ffmpeg's listener; beeps stay within 40 ms of flashes over ${SECONDS} s`, async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const ffmpeg = startPeer("ffmpeg", [
    ..."-hide_banner -loglevel error -y -i".split(" "),
    `srt://127.0.0.1:${port}?mode=listener`,
    ..."-map 0 -c copy".split(" "),
    `${dir}/out.ts`,
  ]);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(300); // ffmpeg binds its port
    rt.add(SrtSink, { host: "127.0.0.1", port, mode: "caller" }, { id: "srt" });
    marks(rt, "srt");
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.srt.processor?.connected === 1);
    await sleep(SECONDS * 1_000);
    await rt.stop(); // closes the connection: ffmpeg finishes its file and exits
    const custom = rt.stats().nodes.srt.processor as unknown as Custom;
    const status = await ffmpeg.exited(10_000);
    assert.ok(status.code === 0 || status.code === 1, ffmpeg.stderr());
    const streams = await probeStreams(`${dir}/out.ts`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus");
    assert.equal(streams.audio.sample_rate, "48000");
    assert.equal(Number(streams.audio.channels), 2);
    // Every 20 ms of the source's audio became an Opus packet (the last partial one is held at
    // stop()). The source starts on a whole second of the clock and skips blocks it is late for
    // (the sink pads the gaps), so over the run that is 50 a second less up to the second it
    // waited and what a loaded machine made it skip.
    const sourceBlocks = rt.stats().nodes.beep.framesOut;
    const fromSource = Math.floor((sourceBlocks * 480) / 960);
    const packets = `${custom.audioPackets} Opus packets for ${sourceBlocks} blocks of 480`;
    assert.ok(custom.audioPackets >= fromSource - 1, packets);
    assert.ok(custom.audioPackets >= (SECONDS - 2) * 50, packets);
    assert.equal(custom.framesDropped, 0);
    const offsets = avOffsetsMs(await findMarks(`${dir}/out.ts`));
    console.log(
      `ffmpeg listener, ${SECONDS} s: ${summary(offsets)}; ${custom.audioGaps} gaps in the ` +
        `source's audio padded`,
    );
    assert.ok(offsets.length >= SECONDS - 3, `${offsets.length} flashes matched to a beep`);
    for (const offset of offsets) assert.ok(Math.abs(offset) < 40, summary(offsets));
  } finally {
    await stopIfRunning(rt);
    await ffmpeg.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink feeds GStreamer's srtsrc and tsdemux both streams; beeps within 40 ms of flashes", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const gst = startPeer("gst-launch-1.0", [
    "-e",
    "-q",
    "srtsrc",
    `uri=srt://127.0.0.1:${port}?mode=listener`,
    ..."! tsdemux name=d d. ! queue ! h264parse ! queue ! mux. d. ! queue ! opusparse ! queue ! mux."
      .split(" "),
    ..."matroskamux name=mux ! filesink".split(" "),
    `location=${dir}/out.mkv`,
  ]);
  const rt = createRuntime({ workers: false });
  try {
    await sleep(500);
    rt.add(SrtSink, { host: "127.0.0.1", port }, { id: "srt" });
    marks(rt, "srt");
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.srt.processor?.connected === 1);
    await sleep(6_000);
    await rt.stop();
    await sleep(500);
    await gst.kill("SIGINT"); // -e: EOS, so matroskamux finishes the file
    const streams = await probeStreams(`${dir}/out.mkv`);
    assert.equal(streams.video?.codec_name, "h264", gst.stderr());
    assert.equal(streams.audio?.codec_name, "opus");
    assert.equal(Number(streams.audio.channels), 2);
    const offsets = avOffsetsMs(await findMarks(`${dir}/out.mkv`));
    console.log(`GStreamer tsdemux: ${summary(offsets)}`);
    assert.ok(offsets.length >= 4, `${offsets.length} flashes matched to a beep`);
    for (const offset of offsets) assert.ok(Math.abs(offset) < 40, summary(offsets));
  } finally {
    await stopIfRunning(rt);
    await gst.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

/** SrtSource (listener) → Mp4Writer with video and audio, while `send` sends; the node stats. */
async function receive(port: number, path: string, send: () => ReturnType<typeof startPeer>) {
  const rt = createRuntime({ workers: false });
  const errors: string[] = [];
  rt.on((event) => {
    if (event.type === "node-error") errors.push(`${event.node}: ${event.message}`);
  });
  const srt = rt.add(SrtSource, { port, mode: "listener" }, { id: "srt" });
  const writer = rt.add(Mp4Writer, { path }, { id: "writer" });
  rt.connect(srt.outputs.video, writer.inputs.video);
  rt.connect(srt.outputs.audio, writer.inputs.audio);
  await rt.start();
  const sender = send();
  try {
    const status = await sender.exited(20_000);
    assert.equal(status.code, 0, sender.stderr());
    await waitFor(
      "the sender's disconnect",
      8_000,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).disconnects === 1,
    );
    await sleep(200);
    const stats = rt.stats().nodes;
    await rt.stop();
    assert.deepEqual(errors, []);
    return stats;
  } finally {
    await sender.kill();
    await stopIfRunning(rt);
  }
}

/** lavfi sources: black video with a white frame at every whole second, a beep at each. */
const LAVFI_MARKS = [
  "-f",
  "lavfi",
  "-i",
  "color=c=black:s=160x120:r=30,format=yuv420p,geq=lum='if(lt(mod(N,30),1),235,16)':cb=128:cr=128",
  "-f",
  "lavfi",
  "-i",
  "aevalsrc='if(lt(mod(t,1),0.1),0.5*sin(2*PI*1000*t),0)|if(lt(mod(t,1),0.1),0.5*sin(2*PI*1000*t),0)':s=48000",
];

Deno.test("SrtSource takes ffmpeg's libopus in mpegts: video and audio recorded, in step", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  try {
    const stats = await receive(port, `${dir}/out.mp4`, () =>
      startPeer("ffmpeg", [
        ..."-hide_banner -loglevel error -re".split(" "),
        ...LAVFI_MARKS,
        ..."-t 5 -c:v libx264 -tune zerolatency -g 15 -bf 0 -c:a libopus -b:a 64k -f mpegts"
          .split(" "),
        `srt://127.0.0.1:${port}?mode=caller`,
      ]));
    const custom = stats.srt.processor as unknown as Custom;
    assert.equal(custom.peerErrors, 0);
    assert.equal(custom.audioErrors, 0);
    assert.ok(custom.audioFrames >= 200, `${custom.audioFrames} Opus packets decoded`);
    const streams = await probeStreams(`${dir}/out.mp4`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus");
    assert.equal(streams.audio.sample_rate, "48000");
    const offsets = avOffsetsMs(await findMarks(`${dir}/out.mp4`));
    console.log(`ffmpeg → SrtSource → Mp4Writer: ${summary(offsets)}`);
    assert.ok(offsets.length >= 3, `${offsets.length} flashes matched to a beep`);
    for (const offset of offsets) assert.ok(Math.abs(offset) < 40, summary(offsets));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSink to SrtSource on loopback: Mp4Writer records both streams, beeps within 40 ms of flashes", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const rt = createRuntime({ workers: false });
  try {
    const source = rt.add(SrtSource, { port, mode: "listener" }, { id: "rx" });
    const writer = rt.add(Mp4Writer, { path: `${dir}/out.mp4` }, { id: "writer" });
    rt.connect(source.outputs.video, writer.inputs.video);
    rt.connect(source.outputs.audio, writer.inputs.audio);
    rt.add(SrtSink, { host: "127.0.0.1", port, mode: "caller" }, { id: "srt" });
    marks(rt, "srt");
    await rt.start();
    await waitFor("a connection", 5_000, () => rt.stats().nodes.rx.processor?.connected === 1);
    await sleep(5_000);
    await rt.stop();
    const rx = rt.stats().nodes.rx.processor as unknown as Custom;
    const tx = rt.stats().nodes.srt.processor as unknown as Custom;
    assert.equal(rx.peerErrors, 0);
    assert.equal(rx.audioErrors, 0);
    // 5 s of 20 ms packets; those queued before the connection's first keyframe are dropped by
    // the sender, those in flight when the graph stopped never arrive.
    assert.ok(rx.audioFrames >= 200, `${rx.audioFrames} decoded of ${tx.audioPackets} queued`);
    const streams = await probeStreams(`${dir}/out.mp4`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus");
    const offsets = avOffsetsMs(await findMarks(`${dir}/out.mp4`));
    console.log(`SrtSink → SrtSource → Mp4Writer: ${summary(offsets)}`);
    assert.ok(offsets.length >= 3, `${offsets.length} flashes matched to a beep`);
    for (const offset of offsets) assert.ok(Math.abs(offset) < 40, summary(offsets));
  } finally {
    await stopIfRunning(rt);
    await Deno.remove(dir, { recursive: true });
  }
});

/** The TS packets of `pid` that start a PES, as offsets of their PES payload in `ts`. */
function pesPayloads(ts: Uint8Array, pid: number): number[] {
  const starts: number[] = [];
  for (let at = 0; at + 188 <= ts.length; at += 188) {
    const packetPid = ((ts[at + 1] & 0x1f) << 8) | ts[at + 2];
    const unitStart = (ts[at + 1] & 0x40) !== 0;
    if (packetPid !== pid || !unitStart) continue;
    let pes = at + 4;
    if ((ts[at + 3] & 0x20) !== 0) pes += 1 + ts[at + 4]; // adaptation field
    starts.push(pes + 9 + ts[pes + 8]); // PES header and its optional fields
  }
  return starts;
}

/**
 * Records what `srt-live-transmit` sends from `ts` (paced over 3 s) with `SrtSource` into
 * `dir/out.mp4`, in a runtime of its own; returns the source's counters once stopped and the node
 * errors seen.
 */
async function recordCraftedTs(
  ts: Uint8Array,
  port: number,
  dir: string,
): Promise<{ custom: Custom; errors: string[] }> {
  const rt = createRuntime({ workers: false });
  const errors: string[] = [];
  rt.on((event) => {
    if (event.type === "node-error") errors.push(`${event.node}: ${event.message}`);
  });
  const srt = rt.add(SrtSource, { port, mode: "listener" }, { id: "srt" });
  const writer = rt.add(Mp4Writer, { path: `${dir}/out.mp4` }, { id: "writer" });
  rt.connect(srt.outputs.video, writer.inputs.video);
  rt.connect(srt.outputs.audio, writer.inputs.audio);
  await rt.start();
  // srt-live-transmit reads stdin only from a pipe (it polls it).
  const sender = new Deno.Command("srt-live-transmit", {
    args: ["-q", "-a", "no", "file://con", `srt://127.0.0.1:${port}?mode=caller`],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const stdin = sender.stdin.getWriter();
    const piece = 1316;
    const pause = 3_000 / Math.ceil(ts.length / piece);
    for (let at = 0; at < ts.length; at += piece) {
      await stdin.write(ts.subarray(at, at + piece));
      await sleep(pause);
    }
    await stdin.close();
    await sleep(600); // delivered one latency after it was sent
    const custom = rt.stats().nodes.srt.processor as unknown as Custom;
    await rt.stop();
    return { custom, errors };
  } finally {
    try {
      sender.kill("SIGINT");
    } catch { /* exited */ }
    await sender.status;
    await stopIfRunning(rt);
  }
}

Deno.test("SrtSource survives Opus PES with broken control headers and garbage packets: counted, not fatal", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const made = await new Deno.Command("ffmpeg", {
    args: [
      ..."-v error".split(" "),
      ...LAVFI_MARKS,
      ..."-t 3 -c:v libx264 -g 15 -bf 0 -c:a libopus -f mpegts".split(" "),
      `${dir}/good.ts`,
    ],
  }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const ts = await Deno.readFile(`${dir}/good.ts`);
  const payloads = pesPayloads(ts, 0x101); // ffmpeg's first audio PID
  assert.ok(payloads.length >= 20, `${payloads.length} Opus PES`); // ffmpeg puts ~5 packets in one
  let brokenHeaders = 0;
  payloads.forEach((at, i) => {
    assert.deepEqual([ts[at], ts[at + 1] & 0xe0], [0x7f, 0xe0], "an Opus control header");
    if (i % 5 === 1) {
      ts[at] = 0x12; // not a control header
      brokenHeaders++;
    } else if (i % 5 === 3) {
      // A first Opus packet whose TOC says "code 3" with a frame count of 0.
      let packet = at + 2 + ((ts[at + 1] & 0x10) ? 2 : 0);
      while (ts[packet] === 0xff) packet++;
      packet++;
      ts[packet] = 0x03;
      ts[packet + 1] = 0x00;
      brokenHeaders++;
    }
  });
  try {
    const { custom, errors } = await recordCraftedTs(ts, port, dir);
    assert.deepEqual(errors, []);
    console.log(
      `${brokenHeaders} of ${payloads.length} Opus PES broken: peerErrors ${custom.peerErrors}, ` +
        `audioErrors ${custom.audioErrors}, ${custom.audioFrames} packets decoded`,
    );
    // Every broken PES but the last (held until the stream's end) is counted.
    assert.ok(
      custom.peerErrors >= brokenHeaders - 1 && custom.peerErrors <= brokenHeaders,
      `${custom.peerErrors} peer errors for ${brokenHeaders} broken PES`,
    );
    assert.ok(
      custom.audioFrames >= (payloads.length - brokenHeaders) * 0.9,
      `${custom.audioFrames}`,
    );
    const streams = await probeStreams(`${dir}/out.mp4`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSource takes ffmpeg's aac (ADTS) in mpegts: AAC decoded, video and audio recorded, in step", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  try {
    const stats = await receive(port, `${dir}/out.mp4`, () =>
      startPeer("ffmpeg", [
        ..."-hide_banner -loglevel error -re".split(" "),
        ...LAVFI_MARKS,
        ..."-t 5 -c:v libx264 -tune zerolatency -g 15 -bf 0 -c:a aac -b:a 96k -f mpegts"
          .split(" "),
        `srt://127.0.0.1:${port}?mode=caller`,
      ]));
    const custom = stats.srt.processor as unknown as Custom;
    assert.equal(custom.peerErrors, 0);
    assert.equal(custom.audioErrors, 0);
    // 5 s at 48 kHz: 234 frames of 1024 samples (those before the first keyframe are dropped).
    assert.ok(custom.audioFrames >= 200, `${custom.audioFrames} AAC frames decoded`);
    const streams = await probeStreams(`${dir}/out.mp4`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus"); // decoded, then re-encoded by the writer
    const offsets = avOffsetsMs(await findMarks(`${dir}/out.mp4`));
    console.log(`ffmpeg (aac) → SrtSource → Mp4Writer: ${summary(offsets)}`);
    assert.ok(offsets.length >= 3, `${offsets.length} flashes matched to a beep`);
    for (const offset of offsets) assert.ok(Math.abs(offset) < 40, summary(offsets));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SrtSource survives AAC PES with broken ADTS headers and garbled frames: counted, not fatal", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const made = await new Deno.Command("ffmpeg", {
    args: [
      ..."-v error".split(" "),
      ...LAVFI_MARKS,
      ..."-t 3 -c:v libx264 -g 15 -bf 0 -c:a aac -f mpegts".split(" "),
      `${dir}/good.ts`,
    ],
  }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const ts = await Deno.readFile(`${dir}/good.ts`);
  const payloads = pesPayloads(ts, 0x101); // ffmpeg's first audio PID
  // ffmpeg puts about 15 frames (a third of a second) in one PES.
  assert.ok(payloads.length >= 6, `${payloads.length} AAC PES`);
  let brokenHeaders = 0;
  let garbled = 0;
  payloads.forEach((at, i) => {
    assert.deepEqual([ts[at], ts[at + 1] & 0xf6], [0xff, 0xf0], "an ADTS sync word");
    if (i % 3 === 1) {
      ts[at] = 0x12; // no sync word: the PES's framing is broken
      brokenHeaders++;
    } else if (i % 3 === 2) {
      // The first frame says mono while its data is a stereo pair: the header is well formed,
      // the frame does not decode.
      ts[at + 3] = (ts[at + 3] & 0x3f) | 0x40;
      garbled++;
    }
  });
  try {
    const { custom, errors } = await recordCraftedTs(ts, port, dir);
    assert.deepEqual(errors, []);
    console.log(
      `${brokenHeaders} of ${payloads.length} AAC PES broken, ${garbled} garbled: peerErrors ` +
        `${custom.peerErrors}, audioErrors ${custom.audioErrors}, ${custom.audioFrames} decoded`,
    );
    // Every broken PES but the last (held until the stream's end) is counted.
    assert.ok(
      custom.peerErrors >= brokenHeaders - 1 && custom.peerErrors <= brokenHeaders,
      `${custom.peerErrors} peer errors for ${brokenHeaders} broken PES`,
    );
    // Each garbled frame fails to decode, alone (one before the first keyframe is dropped
    // unread, as is the last PES until the stream ends).
    assert.ok(
      custom.audioErrors >= 1 && custom.audioErrors <= garbled,
      `${custom.audioErrors} frames that did not decode of ${garbled} garbled`,
    );
    assert.ok(custom.audioFrames >= 40, `${custom.audioFrames}`);
    const streams = await probeStreams(`${dir}/out.mp4`);
    assert.equal(streams.video?.codec_name, "h264");
    assert.equal(streams.audio?.codec_name, "opus");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
