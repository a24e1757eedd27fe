/**
 * Helpers of the WebSocket session tests: a server on a real port over a `SessionHandler`, a
 * client that speaks raw wire messages over Deno's WebSocket, and a raw TCP client that does the
 * WebSocket handshake by hand and then never reads (or vanishes).
 *
 * @module
 */

import { PipelineRunner, type RunnerOptions } from "../../sessions/mod.ts";
import {
  SessionHandler,
  type SessionHandlerOptions,
  type SessionObserver,
  TransportError,
} from "../../sessions/websocket/mod.ts";
import { decodeWireMessage, encodeWireMessage, type WireMessage } from "../../sessions/wire/mod.ts";

import { BUILTIN, FAULTY, gain, through } from "./pipelines.ts";
export { BUILTIN, FAULTY, gain, through };

export const block = (value = 0.25, n = 160) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array(n * 2).fill(value),
  }) as const;

/** A wire frame message of `block()` on `audio`. */
export function frameBytes(sequence: number, value = 0.25, n = 160, meta = {}): Uint8Array {
  return encodeWireMessage({
    type: "frame",
    port: "audio",
    sequence,
    metadata: meta,
    frame: {
      kind: "audio",
      channels: 2,
      sampleRate: 16_000,
      frameCount: n,
      samples: new Float32Array(n * 2).fill(value),
      timestampNs: sequence * 1_000,
      frameNumber: sequence,
    },
  });
}

/** Every observer event, in order, as `name:arg`. */
export class Recorder implements SessionObserver {
  readonly events: string[] = [];
  framesIn = 0;
  framesOut = 0;
  framesDropped = 0;
  trips = 0;
  refused(code: string) {
    this.events.push(`refused:${code}`);
  }
  started(_s: string, pipeline: string) {
    this.events.push(`started:${pipeline}`);
  }
  ended(_s: string, code: string) {
    this.events.push(`ended:${code}`);
  }
  frameIn() {
    this.framesIn++;
  }
  frameOut() {
    this.framesOut++;
  }
  roundTrip() {
    this.trips++;
  }
  frameDropped(_code: string) {
    this.framesDropped++;
  }
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly runner: PipelineRunner;
  readonly handler: SessionHandler;
  readonly recorder: Recorder;
  close(): Promise<void>;
}

/** A handler over a runner, serving `pipelines` by name on a free port. */
export function startServer(
  pipelines: Record<string, unknown>,
  runnerOptions: RunnerOptions = {},
  handlerOptions: Partial<SessionHandlerOptions> = {},
): TestServer {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY], ...runnerOptions });
  const recorder = new Recorder();
  const handler = new SessionHandler({
    runner,
    observer: recorder,
    resolve: (open) => {
      const manifest = pipelines[open.pipeline];
      if (manifest === undefined) {
        throw new TransportError("pipeline_not_found", `No pipeline '${open.pipeline}'`);
      }
      return manifest;
    },
    ...handlerOptions,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => handler.handle(request),
  );
  return {
    url: `ws://127.0.0.1:${server.addr.port}/v1/sessions`,
    port: server.addr.port,
    runner,
    handler,
    recorder,
    async close() {
      await handler.close(2_000);
      await runner.close();
      await server.shutdown();
    },
  };
}

/** A client over Deno's WebSocket that sends raw bytes and records every message it gets. */
export class RawClient {
  readonly socket: WebSocket;
  readonly messages: WireMessage[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error("connection failed"));
    });
    this.closed = new Promise((resolve) => (this.socket.onclose = () => {
      resolve();
      this.#wake();
    }));
    this.socket.onmessage = (event) => {
      this.messages.push(decodeWireMessage(new Uint8Array(event.data as ArrayBuffer), {
        maxMessageBytes: 64 * 1024 * 1024,
      }));
      this.#wake();
    };
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  send(bytes: Uint8Array | string): void {
    this.socket.send(bytes);
  }

  /** Waits for a message of this type (or the socket's close), within 30 s. */
  async until(type: WireMessage["type"], timeoutMs = 30_000): Promise<WireMessage> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.messages.find((m) => m.type === type);
      if (found) return found;
      if (this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`closed before a ${type}: ${JSON.stringify(this.types())}`);
      }
      if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Opens `pipeline` and waits for the accept (or the close of a refusal), within 120 s. */
  async open(pipeline: string, token = ""): Promise<WireMessage> {
    await this.opened;
    this.send(encodeWireMessage({ type: "open", pipeline, token, metadata: {} }));
    const answer = await Promise.race([
      this.until("accept", 120_000),
      this.until("close", 120_000),
    ]);
    return answer;
  }

  types(): string[] {
    return this.messages.map((m) =>
      m.type === "error"
        ? `error:${m.code}:${m.fatal ? "fatal" : "ok"}`
        : m.type === "close"
        ? `close:${m.code}`
        : m.type
    );
  }

  errors(): string[] {
    return this.messages.flatMap((m) => m.type === "error" ? [m.code] : []);
  }
}

