// SRT listeners (SrtSource, SrtSink in listener mode) against hostile datagrams and callers
// with the wrong key settings (ffmpeg's libsrt), then a proper caller that must still connect
// and stream: no datagram or handshake from the network may kill a listener's thread.
// Loopback only; every peer is bounded in time and killed in `finally`.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createRuntime, Mp4Writer, SrtSink, SrtSource } from "../../processors/mod.ts";
import { encodedPattern, stopIfRunning } from "./_graph.ts";
import { freePort, probeVideo, sleep, startPeer, waitFor } from "./_peers.ts";

type Custom = Record<string, number>;

/** An SRT handshake (16-byte header, 48-byte body) of `shake` type with `extensions` after it. */
function handshake(shake: number, flags: number, extensions: number[][]): Uint8Array {
  const bytes = new Uint8Array(64 + extensions.reduce((n, e) => n + e.length, 0));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x8000_0000); // control packet, type 0: handshake
  view.setUint32(16, 5); // HSv5
  view.setUint32(20, flags); // encryption field and extension flags
  view.setUint32(24, 1234); // initial sequence number
  view.setUint32(28, 1500); // MTU
  view.setUint32(32, 8192); // flow window
  view.setInt32(36, shake); // 1 induction, -1 conclusion
  view.setUint32(40, 0x1234); // socket id
  let at = 64;
  for (const extension of extensions) {
    bytes.set(extension, at);
    at += extension.length;
  }
  return bytes;
}

/** Datagrams that panicked `srt-protocol` (the first is the 72-byte one of issue 32) or are malformed. */
const HOSTILE: readonly Uint8Array[] = [
  handshake(-1, 4, [[0, 6, 0, 1, 0x65, 0x76, 0x69, 0x6c]]), // congestion "live": 72 bytes
  handshake(-1, 4, [[0, 6, 0, 0]]), // congestion, empty
  handshake(-1, 4, [[0, 5, 0, 0]]), // stream id, empty
  handshake(-1, 4, [[0, 7, 0, 1, 0x63, 0x65, 0x66, 0x00]]), // packet filter
  handshake(-1, 4, [[0, 8, 0, 1, 1, 0, 0, 0]]), // group
  handshake(-1, 4, [[0, 5, 0, 9, 1, 2]]), // a block past the end
  handshake(1, 0, [[0, 6, 0, 1, 0x65, 0x76, 0x69, 0x6c]]), // induction with an extension
  new Uint8Array([0x80, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 9]), // ACK, short
  new Uint8Array([0x80]),
  new Uint8Array(0),
];

async function sendHostile(port: number): Promise<void> {
  const socket = createSocket("udp4");
  try {
    for (const datagram of HOSTILE) {
      await new Promise<void>((resolve, reject) =>
        socket.send(datagram, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
      );
    }
  } finally {
    socket.close();
  }
}

function ffmpegCaller(port: number, query: string, frames: number) {
  return startPeer("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=160x120:rate=30",
    "-frames:v",
    String(frames),
    "-c:v",
    "libx264",
    // No lookahead: every frame leaves as it is encoded, not as a burst at the end, and linger
    // makes libsrt send what it holds before it closes (live mode's default is to drop it, which
    // on a loaded machine lost the last 11 frames: CI, 2026-11-27).
    "-tune",
    "zerolatency",
    "-g",
    "15",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "mpegts",
    `srt://127.0.0.1:${port}?mode=caller&connect_timeout=10000&linger=5${query}`,
  ]);
}

/**
 * Sends the hostile datagrams until the listener has counted `atLeast` peer errors: on a loaded
 * machine the listener may bind its port after the first burst, whose datagrams are then lost.
 */
