/**
 * {@linkcode ClientSession}: one pipeline session seen from a client, over its own WebSocket.
 *
 * @module
 */

import type { Frame } from "../../core/frames/frame.ts";
import { decodeWireMessage } from "../wire/decode.ts";
import { encodeWireMessage } from "../wire/encode.ts";
import { WireError } from "../wire/errors.ts";
import type {
  AcceptMessage,
  FrameMessage,
  WireMessage,
  WireMetadata,
  WireParameters,
  WirePort,
} from "../wire/messages.ts";
import { nearMatches } from "../../core/errors/near_matches.ts";
import { SessionClientError } from "./errors.ts";

/** A frame from one of the session's outputs. */
export interface ClientFrame {
  /** The output's name. */
  readonly output: string;
  /** The sequence number of the input frame it came from (`docs/sessions.md`). */
  readonly sequence: number;
  /** The metadata sent with that input frame. */
  readonly metadata: WireMetadata;
  /** The frame. */
  readonly frame: Frame;
}

/**
 * A frame as `send()` takes it: any frame kind, its timestamp, frame number, frame count (audio)
 * and stride (video) optional.
 */
export type ClientFrameInput = Frame extends infer F ? F extends Frame ?
      & Omit<F, "timestampNs" | "frameNumber" | "frameCount" | "stride" | "slot">
      & {
        /** Nanoseconds; default one more than the last frame sent on the input. */
        readonly timestampNs?: number;
        /** Default one more than the last. */
        readonly frameNumber?: number;
        /** Audio: samples per channel; default the samples' length over the channels. */
        readonly frameCount?: number;
        /** Video: bytes per row; default the packed stride of the format. */
        readonly stride?: number;
      }
  : never
  : never;

/** What `send()` takes beside the frame. */
export interface ClientSendOptions {
  /** String metadata carried with the frame to the outputs. */
  readonly metadata?: WireMetadata;
  /** The frame's sequence number on its input; default one more than the last, from 0. */
  readonly seq?: number;
}

/** How a session ended: `code` is `""` for a normal end. */
export interface ClientSessionEnd {
  /** The close's code (`""` when every output ended or the client closed). */
  readonly code: string;
  /** The close's message. */
  readonly message: string;
}

/** What a {@linkcode ClientSession} needs from its client. */
export interface ClientSessionOptions {
  /** Frames sent ahead of the server's confirmation (a pong) before `send()` waits. */
  readonly window: number;
  /** Called with each non-fatal error the server sends (a refused frame). */
  readonly onError?: (error: SessionClientError) => void;
}

/** The frame kinds `send()` takes. */
const FRAME_KINDS = ["audio", "video", "encoded-video", "encoded-audio", "data"] as const;

/**
 * What `value` is when it is not a frame (`"null"`, `"a number"`, `"an array"`, ...), for the
 * error `send()` throws; `undefined` for an object of a frame kind.
 */
function notAFrame(value: unknown): string | undefined {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "object") return `a ${typeof value}`;
  const kind = (value as { kind?: unknown }).kind;
  if ((FRAME_KINDS as readonly unknown[]).includes(kind)) return undefined;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (kind === undefined) {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object without a kind";
  }
  return `an object of kind ${typeof kind === "string" ? `'${kind.slice(0, 40)}'` : String(kind)}`;
}

/** Fills in what the wire needs and the caller may leave out. */
function complete(frame: ClientFrameInput, frameNumber: number, timestampNs: number): Frame {
  const f = frame as Record<string, unknown>;
  const base = {
    ...f,
    timestampNs: frame.timestampNs ?? timestampNs,
  } as Record<string, unknown>;
  if (frame.kind === "data") return base as unknown as Frame;
  base.frameNumber = frame.frameNumber ?? frameNumber;
  if (frame.kind === "audio") {
    const channels = f.channels as number;
    const samples = (f.samples as { length?: unknown } | null | undefined)?.length;
    // Without samples the wire's encoder refuses the frame, naming the field.
    base.frameCount = frame.frameCount ??
      (typeof samples === "number" ? samples / Math.max(1, channels) : undefined);
  }
  if (frame.kind === "video" && frame.stride === undefined) {
    const width = f.width as number;
    base.stride = f.format === "rgba" || f.format === "bgra" ? width * 4 : width;
  }
  return base as unknown as Frame;
}

