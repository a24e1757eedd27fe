/**
 * A real dashboard on loopback over the demo pipeline, with small HTTP and WebSocket clients.
 *
 * @module
 */

import { addDemoPipeline } from "../../examples/demo_pipeline.ts";
import type { NodeRegistry, Runtime } from "../../mod.ts";
import { createRuntime } from "../../processors/mod.ts";
import { createDashboard, type Dashboard, type DashboardOptions } from "../../web/mod.ts";
import type { ServerMessage } from "../../web/mod.ts";
import { decodePreviewFrame, type PreviewFrame } from "../../web/mod.ts";

/** A JSON response. */
export interface Reply {
  /** The status. */
  status: number;
  /** The parsed body (`null` when empty). */
  // deno-lint-ignore no-explicit-any
  body: any;
  /** The headers. */
  headers: Headers;
}

/** Options of an API call. */
export interface CallOptions {
  /** Send the token (default true for non-GET). */
  token?: string | false;
  /** A raw body instead of JSON. */
  raw?: BodyInit;
  /** Headers to add. */
  headers?: Record<string, string>;
}

/** A dashboard over the demo pipeline, and clients for it. */
export class Harness implements AsyncDisposable {
  /** The runtime. */
  readonly rt: Runtime;
  /** The dashboard. */
  readonly dashboard: Dashboard;
  readonly #sockets = new Set<StreamClient>();

  private constructor(rt: Runtime, dashboard: Dashboard) {
    this.rt = rt;
    this.dashboard = dashboard;
  }

  /**
   * Builds the demo pipeline, starts it (unless `start` is false) and its dashboard.
   *
   * @param options Whether to start, and dashboard options.
   * @returns The harness.
   */
  static async start(
    options: {
      start?: boolean;
      dashboard?: DashboardOptions;
      build?: (rt: Runtime) => void;
      registry?: NodeRegistry;
    } = {},
  ): Promise<Harness> {
    // The worker-free demo: no native library.
    const rt = createRuntime({ workers: false, registry: options.registry });
    (options.build ?? addDemoPipeline)(rt);
    if (options.start ?? true) await rt.start();
    const dashboard = await createDashboard(rt, options.dashboard);
    return new Harness(rt, dashboard);
  }

  /**
   * Calls the API.
   *
   * @param method The method.
   * @param path The path under `/api/v1` (or absolute when it starts with `/api` or is `/`).
   * @param body A JSON body.
   * @param options Token, raw body, headers.
   * @returns The reply.
   */
  async call(
    method: string,
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? (method === "GET" ? false : this.dashboard.token);
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined && !headers["content-type"]) {
      headers["content-type"] = "application/json";
    }
    const url = path.startsWith("/api") || path.startsWith("/static") || path === "/"
      ? `${this.dashboard.origin}${path}`
      : `${this.dashboard.origin}/api/v1${path}`;
    const response = await fetch(url, {
      method,
      headers,
      body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /**
   * Opens the event stream.
   *
   * @param options Token (default the dashboard's) and headers.
   * @returns The client, once open.
   */
  async stream(
    options: { token?: string | false; headers?: Record<string, string> } = {},
  ): Promise<StreamClient> {
    const token = options.token ?? this.dashboard.token;
    const query = token ? `?token=${token}` : "";
    const url = `${this.dashboard.origin.replace("http", "ws")}/api/v1/stream${query}`;
    const client = new StreamClient(url, options.headers ?? {});
    this.#sockets.add(client);
    await client.opened;
    return client;
  }

  /** Closes the clients, the dashboard and the runtime. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const socket of this.#sockets) await socket.close();
    await this.dashboard.close();
    await this.rt.settled();
    if (this.rt.state === "running" || this.rt.state === "paused") await this.rt.stop();
    await this.rt.settled();
  }
}

/** A WebSocket that keeps what it receives and lets a test wait for a message. */
export class StreamClient {
  /** The socket. */
  readonly socket: WebSocket;
  /** Text messages, in order. */
  readonly messages: ServerMessage[] = [];
  /** Preview frames, in order. */
  readonly frames: PreviewFrame[] = [];
  /** Resolves when open; rejects when the connection fails. */
  readonly opened: Promise<void>;
  readonly #closed: Promise<void>;
  #waiters: (() => void)[] = [];

  /**
   * Connects.
   *
   * @param url The stream's URL.
   * @param headers Handshake headers.
   */
  constructor(url: string, headers: Record<string, string>) {
    this.socket = new WebSocket(url, { headers } as never);
    this.socket.binaryType = "arraybuffer";
    const open = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<void>();
    this.opened = open.promise;
    this.#closed = closed.promise;
    this.socket.onopen = () => open.resolve();
    this.socket.onerror = (e) => open.reject(new Error((e as ErrorEvent).message));
    this.socket.onclose = () => {
      open.reject(new Error("closed before opening"));
      closed.resolve();
      this.#wake();
    };
    this.socket.onmessage = (e) => {
      if (typeof e.data === "string") this.messages.push(JSON.parse(e.data));
      else {
        const frame = decodePreviewFrame(e.data as ArrayBuffer);
        if (frame) this.frames.push(frame);
      }
      this.#wake();
    };
    this.opened.catch(() => {});
  }

  /**
   * Waits for a message matching `predicate` (looking at those already received too).
   *
   * @param predicate What to wait for.
   * @param timeoutMs How long.
   * @returns The message.
   */
  async next<T extends ServerMessage>(
    predicate: (m: ServerMessage) => boolean,
    timeoutMs = 5000,
    from = 0,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.messages.slice(from).find(predicate);
      if (found) return found as T;
      if (Date.now() > deadline || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(
          `No matching message in ${timeoutMs} ms; got ${
            this.messages.map((m) => m.type).join(", ")
          }`,
        );
      }
      await this.#wait(Math.max(1, deadline - Date.now()));
    }
  }

  /**
   * Waits for a preview frame matching `predicate`.
   *
   * @param predicate What to wait for.
   * @param timeoutMs How long.
   * @returns The frame.
   */
  async nextFrame(
    predicate: (f: PreviewFrame) => boolean,
    timeoutMs = 5000,
  ): Promise<PreviewFrame> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No matching frame in ${timeoutMs} ms`);
      await this.#wait(Math.max(1, deadline - Date.now()));
    }
  }

  /**
   * Sends a JSON or text message.
   *
   * @param message The message.
   */
  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Closes and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    if (this.socket.readyState !== WebSocket.CLOSED) await this.#closed;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Sends a raw HTTP/1.1 request (for headers `fetch` will not set, such as Host).
 *
 * @param port The port.
 * @param request The request text.
 * @returns The status code.
 */
export async function rawRequest(
  port: number,
  request: string,
): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    const text = new TextDecoder().decode(concat(chunks));
    if (text.includes("\r\n\r\n") && /content-length: (\d+)/i.test(text)) {
      const length = Number(/content-length: (\d+)/i.exec(text)![1]);
      if (text.split("\r\n\r\n")[1].length >= length) break;
    }
  }
  conn.close();
  const text = new TextDecoder().decode(concat(chunks));
  return { status: Number(text.split(" ")[1]), text };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Waits until `check` returns true.
 *
 * @param check The condition.
 * @param timeoutMs How long.
 * @param what What is awaited, for the error.
 */
export async function until(
  check: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
