// RtspSource against GStreamer's RTSP server (tests/network/rtsp_server.py: gst-rtsp-server,
// openh264enc, rtph264pay) over TCP and UDP, recorded with Mp4Writer and checked with ffprobe;
// the server killed and started again on the same port; hostile TCP servers; bad configs.
// Loopback only; every peer is bounded in time and killed in `finally`.
import assert from "node:assert/strict";
import { H264Decoder, Mp4Writer, NullSink, RtspSource } from "../../processors/mod.ts";
import type { AudioFrame, EncodedVideoFrame, RuntimeEvent } from "../../mod.ts";
import { createRuntime, stopIfRunning } from "./_graph.ts";
import { freePort, probeVideo, sleep, waitFor } from "./_peers.ts";

type Custom = Record<string, number>;

/** A running rtsp_server.py. */
interface Server {
  url: string;
  kill(): Promise<void>;
}

/** Starts tests/network/rtsp_server.py on `port` and waits for its ready line (`url` is /test). */
async function startServer(port: number): Promise<Server> {
  const script = new URL("./rtsp_server.py", import.meta.url).pathname;
  // The system Python: its `gi` (python3-gi) has the GStreamer bindings.
  const child = new Deno.Command("/usr/bin/python3", {
    args: [script, String(port)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await reader.cancel().catch(() => {});
    await child.status;
  };
  let text = "";
  const deadline = setTimeout(() => kill(), 10_000);
  try {
    while (!text.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`rtsp_server.py exited before it was ready: ${text}`);
      text += value;
    }
  } finally {
    clearTimeout(deadline);
  }
  return { url: `rtsp://127.0.0.1:${port}/test`, kill };
}

/** The peer events of `node` seen so far, with when they came (`performance.now()`). */
function peerEvents(rt: { on(listener: (e: RuntimeEvent) => void): unknown }, node: string) {
  const seen: { peer: string; at: number; data: Record<string, unknown> }[] = [];
  rt.on((event) => {
    if (event.type !== "node-log" || event.node !== node) return;
    const data = event.data as { peer?: string } | undefined;
    if (data?.peer) seen.push({ peer: data.peer, at: performance.now(), data });
  });
  return seen;
}

/** This process's UDP sockets connected to a peer (`ss`). */
async function udpSockets(): Promise<string[]> {
  const out = await new Deno.Command("ss", { args: ["-uanp"] }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((line) => line.startsWith("ESTAB") && line.includes(`pid=${Deno.pid},`));
}

/** Packet timestamps (dts, s) of a file's first video stream. */
async function packetTimes(path: string): Promise<number[]> {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=dts_time",
      "-of",
      "csv=p=0",
      path,
    ],
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").map(Number);
}

for (const transport of ["tcp", "udp"] as const) {
  Deno.test(`RtspSource over ${transport} records gst-rtsp-server's H.264 to an MP4 and decodes it`, async () => {
    const dir = await Deno.makeTempDir();
    const server = await startServer(await freePort("tcp"));
    const rt = createRuntime({ workers: false });
    try {
      // Over TCP by name: the host is resolved at each connection.
      const url = transport === "tcp" ? server.url.replace("127.0.0.1", "localhost") : server.url;
      const cam = rt.add(RtspSource, { url, transport }, { id: "cam" });
      const writer = rt.add(Mp4Writer, { path: `${dir}/out.mp4` }, { id: "writer" });
      const decoder = rt.add(H264Decoder, {}, { id: "decoder" });
      const sink = rt.add(NullSink, {}, { id: "sink" });
      rt.connect(cam.outputs.video, writer.inputs.video);
      rt.connect(cam.outputs.video, decoder.inputs.in);
      rt.connect(decoder.outputs.out, sink.inputs.in);
      await rt.start();
      await waitFor("the first frame", 10_000, () => rt.stats().nodes.cam.framesOut > 0);
      // RTP comes on UDP sockets of this process's (RTP and RTCP) only when asked for.
      assert.equal((await udpSockets()).length, transport === "udp" ? 2 : 0);
      await sleep(3_000);
      const nodes = rt.stats().nodes;
      await rt.stop();
      const stats = nodes.cam;
      const custom = stats.processor as unknown as Custom;
      assert.equal(nodes.decoder.framesIn, stats.framesOut, "the decoder got every frame");
      assert.equal(nodes.decoder.errors, 0);
      // A decoder may hold the last few until more input comes.
      assert.ok(
        nodes.decoder.framesOut >= nodes.decoder.framesIn - 5,
        JSON.stringify(nodes.decoder),
      );
      assert.equal(custom.connections, 1);
      assert.equal(custom.peerErrors, 0);
      assert.ok(custom.bitrate > 0, `bitrate ${custom.bitrate}`);
      const probe = await probeVideo(`${dir}/out.mp4`);
      assert.equal(probe.codec, "h264");
      assert.deepEqual([probe.width, probe.height], [320, 240]);
      // 3 s at 30 fps after the first frame, give or take the start and the stop.
      assert.ok(probe.frames >= 75 && probe.frames <= 110, `${probe.frames} frames`);
      assert.equal(probe.frames, stats.framesOut);
      const times = await packetTimes(`${dir}/out.mp4`);
      for (let i = 1; i < times.length; i++) {
        assert.ok(times[i] > times[i - 1], `dts ${times[i - 1]} then ${times[i]} at ${i}`);
      }
      const span = times.at(-1)! - times[0];
      assert.ok(
        Math.abs(span - (times.length - 1) / 30) < 0.2,
        `${times.length} frames in ${span} s`,
      );
    } finally {
      await stopIfRunning(rt);
      await server.kill();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("RtspSource plays gst-rtsp-server's H.265 as h265 access units an HEVC parser reads", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(await freePort("tcp"));
  const rt = createRuntime({ workers: false });
  try {
    const cam = rt.add(RtspSource, { url: server.url.replace("/test", "/h265") }, { id: "cam" });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(cam.outputs.video, sink.inputs.in);
    const units: { data: Uint8Array; codec: string; keyframe: boolean }[] = [];
    using _probe = rt.probe("cam.video", (sample) => {
      const frame = sample.frame as EncodedVideoFrame;
      units.push({ data: frame.data.slice(), codec: frame.codec, keyframe: frame.keyframe });
    }, { everyFrame: true });
    await rt.start();
    await waitFor("60 access units", 15_000, () => units.length >= 60);
    await rt.stop();
    assert.ok(units.every((u) => u.codec === "h265"), "every unit is labelled h265");
    assert.ok(units[0].keyframe, "the stream starts at a keyframe");
    // The first keyframe carries VPS (type 32), SPS (33) and PPS (34) in Annex B.
    const types = new Set<number>();
    const first = units[0].data;
    for (let i = 0; i + 4 < first.length; i++) {
      if (first[i] === 0 && first[i + 1] === 0 && first[i + 2] === 1) {
        types.add((first[i + 3] >> 1) & 0x3f);
      }
    }
    for (const t of [32, 33, 34]) assert.ok(types.has(t), `NAL type ${t} in ${[...types]}`);
    const path = `${dir}/out.h265`;
    const all = new Uint8Array(units.reduce((n, u) => n + u.data.length, 0));
    let at = 0;
    for (const u of units) all.set(u.data, (at += u.data.length) - u.data.length);
    await Deno.writeFile(path, all);
    const probe = await probeVideo(path);
    assert.equal(probe.codec, "hevc");
    assert.deepEqual([probe.width, probe.height], [320, 240]);
    assert.equal(probe.frames, units.length);
  } finally {
    await stopIfRunning(rt);
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

for (
  const [mount, rate, channels] of [["aac", 48_000, 2], ["pcma", 8_000, 1]] as const
) {
  Deno.test(`RtspSource decodes gst-rtsp-server's ${mount} audio beside the video`, async () => {
    const server = await startServer(await freePort("tcp"));
    const rt = createRuntime({ workers: false });
    try {
      const url = server.url.replace("/test", `/${mount}`);
      const cam = rt.add(RtspSource, { url }, { id: "cam" });
      const video = rt.add(NullSink, {}, { id: "video" });
      const audio = rt.add(NullSink, {}, { id: "audio" });
      rt.connect(cam.outputs.video, video.inputs.in);
      rt.connect(cam.outputs.audio, audio.inputs.in);
      const blocks: { rate: number; channels: number; samples: Float32Array; ts: number }[] = [];
      using _probe = rt.probe("cam.audio", (sample) => {
        const frame = sample.frame as AudioFrame;
        blocks.push({
          rate: frame.sampleRate,
          channels: frame.channels,
          samples: frame.samples.slice(),
          ts: frame.timestampNs,
        });
      }, { everyFrame: true });
      await rt.start();
      await waitFor(
        "1.5 s of audio",
        15_000,
        () => blocks.reduce((n, b) => n + b.samples.length / b.channels, 0) >= 1.5 * rate,
      );
      const nodes = rt.stats().nodes;
      await rt.stop();
      assert.ok(nodes.cam.framesOut > 0, "video came too");
      assert.ok(blocks.every((b) => b.rate === rate && b.channels === channels));
      // The first channel, skipping the first 0.25 s (the encoder's start): a 440 Hz sine at
      // half scale. Frequency from zero crossings, level from RMS.
      const mono: number[] = [];
      for (const b of blocks) {
        for (let i = 0; i < b.samples.length; i += b.channels) mono.push(b.samples[i]);
      }
      const tail = mono.slice(Math.round(0.25 * rate));
      let crossings = 0;
      for (let i = 1; i < tail.length; i++) {
        if ((tail[i - 1] < 0) !== (tail[i] < 0)) crossings++;
      }
      const hz = crossings / 2 / (tail.length / rate);
      assert.ok(Math.abs(hz - 440) < 15, `${hz.toFixed(1)} Hz`);
      const rms = Math.sqrt(tail.reduce((s, x) => s + x * x, 0) / tail.length);
      assert.ok(rms > 0.25 && rms < 0.45, `rms ${rms.toFixed(3)} (0.354 for a half-scale sine)`);
      for (let i = 1; i < blocks.length; i++) {
        assert.ok(blocks[i].ts > blocks[i - 1].ts, `timestamps rise at block ${i}`);
      }
    } finally {
      await stopIfRunning(rt);
      await server.kill();
    }
  });
}

Deno.test("RtspSource: the server killed and started again: disconnected, retrying, reconnected", async () => {
  const port = await freePort("tcp");
  let server = await startServer(port);
  const rt = createRuntime({ workers: false });
  const seen = peerEvents(rt, "cam");
  try {
    const cam = rt.add(RtspSource, { url: server.url, idleTimeoutMs: 1_000 }, { id: "cam" });
    const sink = rt.add(NullSink, {}, { id: "sink" });
    rt.connect(cam.outputs.video, sink.inputs.in);
    await rt.start();
    await waitFor("connected", 10_000, () => seen.some((e) => e.peer === "connected"));
    await sleep(1_000);
    const before = rt.stats().nodes.cam.framesOut;
    await server.kill();
    await waitFor("disconnected", 5_000, () => seen.some((e) => e.peer === "disconnected"));
    await waitFor("retrying", 5_000, () => seen.some((e) => e.peer === "retrying"));
    const restartAt = performance.now();
    server = await startServer(port);
    const readyMs = performance.now() - restartAt;
    await waitFor("reconnected", 10_000, () => seen.some((e) => e.peer === "reconnected"));
    const afterReconnect = rt.stats().nodes.cam.framesOut;
    await waitFor("frames again", 5_000, () => rt.stats().nodes.cam.framesOut > afterReconnect);
    const frameMs = performance.now() - restartAt;
    const reconnectMs = seen.find((e) => e.peer === "reconnected")!.at - restartAt;
    console.log(
      `RtspSource: server ready ${readyMs.toFixed(0)} ms after its restart, reconnected after ` +
        `${reconnectMs.toFixed(0)} ms, first frame after ${frameMs.toFixed(0)} ms`,
    );
    const stats = rt.stats().nodes.cam;
    await rt.stop();
    assert.deepEqual(seen.map((e) => e.peer), [
      "connected",
      "disconnected",
      "retrying",
      "reconnected",
    ]);
    assert.ok(stats.framesOut > before);
    assert.equal((stats.processor as unknown as Custom).connections, 2);
    // A server that is down refuses the connection: not the server's fault, no code.
    assert.equal(seen.find((e) => e.peer === "retrying")!.data.code, undefined);
    assert.equal((stats.processor as unknown as Custom).peerErrors, 0);
  } finally {
    await stopIfRunning(rt);
    await server.kill();
  }
});

/** A TCP server that answers each connection with `answer`, then keeps it open, silent. */
function hostileServer(port: number, answer: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      answer(conn).catch(() => {}); // the client may hang up mid-answer
    }
  })().catch(() => {});
  return {
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed by the client
        }
      }
      await accepting;
    },
  };
}

const encoder = new TextEncoder();

/** An SDP with `tracks` H.264 video tracks. */
function bigSdp(tracks: number): string {
  let sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n";
  for (let i = 0; i < tracks; i++) {
    sdp += `m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track${i}\r\n`;
  }
  return sdp;
}

const HOSTILE: Record<string, (conn: Deno.Conn) => Promise<void>> = {
  "garbage": async (conn) => {
    await conn.write(crypto.getRandomValues(new Uint8Array(4096)));
  },
  "a header line that never ends": async (conn) => {
    await conn.write(encoder.encode("RTSP/1.0 200 OK\r\nX-Long: "));
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 256; i++) await conn.write(chunk); // 16 MiB, then silence
  },
  "an SDP with 1,000 tracks, then nothing": async (conn) => {
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf); // the DESCRIBE
    const cseq = /CSeq: *(\d+)/i.exec(new TextDecoder().decode(buf.subarray(0, n ?? 0)))?.[1];
    const body = encoder.encode(bigSdp(1_000));
    await conn.write(encoder.encode(
      `RTSP/1.0 200 OK\r\nCSeq: ${cseq ?? 1}\r\nContent-Type: application/sdp\r\n` +
        `Content-Base: rtsp://127.0.0.1/x/\r\nContent-Length: ${body.length}\r\n\r\n`,
    ));
    await conn.write(body);
  },
  "nothing at all": async () => {},
};

