/**
 * A slow client never slows the pipeline: a real WebSocket client that completes the handshake,
 * asks for every preview and then never reads. The demo's sinks keep their no-client frame rate,
 * and what the server keeps for that client stays bounded.
 */

import assert from "node:assert/strict";
import { DEMO_CONNECTIONS } from "../../examples/demo_pipeline.ts";
import { Harness, until } from "./harness.ts";

const encoder = new TextEncoder();

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

/** A client-to-server WebSocket text frame (clients must mask, RFC 6455 5.3). */
function maskedTextFrame(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const length = payload.length;
  const header = length < 126
    ? [0x81, 0x80 | length]
    : [0x81, 0x80 | 126, length >> 8, length & 0xff];
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(header.length + 4 + length);
  frame.set(header);
  frame.set(mask, header.length);
  for (let i = 0; i < length; i++) frame[header.length + 4 + i] = payload[i] ^ mask[i % 4];
  return frame;
}

/**
 * Opens the event stream over a raw TCP socket: the upgrade handshake, one `watch` message, and
 * from then on not a byte read, so the server's writes pile up in the kernel and in the socket.
 */
async function stalledClient(port: number, token: string, watch: string[]): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await writeAll(
    conn,
    encoder.encode(
      `GET /api/v1/stream?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ),
  );
  let head = "";
  const buffer = new Uint8Array(1024);
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`The server closed during the handshake: ${head}`);
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  assert.match(head, /^HTTP\/1\.1 101 /, head);
  await writeAll(conn, maskedTextFrame(JSON.stringify({ type: "watch", outputs: watch })));
  return conn;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Frames the demo's two sinks took per second over `ms` milliseconds of wall time. */
async function sinkRates(h: Harness, ms: number): Promise<{ audio: number; video: number }> {
  const count = () => {
    const nodes = h.rt.stats().nodes;
    return {
      audio: nodes.audio_out.framesIn,
      video: nodes.video_out.framesIn,
      t: performance.now(),
    };
  };
  const a = count();
  await sleep(ms);
  const b = count();
  const seconds = (b.t - a.t) / 1000;
  return { audio: (b.audio - a.audio) / seconds, video: (b.video - a.video) / seconds };
}

const HIGH_WATER = 1 << 20; // the stream's default per-client socket buffer bound
const PREVIEW = { width: 320, height: 180, videoFps: 10 }; // fills the kernel's buffers in ~1 s

Deno.test("A WebSocket client that stops reading does not slow the pipeline; its queue stays bounded", async () => {
  await using h = await Harness.start({ dashboard: { previews: PREVIEW } });
  await sleep(300); // past the start
  const alone = await sinkRates(h, 2000);
  assert.ok(
    alone.audio > 50 && alone.video > 15,
    `the demo runs in real time: ${JSON.stringify(alone)}`,
  );

  const outputs = [...new Set(DEMO_CONNECTIONS.map(([from]) => from))];
  const conn = await stalledClient(h.dashboard.port, h.dashboard.token, outputs);
  try {
    await until(
      () => h.dashboard.clients()[0]?.watched.length === outputs.length,
      5000,
      "the watch",
    );
    // Until the kernel's socket buffers are full and the server has to keep things itself.
    await until(
      () => (h.dashboard.clients()[0]?.droppedStats ?? 0) > 0,
      20_000,
      "the stalled client to fall behind",
    );
    const before = h.dashboard.clients()[0];
    let worst = before;
    const sampler = setInterval(() => {
      const now = h.dashboard.clients()[0];
      if (now && now.bufferedBytes >= worst.bufferedBytes) worst = now;
      assert.ok(now.queuedFrames <= 2, `one frame per watched video output: ${now.queuedFrames}`);
      assert.ok(now.queuedEvents <= 500, `events bounded: ${now.queuedEvents}`);
    }, 50);
    let slow;
    try {
      slow = await sinkRates(h, 2000);
    } finally {
      clearInterval(sampler);
    }
    const after = h.dashboard.clients()[0];
    const label = JSON.stringify({ alone, slow, before, after, worst });
    // The sinks keep their no-client rate (real-time sources catch up after a late timer).
    assert.ok(slow.audio >= 0.8 * alone.audio, `audio rate kept: ${label}`);
    assert.ok(slow.video >= 0.8 * alone.video, `video rate kept: ${label}`);
    // The server kept dropping what the client could not take instead of queuing it.
    assert.ok(after.droppedStats > before.droppedStats, `stats replaced, not queued: ${label}`);
    assert.ok(after.droppedFrames > before.droppedFrames, `frames replaced, not queued: ${label}`);
    // What it holds for the client: the socket's buffer stops growing past the high-water mark
    // plus one flush (a stats message and a preview frame), whatever the client does.
    const frameBytes = PREVIEW.width * PREVIEW.height * 4 + 1024;
    assert.ok(worst.bufferedBytes <= HIGH_WATER + frameBytes + 64 * 1024, `bounded: ${label}`);
  } finally {
    conn.close();
  }
  await until(() => h.dashboard.clients().length === 0, 5000, "the server to drop the client");
});