/** A WebSocket client over raw TCP that never reads what the server sends after the handshake. */
export class DeafClient {
  readonly #conn: Deno.TcpConn;
  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async connect(port: number): Promise<DeafClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const request = "GET /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\n\r\n";
    await writeAll(conn, new TextEncoder().encode(request));
    // Read the 101 answer (and nothing after it): bytes sent before it may be lost.
    let head = "";
    const buffer = new Uint8Array(1);
    while (!head.endsWith("\r\n\r\n")) {
      if ((await conn.read(buffer)) === null) throw new Error(`handshake refused: ${head}`);
      head += String.fromCharCode(buffer[0]);
    }
    if (!head.startsWith("HTTP/1.1 101")) throw new Error(`handshake refused: ${head}`);
    return new DeafClient(conn);
  }

  /**
   * Sends one masked binary WebSocket message; `false` when the write did not finish within
   * `timeoutMs` (the server stopped reading: TCP back-pressure), and the connection is then dropped.
   */
  async sendWithin(payload: Uint8Array, timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    const wrote = this.send(payload).then(() => true, () => false);
    const result = await Promise.race([wrote, late]);
    clearTimeout(timer);
    if (!result) this.vanish();
    return result;
  }

  /** Sends one masked binary WebSocket message. */
  async send(payload: Uint8Array): Promise<void> {
    await writeAll(this.#conn, maskedFrame(payload));
  }

  /**
   * Sends `count` copies of one message in one write; `false` when the write did not finish
   * within `timeoutMs` (the server stopped reading), and the connection is then dropped.
   */
  async sendManyWithin(
    payload: Uint8Array,
    count: number,
    timeoutMs: number,
    opcode = 0x2,
  ): Promise<boolean> {
    const one = maskedFrame(payload, opcode);
    const all = new Uint8Array(one.byteLength * count);
    for (let i = 0; i < count; i++) all.set(one, i * one.byteLength);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    const wrote = writeAll(this.#conn, all).then(() => true, () => false);
    const result = await Promise.race([wrote, late]);
    clearTimeout(timer);
    if (!result) this.vanish();
    return result;
  }

  /** Drops the connection with no close handshake. */
  vanish(): void {
    try {
      this.#conn.close();
    } catch { /* closed already */ }
  }
}

/** One masked WebSocket message of `opcode` (binary by default), as a client sends it. */
export function maskedFrame(payload: Uint8Array, opcode = 0x2): Uint8Array {
  const n = payload.byteLength;
  const first = 0x80 | opcode;
  const head = n < 126 ? [first, 0x80 | n] : n < 65536 ? [first, 0x80 | 126, n >> 8, n & 0xff] : [
    first,
    0x80 | 127,
    0,
    0,
    0,
    0,
    (n >>> 24) & 0xff,
    (n >> 16) & 0xff,
    (n >> 8) & 0xff,
    n & 0xff,
  ];
  const mask = [1, 2, 3, 4];
  const frame = new Uint8Array(head.length + 4 + n);
  frame.set(head);
  frame.set(mask, head.length);
  for (let i = 0; i < n; i++) frame[head.length + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) offset += await conn.write(bytes.subarray(offset));
}

/** Waits until `check()` holds, polling, within `timeoutMs`. */
export async function eventually(
  check: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