/**
 * One pipeline session on a server, over a WebSocket of its own (made by
 * `SessionClient.open()`). `send()` paces itself: every few frames it sends a `ping`, which the
 * server answers once the graph took every frame before it, and it waits while `window` frames
 * (or a message's worth of bytes) are not confirmed; so a sender never runs ahead of the graph
 * and the server never refuses it with `input_overrun`. Outputs are read with `outputs()`; the
 * session ends when every output ended (the iteration finishes), when either side closes, or
 * with the server's code (the iteration throws a {@linkcode SessionClientError}).
 *
 * @example A data pipeline: a frame refused, the session goes on
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
 * import { connect, type SessionClientError } from "@streamlib/streamlib/sessions/client";
 *
 * const runner = new PipelineRunner();
 * const handler = new SessionHandler({
 *   runner,
 *   resolve: () => ({
 *     version: 1,
 *     nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *     inputs: { audio: "fx.in" },
 *     outputs: { audio: "fx.out" },
 *   }),
 * });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
 * const refused: string[] = [];
 * const client = connect(`ws://127.0.0.1:${server.addr.port}/`, {
 *   onError: (error: SessionClientError) => refused.push(error.code),
 * });
 * const session = await client.open("gain");
 * assert.deepEqual(session.inputPorts, [{ name: "audio", kind: "audio" }]);
 * await session.send("audio", { kind: "data", value: { not: "audio" } }); // the wrong kind
 * await session.send("audio", { kind: "audio", channels: 2, sampleRate: 16000, samples: new Float32Array(2) });
 * session.end("audio");
 * const got = [];
 * for await (const out of session.outputs()) got.push(out.sequence);
 * assert.deepEqual(got, [1]);
 * assert.deepEqual(refused, ["app_frame_mismatch"]);
 * await session.close();
 * await handler.close();
 * await server.shutdown();
 * await runner.close();
 * ```
 */
export class ClientSession {
  /** The session's id on the server. */
  readonly id: string;
  /** The inputs frames may be sent on, with their kinds. */
  readonly inputPorts: readonly WirePort[];
  /** The outputs frames come from, with their kinds. */
  readonly outputPorts: readonly WirePort[];
  /** The largest message the server takes. */
  readonly maxMessageBytes: number;
  /** The non-fatal errors the server sent (frames it refused), the last 64. */
  readonly errors: SessionClientError[] = [];
  readonly #socket: WebSocket;
  readonly #options: ClientSessionOptions;
  readonly #queue: ClientFrame[] = [];
  #reader: (() => void) | undefined;
  #end: ClientSessionEnd | undefined;
  #failure: SessionClientError | undefined;
  readonly #closed: Promise<ClientSessionEnd>;
  #resolveClosed!: (end: ClientSessionEnd) => void;
  readonly #next = new Map<string, { seq: number; frameNumber: number; timestampNs: number }>();
  // Pacing: frames and bytes sent, and how many of them pongs confirmed.
  #sentFrames = 0;
  #sentBytes = 0;
  #confirmedFrames = 0;
  #confirmedBytes = 0;
  #pingedFrames = 0;
  #nextPing = 1;
  readonly #pings = new Map<number, { frames: number; bytes: number }>();
  readonly #pongWaiters: (() => void)[] = [];
  readonly #endedInputs = new Set<string>();
  /** The configures waiting for their answer, by request id, oldest first. */
  readonly #configures = new Map<number, PromiseWithResolvers<void>>();
  #nextConfigure = 0;