for (const [name, answer] of Object.entries(HOSTILE)) {
  Deno.test(`RtspSource against a hostile server (${name}): retrying, no hang, stop() returns`, async () => {
    const port = await freePort("tcp");
    const server = hostileServer(port, answer);
    const rt = createRuntime({ workers: false });
    const seen = peerEvents(rt, "cam");
    try {
      const cam = rt.add(RtspSource, {
        url: `rtsp://127.0.0.1:${port}/x`,
        connectTimeoutMs: 1_000,
      }, { id: "cam" });
      const sink = rt.add(NullSink, {}, { id: "sink" });
      rt.connect(cam.outputs.video, sink.inputs.in);
      await rt.start();
      await waitFor("retrying", 8_000, () => seen.some((e) => e.peer === "retrying"));
      await sleep(1_500); // more attempts against the same server
      const stats = rt.stats().nodes.cam;
      const stopAt = performance.now();
      await rt.stop();
      const stopMs = performance.now() - stopAt;
      console.log(`RtspSource (${name}): stop() took ${stopMs.toFixed(0)} ms`);
      const custom = stats.processor as unknown as Custom;
      assert.equal(stats.framesOut, 0);
      assert.equal(custom.connections, 0);
      assert.equal(custom.failed, 0);
      assert.ok(custom.connectFailures >= 2, `${custom.connectFailures} attempts`);
      // What the server said was refused, or it did not finish within connectTimeoutMs:
      // counted, and the event has a code.
      assert.ok(custom.peerErrors >= 1, `peerErrors ${custom.peerErrors}`);
      assert.equal(seen.find((e) => e.peer === "retrying")!.data.code, "rtsp_peer_invalid");
    } finally {
      await stopIfRunning(rt);
      await server.close();
    }
  });
}