async function hostileUntilCounted(
  port: number,
  counted: () => number,
  atLeast: number,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (counted() < atLeast) {
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after 30000 ms: ${counted()} peer errors counted, expected ${atLeast}`,
      );
    }
    await sendHostile(port);
    await sleep(500);
  }
}

/** A caller whose key settings the listener must refuse: ffmpeg fails to connect. */
async function refusedCaller(port: number, query: string): Promise<void> {
  const caller = ffmpegCaller(port, query, 30);
  try {
    const status = await caller.exited(15_000);
    assert.notEqual(status.code, 0, `a caller with ${query} was not refused`);
  } finally {
    await caller.kill();
  }
}

async function sourceSurvives(
  config: { passphrase?: string; keyLength?: "aes-128" | "aes-256" },
  badCallers: string[],
  goodCaller: string,
): Promise<Custom> {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const rt = createRuntime({ workers: false });
  const srt = rt.add(SrtSource, { port, mode: "listener", ...config }, { id: "srt" });
  const writer = rt.add(Mp4Writer, { path: `${dir}/out.mp4` }, { id: "writer" });
  rt.connect(srt.outputs.video, writer.inputs.video);
  await rt.start();
  try {
    await hostileUntilCounted(
      port,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).peerErrors ?? 0,
      4,
    );
    for (const query of badCallers) await refusedCaller(port, query);
    await sendHostile(port);
    const caller = ffmpegCaller(port, goodCaller, 60);
    const status = await caller.exited(20_000);
    assert.equal(status.code, 0, caller.stderr());
    await waitFor(
      "the caller's disconnect",
      20_000,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).disconnects === 1,
    );
    await sleep(200); // the last access units reach the writer
    const node = rt.stats().nodes.srt;
    assert.equal(node.state, "running");
    await rt.stop();
    const custom = node.processor as unknown as Custom;
    assert.equal(custom.failed, 0);
    assert.equal(custom.connections, 1);
    // Every access unit reaches the node; on a loaded machine the first keyframe's packets can
    // come too late for TSBPD, and the node then starts at the next one (15 frames on, counted
    // as dropped), which is what a decoder needs.
    const arrived = custom.frames + custom.framesDropped;
    assert.ok(
      arrived >= 50 && custom.frames >= 30,
      `received ${custom.frames} of 60 (${arrived} with those dropped): ${JSON.stringify(custom)}`,
    );
    const probe = await probeVideo(`${dir}/out.mp4`);
    assert.equal(probe.codec, "h264");
    assert.equal(probe.frames, custom.frames);
    return custom;
  } finally {
    await stopIfRunning(rt);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SrtSource listener survives hostile datagrams and an encrypted caller, then streams", async () => {
  const custom = await sourceSurvives({}, ["&passphrase=0123456789abcdef"], "");
  // 2 x 4 datagrams that do not parse (the others parse with their bad extension left out)
  // and the encrypted caller's refused conclusions.
  assert.ok(custom.peerErrors >= 9, `peer errors ${custom.peerErrors}`);
});

Deno.test("SrtSource listener with a passphrase refuses wrong key lengths and takes a libsrt caller without pbkeylen", async () => {
  const passphrase = "0123456789abcdef";
  await sourceSurvives(
    { passphrase, keyLength: "aes-128" },
    [
      `&passphrase=${passphrase}&pbkeylen=32`, // key length mismatch
      `&passphrase=${passphrase}&pbkeylen=24`,
      "", // a plain caller to an encrypted listener
      "&passphrase=another-passphrase&pbkeylen=16",
    ],
    `&passphrase=${passphrase}`, // libsrt's default key length (AES-128)
  );
});

Deno.test("SrtSink listener survives hostile datagrams and a caller with a bad key, then serves ffmpeg", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("udp");
  const passphrase = "0123456789abcdef";
  const rt = createRuntime({ workers: false });
  const srt = rt.add(
    SrtSink,
    { host: "127.0.0.1", port, mode: "listener", latencyMs: 200, passphrase },
    { id: "srt" },
  );
  encodedPattern(rt, srt.inputs.video);
  await rt.start();
  const receiver = (query: string, seconds: number) =>
    startPeer("ffmpeg", [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-t",
      String(seconds),
      "-i",
      `srt://127.0.0.1:${port}?mode=caller&latency=200000&connect_timeout=10000${query}`,
      "-c",
      "copy",
      `${dir}/out.ts`,
    ]);
  try {
    await hostileUntilCounted(
      port,
      () => (rt.stats().nodes.srt.processor as unknown as Custom).peerErrors ?? 0,
      4,
    );
    for (const query of [`&passphrase=${passphrase}&pbkeylen=32`, ""]) {
      const bad = receiver(query, 1);
      try {
        const status = await bad.exited(15_000);
        assert.notEqual(status.code, 0, `a caller with '${query}' was not refused`);
      } finally {
        await bad.kill();
      }
    }
    await sendHostile(port);
    const good = receiver(`&passphrase=${passphrase}&pbkeylen=16`, 2);
    try {
      const status = await good.exited(15_000);
      assert.equal(status.code, 0, good.stderr());
    } finally {
      await good.kill();
    }
    const custom = rt.stats().nodes.srt.processor as unknown as Custom;
    assert.equal(rt.stats().nodes.srt.state, "running");
    assert.equal(custom.failed, 0);
    assert.equal(custom.connections, 1);
    assert.ok(custom.peerErrors >= 8, `peer errors ${custom.peerErrors}`);
    const probe = await probeVideo(`${dir}/out.ts`);
    assert.equal(probe.codec, "h264");
    assert.ok(probe.frames >= 50 && probe.frames <= 61, `frames ${probe.frames}`);
  } finally {
    await stopIfRunning(rt);
    await Deno.remove(dir, { recursive: true });
  }
});