  /**
   * Wraps a socket whose `open` the server accepted.
   *
   * @param socket The open WebSocket.
   * @param accept The server's `accept`.
   * @param options Pacing and the error callback.
   */
  constructor(socket: WebSocket, accept: AcceptMessage, options: ClientSessionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.id = accept.sessionId;
    this.inputPorts = accept.inputs;
    this.outputPorts = accept.outputs;
    this.maxMessageBytes = accept.maxMessageBytes;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    socket.onmessage = (event) => this.#message(event.data);
    socket.onclose = () => {
      this.#ended({ code: "connection_lost", message: "The connection ended without a close" });
    };
  }

  /** Resolves with how the session ended, however it ended. */
  get closed(): Promise<ClientSessionEnd> {
    return this.#closed;
  }

  /**
   * Sends a frame on an input; waits while the server has not confirmed `window` frames.
   *
   * @param input The input's name.
   * @param frame The frame (its timestamp, frame number, frame count and stride may be left out).
   * @param options Its metadata and sequence number.
   * @returns The frame's sequence number.
   * @throws {SessionClientError} Once the session ended (its code); `app_port_not_found` for a
   * name that is not one of `inputPorts`, `app_port_ended` after `end(input)`, `wire_too_large`
   * or `wire_malformed` for a frame the wire format cannot carry (the session goes on).
   */
  async send(
    input: string,
    frame: ClientFrameInput,
    options: ClientSendOptions = {},
  ): Promise<number> {
    this.#check();
    const port = this.#input(input);
    if (this.#endedInputs.has(input)) {
      throw new SessionClientError(
        "app_port_ended",
        `Cannot send to '${input}': end('${input}') was called; an input takes no frame after its end`,
        false,
      );
    }
    const notFrame = notAFrame(frame);
    if (notFrame !== undefined) {
      const takes = port.kind === "any" ? "" : `; '${input}' takes ${port.kind} frames`;
      throw new SessionClientError(
        "app_frame_mismatch",
        `Cannot send ${notFrame} to '${input}': expected a frame (an object whose kind is ` +
          `${
            FRAME_KINDS.slice(0, -1).map((k) => `"${k}"`).join(", ")
          } or "data", such as { kind: "audio", channels: 1, ` +
          `sampleRate: 16000, samples: new Float32Array(320) }${takes})`,
        false,
      );
    }
    const next = this.#next.get(input) ?? { seq: 0, frameNumber: 0, timestampNs: 0 };
    const seq = options.seq ?? next.seq;
    const full = complete(frame, next.frameNumber, Math.max(next.timestampNs, 0));
    let bytes: Uint8Array;
    try {
      bytes = encodeWireMessage({
        type: "frame",
        port: input,
        sequence: seq,
        metadata: options.metadata ?? {},
        frame: full,
      }, { maxMessageBytes: this.maxMessageBytes });
    } catch (error) {
      if (error instanceof WireError) {
        throw new SessionClientError(error.code, error.message, false);
      }
      throw error;
    }
    this.#next.set(input, {
      seq: seq + 1,
      frameNumber: full.kind === "data" ? next.frameNumber : full.frameNumber + 1,
      timestampNs: full.timestampNs + 1,
    });
    while (
      this.#sentFrames > this.#confirmedFrames &&
      (this.#sentFrames - this.#confirmedFrames >= this.#options.window ||
        this.#sentBytes - this.#confirmedBytes + bytes.byteLength > this.maxMessageBytes)
    ) {
      if (this.#pingedFrames < this.#sentFrames) this.#ping();
      await new Promise<void>((resolve) => this.#pongWaiters.push(resolve));
      this.#check();
    }
    this.#write(bytes);
    this.#sentFrames++;
    this.#sentBytes += bytes.byteLength;
    if (this.#sentFrames - this.#pingedFrames >= Math.max(1, this.#options.window >> 1)) {
      this.#ping();
    }
    return seq;
  }

  /**
   * Waits until the server's graph took every frame sent so far (a `ping` and its `pong`).
   *
   * @throws {SessionClientError} Once the session ended.
   */
  async flush(): Promise<void> {
    this.#check();
    const target = this.#sentFrames;
    if (this.#pingedFrames < target || this.#pings.size === 0) this.#ping();
    while (this.#confirmedFrames < target || this.#pings.size > 0) {
      await new Promise<void>((resolve) => this.#pongWaiters.push(resolve));
      this.#check();
    }
  }

  /**
   * Changes parameters of the running session: the pipeline's declared `parameters` whose fields
   * change while it runs (a Gain's `gain`). All the values are taken, or none. Resolves once the
   * server's pipeline took them: frames sent after it resolves (and after this call, since the
   * server takes messages in order) are processed with the new values. Several may wait at once;
   * the server holds a few and refuses more with `configure_overrun`.
   *
   * @param values The new values, by parameter name (`{ gain: 3 }`).
   * @throws {SessionClientError} With the server's code, not fatal (the session goes on,
   * unchanged): `unknown_parameter`, `invalid_parameter`, `config_locked` (a parameter set only at
   * start; the message lists those that change live), `configure_overrun`,
   * `session_unresponsive`, `server_shutting_down`, or `wire_version` (a server older than wire
   * version 3). `wire_malformed` or `wire_too_large` for values the wire format cannot carry
   * (nothing is sent). Once the session ended, fatal: its code, or `session_closed`.
   */
  async configure(values: WireParameters): Promise<void> {
    this.#check();
    const id = this.#nextConfigure;
    let bytes: Uint8Array;
    try {
      bytes = encodeWireMessage(
        { type: "configure", id, parameters: values },
        { maxMessageBytes: this.maxMessageBytes },
      );
    } catch (error) {
      if (error instanceof WireError) {
        throw new SessionClientError(error.code, error.message, false);
      }
      throw error;
    }
    this.#nextConfigure = (id + 1) % 2 ** 32;
    this.#write(bytes);
    // Registered after the write: a write that fails throws before anything waits.
    const answer = Promise.withResolvers<void>();
    this.#configures.set(id, answer);
    try {
      await answer.promise;
    } finally {
      this.#configures.delete(id);
    }
  }

  /**
   * Ends an input's stream; ending it again does nothing.
   *
   * @param input The input's name.
   * @throws {SessionClientError} Once the session ended; `app_port_not_found` for a name that is
   * not one of `inputPorts`.
   */
  end(input: string): void {
    this.#check();
    this.#input(input);
    if (this.#endedInputs.has(input)) return;
    this.#endedInputs.add(input);
    this.#write(encodeWireMessage({ type: "end", port: input }));
  }

  /** The input named `name`, or a refusal naming the inputs there are. */
  #input(name: string): WirePort {
    const port = this.inputPorts.find((p) => p.name === name);
    if (port !== undefined) return port;
    const names = this.inputPorts.map((p) => p.name);
    const near = nearMatches(name, names);
    throw new SessionClientError(
      "app_port_not_found",
      `Cannot send to '${name.slice(0, 80)}': the pipeline has no such input` +
        `${near.length > 0 ? `, did you mean ${near.join(" or ")}?` : ","} available inputs: ${
          names.join(", ") || "none"
        }`,
      false,
    );
  }

  /**
   * Every output frame, in the order they came, until every output ended or the session closed
   * (the iteration finishes) or ended with a code (it throws, after the frames that came before).
   *
   * @returns The frames.
   */
  async *outputs(): AsyncGenerator<ClientFrame> {
    while (true) {
      const item = this.#queue.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.#failure) throw this.#failure;
      if (this.#end) return;
      await new Promise<void>((resolve) => (this.#reader = resolve));
    }
  }

  /** {@linkcode ClientSession.close}: `await using session = await client.open("gain")`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Closes the session (frames not read are dropped) and its connection. Idempotent.
   *
   * @returns How it ended.
   */
  async close(): Promise<ClientSessionEnd> {
    if (!this.#end && this.#socket.readyState === WebSocket.OPEN) {
      this.#write(encodeWireMessage({ type: "close", code: "", message: "" }));
      this.#ended({ code: "", message: "" });
    }
    if (this.#socket.readyState !== WebSocket.CLOSED) {
      const gone = new Promise<void>((resolve) =>
        this.#socket.addEventListener("close", () => resolve(), { once: true })
      );
      try {
        this.#socket.close(1000);
      } catch { /* closed already */ }
      await gone;
    }
    return await this.#closed;
  }

  #ping(): void {
    const id = this.#nextPing++;
    this.#pings.set(id, { frames: this.#sentFrames, bytes: this.#sentBytes });
    this.#pingedFrames = this.#sentFrames;
    this.#write(encodeWireMessage({ type: "ping", id }));
  }

  #write(bytes: Uint8Array): void {
    try {
      this.#socket.send(bytes);
    } catch {
      this.#ended({ code: "connection_lost", message: "The connection ended without a close" });
      this.#check();
    }
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#end) {
      throw new SessionClientError("session_closed", `Session '${this.id}' is closed`, true);
    }
  }

  #message(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return;
    let message: WireMessage;
    try {
      message = decodeWireMessage(new Uint8Array(data), { maxMessageBytes: this.maxMessageBytes });
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.#refused(new SessionClientError(error.code, error.message, false));
      return;
    }
    switch (message.type) {
      case "frame":
        this.#queue.push(toClientFrame(message));
        this.#wake();
        break;
      case "pong": {
        const mark = this.#pings.get(message.id);
        if (mark) {
          for (const id of this.#pings.keys()) if (id <= message.id) this.#pings.delete(id);
          this.#confirmedFrames = Math.max(this.#confirmedFrames, mark.frames);
          this.#confirmedBytes = Math.max(this.#confirmedBytes, mark.bytes);
          for (const waiter of this.#pongWaiters.splice(0)) waiter();
        }
        break;
      }
      case "ping":
        this.#write(encodeWireMessage({ type: "pong", id: message.id }));
        break;
      case "configured": {
        const answer = this.#configures.get(message.id);
        this.#configures.delete(message.id);
        if (message.code === "") answer?.resolve();
        else answer?.reject(new SessionClientError(message.code, message.message, false));
        break;
      }
      case "error":
        if (!message.fatal && message.code === "wire_version" && this.#configures.size > 0) {
          // A server older than wire version 3 refuses a configure, in its turn, as a version it
          // does not read; nothing else this client sends is version 3.
          const [id, answer] = this.#configures.entries().next().value!;
          this.#configures.delete(id);
          answer.reject(
            new SessionClientError(
              "wire_version",
              `Session '${this.id}': the server does not take configure (wire version 3): ${message.message}`,
              false,
            ),
          );
        } else if (message.fatal) {
          this.#ended({ code: message.code, message: message.message });
        } else this.#refused(new SessionClientError(message.code, message.message, false));
        break;
      case "close":
        this.#ended({ code: message.code, message: message.message });
        try {
          this.#socket.close(1000);
        } catch { /* closed already */ }
        break;
      default:
        break; // `end` of an output: the close after the last one ends the iteration
    }
  }

  #refused(error: SessionClientError): void {
    if (this.errors.length >= 64) this.errors.shift();
    this.errors.push(error);
    this.#options.onError?.(error);
  }

  #ended(end: ClientSessionEnd): void {
    if (this.#end) return;
    this.#end = end;
    if (end.code !== "") {
      this.#failure = new SessionClientError(
        end.code,
        end.message || `Session '${this.id}' ended: ${end.code}`,
        true,
      );
    }
    this.#resolveClosed(end);
    this.#wake();
    for (const waiter of this.#pongWaiters.splice(0)) waiter();
    const closed = this.#failure ??
      new SessionClientError("session_closed", `Session '${this.id}' is closed`, true);
    for (const answer of this.#configures.values()) answer.reject(closed);
    this.#configures.clear();
  }

  #wake(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.();
  }
}

function toClientFrame(message: FrameMessage): ClientFrame {
  return {
    output: message.port,
    sequence: message.sequence,
    metadata: message.metadata,
    frame: message.frame,
  };
}