Deno.test("streamlib run with an RtspSource on a silent server exits 0 on SIGINT", async () => {
  const port = await freePort("tcp");
  const server = hostileServer(port, HOSTILE["nothing at all"]);
  const dir = await Deno.makeTempDir();
  try {
    const manifest = `${dir}/p.json`;
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({
        version: 1,
        nodes: [
          { id: "cam", type: "RtspSource", config: { url: `rtsp://127.0.0.1:${port}/x` } },
          { id: "sink", type: "NullSink" },
        ],
        connections: [{ from: "cam.video", to: "sink.in" }],
      }),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/streamlib.ts", "run", manifest],
      cwd: new URL("../../", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!/ running \|/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    await sleep(500); // an attempt is under way, the server silent
    const signalAt = performance.now();
    child.kill("SIGINT");
    for (let r = await reader.read(); !r.done; r = await reader.read()) out += r.value;
    const { code } = await child.status;
    clearTimeout(kill);
    await child.stderr.cancel().catch(() => {});
    console.log(
      `streamlib run exited ${(performance.now() - signalAt).toFixed(0)} ms after SIGINT`,
    );
    assert.equal(code, 0, out);
    assert.match(out, /stopped: .* 0 failed/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RtspSource refuses a URL that is not rtsp://host with invalid_config", () => {
  const rt = createRuntime({ workers: false });
  for (const url of ["http://127.0.0.1/cam", "rtsp://", "rtsp:///cam", "127.0.0.1:554"]) {
    assert.throws(
      () => rt.add(RtspSource, { url }),
      (error: Error & { code?: string }) => error.code === "invalid_config",
      url,
    );
  }
  assert.throws(
    () => rt.add(RtspSource, { url: "rtsp://127.0.0.1/cam", transport: "sctp" as "tcp" }),
    (error: Error & { code?: string }) => error.code === "invalid_config",
  );
});
