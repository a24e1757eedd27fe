/**
 * One WebSocket carrying one pipeline session: the wire messages in, the session's calls, its
 * outputs out, and every way it ends.
 *
 * @module
 */

import { decodeWireMessage } from "../wire/decode.ts";
import { encodeWireMessage } from "../wire/encode.ts";
import { WireError } from "../wire/errors.ts";
import { WIRE_LIMITS } from "../wire/format.ts";
import { packVideoRows } from "../wire/_video_shape.ts";
import { fitUtf8 } from "../_fit_utf8.ts";
import type {
  ConfigureMessage,
  FrameMessage,
  OpenMessage,
  WireMessage,
  WirePort,
} from "../wire/messages.ts";
import type { PipelineRunner } from "../runner.ts";
import type { Session } from "../session.ts";
import { parsePortType } from "../../core/ports/port_type.ts";
import type { Frame } from "../../core/frames/frame.ts";
import type { SessionObserver } from "./observer.ts";
import { RoundTrips } from "./_round_trip.ts";
import { forceClose } from "./_force_close.ts";

/** What a connection needs from its handler. */
export interface ConnectionSettings {
  readonly runner: PipelineRunner;
  readonly resolve: (open: OpenMessage) => unknown;
  readonly observer: SessionObserver;
  readonly maxMessageBytes: number;
  readonly maxBufferedBytes: number;
  readonly maxPendingFrames: number;
  readonly maxPendingBytes: number;
  readonly openTimeoutMs: number;
  /** How long the client has to answer our WebSocket close before its connection is cut. */
  readonly closeTimeoutMs: number;
}

type Item =
  | { readonly t: "frame"; readonly message: FrameMessage; readonly bytes: number }
  | { readonly t: "end"; readonly port: string }
  | { readonly t: "ping"; readonly id: number }
  | { readonly t: "refuse"; readonly code: string; readonly message: string }
  | { readonly t: "configure"; readonly message: ConfigureMessage }
  | { readonly t: "drain" }
  | { readonly t: "settle"; readonly settled: () => void };

type State = "awaiting-open" | "opening" | "open" | "done";

const KINDS: Record<string, Frame["kind"]> = {
  AudioFrame: "audio",
  VideoFrame: "video",
  EncodedVideoFrame: "encoded-video",
  EncodedAudioFrame: "encoded-audio",
  DataFrame: "data",
};

function ports(types: Readonly<Record<string, string>>): WirePort[] {
  return Object.entries(types).map(([name, type]) => ({
    name,
    kind: KINDS[parsePortType(type)?.name ?? ""] ?? "any",
  }));
}

/** "257 inputs" when a manifest names more inputs or outputs than an accept carries. */
function tooManyPorts(manifest: unknown): string | undefined {
  for (const side of ["inputs", "outputs"] as const) {
    const ports = (manifest as Record<string, unknown> | null)?.[side];
    const count = typeof ports === "object" && ports !== null ? Object.keys(ports).length : 0;
    if (count > WIRE_LIMITS.ports) return `${count} ${side}`;
  }
  return undefined;
}

function codeOf(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && code !== "") return { code, message };
  return { code: "internal_error", message: `Internal error: ${message}` };
}

/**
 * Configures a session holds, waiting in the queue or being applied; one more is answered at once
 * with `configure_overrun`. Each holds at most 64 KiB of parameters.
 */
export const MAX_PENDING_CONFIGURES = 16;

/** How often, at most, output frames that could not be sent are reported again (per port and code). */
const UNSENT_REPORT_MS = 1_000;

/** Output frames of one port that failed to encode with one code, since the last report. */
interface Unsent {
  readonly port: string;
  readonly code: string;
  /** The last failure's message. */
  message: string;
  /** Frames not reported yet. */
  count: number;
  /** When the last report went out (`performance.now()`). */
  reportedAt: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The server's side of one session's WebSocket. */
export class WireConnection {
  readonly #socket: WebSocket;
  readonly #settings: ConnectionSettings;
  readonly #onDone: (connection: WireConnection) => void;
  #state: State = "awaiting-open";
  /** The code the connection ended with, once it ended. */
  #endCode: string | undefined;
  #session: Session | undefined;
  #shutdown = false;
  /** Whether the observer was told the session started, and not yet that it ended. */
  #startReported = false;
  #refusedDuringShutdown = false;
  readonly #queue: Item[] = [];
  #queuedBytes = 0;
  #queuedFrames = 0;
  /** Configures queued or being applied (at most {@linkcode MAX_PENDING_CONFIGURES}). */
  #configures = 0;
  #wake: (() => void) | undefined;
  readonly #ended = new Set<string>();
  /** Answers given out of turn while the session opened, sent right after the accept. */
  readonly #early: WireMessage[] = [];
  readonly #trips = new RoundTrips();
  /** Output frames that could not be encoded, by port and code (a bounded set of keys). */
  readonly #unsent = new Map<string, Unsent>();
  #unsentTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #openTimer: ReturnType<typeof setTimeout>;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  /** Resolves when the socket itself closed (the client answered our close, or it was cut). */
  readonly #socketClosed = Promise.withResolvers<void>();
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Serves one session on a socket the handler upgraded.
   *
   * @param socket The server's WebSocket.
   * @param settings The handler's runner, resolver, observer and bounds.
   * @param onDone Called once when the connection is over and its socket closed (the client
   * answered the close, or did not within `closeTimeoutMs` and was cut).
   */
  constructor(
    socket: WebSocket,
    settings: ConnectionSettings,
    onDone: (connection: WireConnection) => void,
  ) {
    this.#socket = socket;
    this.#settings = settings;
    this.#onDone = onDone;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => this.#message(event.data);
    socket.onclose = () => {
      clearTimeout(this.#closeTimer);
      this.#socketClosed.resolve();
      this.#gone();
    };
    socket.onerror = () => {}; // a close event follows
    this.#openTimer = setTimeout(() => {
      if (this.#state !== "awaiting-open") return;
      settings.observer.refused?.("session_idle_timeout");
      this.#finish(
        "session_idle_timeout",
        `No open message within ${settings.openTimeoutMs} ms of connecting`,
        true,
      );
    }, settings.openTimeoutMs);
  }

  /** Resolves once the connection is over, however it ended. */
  get done(): Promise<void> {
    return this.#done;
  }

  /**
   * Ends the session for a server shutdown: frames already accepted go in, every input is ended,
   * the outputs the graph still makes are sent, then `close` with `server_shutting_down`; after
   * `drainMs` whatever is left is dropped and the session is closed with the same code.
   *
   * @param drainMs How long outputs may take to flush.
   */
  async drain(drainMs: number): Promise<void> {
    if (this.#state === "done") return;
    this.#shutdown = true;
    if (this.#state === "awaiting-open") {
      this.#finish("server_shutting_down", "The server is stopping: no new sessions", true);
      return;
    }
    if (this.#state === "open") this.#enqueue({ t: "drain" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, drainMs, "late")));
    const result = await Promise.race([this.#done, late]);
    clearTimeout(timer);
    if (result === "late") {
      this.#finish(
        "server_shutting_down",
        `The server is stopping: outputs not flushed within ${drainMs} ms were dropped`,
        false,
      );
    }
  }

  #message(data: unknown): void {
    if (this.#state === "done") return;
    if (!(data instanceof ArrayBuffer)) {
      this.#refuse(
        "wire_malformed",
        "Cannot read a text WebSocket message: session messages are binary",
      );
      return;
    }
    let message: WireMessage;
    try {
      message = decodeWireMessage(new Uint8Array(data), {
        maxMessageBytes: this.#settings.maxMessageBytes,
      });
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      this.#refuse(error.code, error.message);
      return;
    }
    switch (message.type) {
      case "open":
        if (this.#state === "awaiting-open") this.#task(this.#open(message));
        else this.#refuse("wire_unexpected", "Cannot open: this connection has a session already");
        return;
      case "frame":
      case "end":
      case "ping":
        if (this.#state === "awaiting-open") {
          this.#refuse(
            "wire_unexpected",
            `Cannot take a ${message.type} message first: a session starts with open`,
          );
          return;
        }
        if (message.type === "frame") this.#frame(message, data.byteLength);
        else if (message.type === "end") this.#hold({ t: "end", port: message.port });
        else this.#hold({ t: "ping", id: message.id });
        return;
      case "configure":
        if (this.#state === "awaiting-open") {
          this.#refuse(
            "wire_unexpected",
            "Cannot take a configure message first: a session starts with open",
          );
        } else this.#configure(message);
        return;
      case "close":
        this.#finish("", "", false);
        return;
      case "error":
        // A client's non-fatal error says nothing the server acts on; a fatal one ends it.
        if (message.fatal) this.#finish("", "", false);
        return;
      case "pong":
        return;
      case "accept":
      case "configured":
        this.#refuse(
          "wire_unexpected",
          `Cannot take a '${message.type}' message: only a server sends it`,
        );
        return;
    }
  }

  /**
   * A message refused: before the `open` the connection ends; after it, a non-fatal error is
   * sent in its turn among the frames (so errors come in the order of the messages), counted
   * against the pending bound like a frame.
   */
  #refuse(code: string, message: string): void {
    if (this.#state === "awaiting-open") {
      // No session was asked for in a form the server could read: a refused open all the same,
      // counted by its code (an old client's `wire_version`, say), as a malformed WebRTC offer is.
      this.#settings.observer.refused?.(code);
      this.#finish(code, message, true);
      return;
    }
    this.#hold({ t: "refuse", code, message });
  }

  /**
   * Queues a message that is not a frame (a ping, an end, a refusal's answer), counted against
   * the pending bound like a frame: a client that sends them faster than the server answers (or
   * than it reads the answers) gets `input_overrun`, not a queue without end.
   */
  #hold(item: Item & { t: "ping" | "end" | "refuse" }): void {
    const { maxPendingFrames } = this.#settings;
    if (this.#queuedFrames + 1 > maxPendingFrames) {
      this.#finish(
        "input_overrun",
        `Cannot hold a ${item.t === "refuse" ? "refused message" : item.t}: ` +
          `${this.#queuedFrames} messages wait for the graph or for the client to read the ` +
          `answers sent, the most is ${maxPendingFrames}; read what the server sends, and send ` +
          `a ping and wait for its pong before sending more`,
        true,
      );
      return;
    }
    this.#queuedFrames++;
    this.#enqueue(item);
  }

  #frame(message: FrameMessage, bytes: number): void {
    if (this.#shutdown) {
      if (!this.#refusedDuringShutdown) {
        this.#refusedDuringShutdown = true;
        this.#send({
          type: "error",
          code: "server_shutting_down",
          message: "The server is stopping: frames sent from now on are refused",
          fatal: false,
        });
      }
      return;
    }
    const { maxPendingFrames, maxPendingBytes } = this.#settings;
    if (this.#queuedFrames + 1 > maxPendingFrames || this.#queuedBytes + bytes > maxPendingBytes) {
      this.#finish(
        "input_overrun",
        `Cannot hold frame ${message.sequence} on '${message.port}': ${this.#queuedFrames} frames ` +
          `(${this.#queuedBytes} bytes) wait for the graph, the most is ${maxPendingFrames} frames ` +
          `or ${maxPendingBytes} bytes; send a ping and wait for its pong before sending more`,
        true,
      );
      return;
    }
    this.#trips.arrived(message.sequence, performance.now());
    this.#queuedFrames++;
    this.#queuedBytes += bytes;
    this.#enqueue({ t: "frame", message, bytes });
  }

  /**
   * A configure, taken in its turn among the frames (frames sent after it see its values), or
   * refused at once when the server is stopping or {@linkcode MAX_PENDING_CONFIGURES} are held.
   */
  #configure(message: ConfigureMessage): void {
    if (this.#shutdown) {
      this.#answerNow(
        message.id,
        "server_shutting_down",
        "The server is stopping: parameters no longer change",
      );
      return;
    }
    if (this.#configures >= MAX_PENDING_CONFIGURES) {
      this.#answerNow(
        message.id,
        "configure_overrun",
        `Cannot take configure ${message.id}: ${this.#configures} configures wait for their ` +
          `answer, the most is ${MAX_PENDING_CONFIGURES}; wait for an answer before sending more`,
      );
      return;
    }
    this.#configures++;
    this.#enqueue({ t: "configure", message });
  }

  /**
   * Answers a configure out of its turn, at once. A client that floods configures and does not
   * read the answers gets `input_overrun` once the answers fill its socket's buffer, not an
   * unbounded buffer of them.
   */
  #answerNow(id: number, code: string, message: string): void {
    if (this.#state === "opening") {
      // Nothing goes before the accept (a client reads it first): held until it is sent, as many
      // as the pending bound.
      if (this.#early.length >= this.#settings.maxPendingFrames) {
        this.#finish(
          "input_overrun",
          `Cannot answer configure ${id}: ${this.#early.length} answers wait for the session to ` +
            `open; wait for the accept and for answers before sending more`,
          true,
        );
      } else this.#early.push({ type: "configured", id, code, message });
      return;
    }
    if (this.#socket.bufferedAmount > this.#settings.maxBufferedBytes) {
      this.#finish(
        "input_overrun",
        `Cannot answer configure ${id}: the answers sent wait unread; read what the server sends`,
        true,
      );
      return;
    }
    this.#send({ type: "configured", id, code, message });
  }

  #enqueue(item: Item): void {
    this.#queue.push(item);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #open(message: OpenMessage): Promise<void> {
    this.#state = "opening";
    clearTimeout(this.#openTimer);
    const { runner, resolve, observer } = this.#settings;
    let session: Session;
    try {
      const manifest = await resolve(message);
      if (this.#shutdown) {
        this.#finish("server_shutting_down", "The server is stopping: no new sessions", true);
        return;
      }
      if (this.#state !== "opening") return; // the client went away
      // More ports than an accept carries: refused as an open is, with the format's code, before
      // an isolate starts (it was internal_error once the session ran).
      const over = tooManyPorts(manifest);
      if (over !== undefined) {
        observer.refused?.("wire_too_large");
        this.#finish(
          "wire_too_large",
          `Cannot open '${message.pipeline.slice(0, 80)}' over this transport: it has ${over}, ` +
            `the wire format's accept carries at most ${WIRE_LIMITS.ports}`,
          true,
        );
        return;
      }
      // The client's parameters (version 2): unknown_parameter / invalid_parameter refuse the
      // open like any failed open, with the runner's code and message.
      session = await runner.stream(manifest, {
        pipeline: message.pipeline,
        ...(message.parameters !== undefined && { parameters: message.parameters }),
      });
    } catch (error) {
      const { code, message: text } = codeOf(error);
      if (this.#state === "opening") {
        observer.refused?.(code);
        this.#finish(code, text, true);
      }
      return;
    }
    this.#session = session;
    observer.started?.(session.id, message.pipeline);
    this.#startReported = true;
    if (this.#state !== "opening") {
      // The connection ended while the isolate started (the client went away, sent too much).
      this.#startReported = false;
      observer.ended?.(session.id, this.#endCode ?? "client_disconnected");
      await session.close();
      return;
    }
    if (this.#shutdown) {
      this.#finish("server_shutting_down", "The server is stopping: no new sessions", true);
      return;
    }
    this.#state = "open";
    this.#send({
      type: "accept",
      sessionId: session.id,
      inputs: ports(session.inputTypes),
      outputs: ports(session.outputTypes),
      maxMessageBytes: this.#settings.maxMessageBytes,
    });
    for (const answer of this.#early.splice(0)) this.#send(answer);
    session.done.then(() => {
      if (session.state === "failed" && session.error) {
        this.#finish(session.error.code, session.error.message, true);
      }
    });
    if (Object.keys(session.outputTypes).length > 0) this.#task(this.#pump(session));
    else this.#task(this.#sinkEnded(session));
    this.#task(this.#work(session));
  }

  /** Takes the client's frames, ends and pings into the session, one at a time, in order. */
  async #work(session: Session): Promise<void> {
    while (this.#state === "open") {
      const item = this.#queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      if (item.t === "drain") {
        for (const input of Object.keys(session.inputTypes)) this.#endInput(session, input);
      } else if (item.t === "settle") {
        item.settled();
      } else if (item.t === "configure") {
        if (!(await this.#applyConfigure(session, item.message))) return;
      } else if (item.t !== "frame") {
        // Counted against the pending bound until the client has room for the answer.
        const answered = item.t !== "end" || !Object.hasOwn(session.inputTypes, item.port);
        const room = !answered || await this.#readable();
        this.#queuedFrames--;
        if (!room) return;
        if (item.t === "ping") this.#send({ type: "pong", id: item.id });
        else if (item.t === "refuse") {
          this.#send({ type: "error", code: item.code, message: item.message, fatal: false });
        } else if (!Object.hasOwn(session.inputTypes, item.port)) {
          this.#send({
            type: "error",
            code: "app_port_not_found",
            message: `Cannot end '${item.port.slice(0, 80)}': no such input, available inputs: ${
              Object.keys(session.inputTypes).join(", ")
            }`,
            fatal: false,
          });
        } else this.#endInput(session, item.port);
      } else {
        const { message } = item;
        try {
          // The format lets rows be padded (stride); the session takes them packed.
          const frame = message.frame.kind === "video"
            ? packVideoRows(message.frame)
            : message.frame;
          await session.send(message.port, frame, {
            metadata: { ...message.metadata },
            seq: message.sequence,
          });
          this.#settings.observer.frameIn?.();
        } catch (error) {
          if (session.state !== "running" || this.#state !== "open") return;
          const { code, message: text } = codeOf(error);
          if (!(await this.#readable())) return;
          this.#send({
            type: "error",
            code,
            message: `${text} (frame ${message.sequence} on '${message.port.slice(0, 80)}')`,
            fatal: false,
          });
        } finally {
          this.#queuedFrames--;
          this.#queuedBytes -= item.bytes;
        }
      }
    }
  }

  /**
   * Applies a configure and answers it (`configured`, with the refusal's code if any); `false`
   * once the session or the connection ended (their own path tells the client).
   */
  async #applyConfigure(session: Session, message: ConfigureMessage): Promise<boolean> {
    let code = "";
    let text = "";
    try {
      await session.configure(message.parameters);
    } catch (error) {
      if (session.state !== "running" || this.#state !== "open") return false;
      ({ code, message: text } = codeOf(error));
    } finally {
      this.#configures--;
    }
    if (!(await this.#readable())) return false;
    this.#send({ type: "configured", id: message.id, code, message: text });
    return true;
  }

  /**
   * Waits while more than `maxBufferedBytes` wait unread by the client: an answer (a pong, a
   * refusal) is sent no faster than the client reads, as outputs are, so a client that sends and
   * never reads fills the pending bound (`input_overrun`) instead of the server's memory.
   * `false` once the connection is over.
   */
  async #readable(): Promise<boolean> {
    const { maxBufferedBytes } = this.#settings;
    while (
      this.#state === "open" &&
      this.#socket.readyState === WebSocket.OPEN &&
      this.#socket.bufferedAmount > maxBufferedBytes
    ) await delay(5);
    return this.#state === "open";
  }

  /**
   * Runs one of the connection's tasks (its open, its outputs, its inputs): whatever a task
   * throws ends this connection with `internal_error`, never the process (an unhandled rejection
   * would end every session of the server).
   */
  #task(running: Promise<void>): void {
    running.catch((error) => {
      const text = error instanceof Error ? error.message : String(error);
      this.#finish("internal_error", `Internal error: ${text}`, true);
    });
  }

  #endInput(session: Session, input: string): void {
    if (this.#ended.has(input)) return;
    this.#ended.add(input);
    try {
      session.end(input);
    } catch { /* the session ended: its own path reports why */ }
  }

  /** Sends the session's outputs, no faster than the client reads them. */
  async #pump(session: Session): Promise<void> {
    const { observer, maxBufferedBytes } = this.#settings;
    try {
      for await (const item of session.outputs()) {
        // A client that does not read: stop pulling outputs; the graph stalls behind its credit.
        while (
          this.#socket.readyState === WebSocket.OPEN &&
          this.#socket.bufferedAmount > maxBufferedBytes
        ) await delay(5);
        if (this.#state !== "open") return;
        const sent = this.#send({
          type: "frame",
          port: item.output,
          sequence: item.seq >= 0 ? item.seq : 0,
          metadata: item.metadata,
          frame: item.frame,
        }, true);
        if (!sent) continue;
        observer.frameOut?.();
        const trip = item.seq >= 0 ? this.#trips.left(item.seq, performance.now()) : undefined;
        if (trip !== undefined) observer.roundTrip?.(trip);
      }
    } catch (error) {
      const { code, message } = codeOf(error);
      this.#finish(code, message, true);
      return;
    }
    await this.#outputsEnded(session);
  }

  /** A pipeline with no outputs ends when its graph did (every input ended, each node finished). */
  async #sinkEnded(session: Session): Promise<void> {
    await Promise.race([session.graphEnded, session.done]);
    await this.#outputsEnded(session);
  }

  /** The session's outputs all ended (or it has none and its graph ended): `end`s, then `close`. */
  async #outputsEnded(session: Session): Promise<void> {
    if (this.#state !== "open" || session.state !== "running") return;
    // Every message the client sent before now is answered before the close (a frame after its
    // input's end gets its app_port_ended, a ping its pong), in their order: the close would drop
    // what is still queued. Bounded: a frame the graph no longer takes does not hold the close.
    await this.#settled();
    if (this.#state !== "open" || session.state !== "running") return;
    for (const output of Object.keys(session.outputTypes)) {
      this.#send({ type: "end", port: output });
    }
    if (this.#shutdown) {
      this.#finish("server_shutting_down", "The server is stopping: every output was sent", false);
    } else this.#finish("", "", false);
  }

  /**
   * Resolves once the inputs' worker handled every message queued before this call, or after
   * `closeTimeoutMs` (a frame the graph does not take, a client that does not read the answers).
   */
  async #settled(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, this.#settings.closeTimeoutMs);
    this.#enqueue({ t: "settle", settled: resolve });
    await promise;
    clearTimeout(timer);
  }

  /**
   * Encodes and sends one message; `false` when it could not be (the socket closed, or an
   * output frame the format cannot carry, reported to the client as a non-fatal error).
   */
  #send(message: WireMessage, output = false): boolean {
    if (this.#socket.readyState !== WebSocket.OPEN) return false;
    if (message.type === "error" || message.type === "close" || message.type === "configured") {
      // A message may name what the client sent and what is valid (every input of a pipeline):
      // within the format's bounds whatever its length, not an encoding failure.
      message = {
        ...message,
        code: fitUtf8(message.code, WIRE_LIMITS.codeBytes),
        message: fitUtf8(message.message, WIRE_LIMITS.messageBytes),
      };
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeWireMessage(message, { maxMessageBytes: this.#settings.maxMessageBytes });
    } catch (error) {
      if (!(error instanceof WireError) || !output) throw error;
      this.#settings.observer.frameDropped?.(error.code);
      this.#unsendable((message as FrameMessage).port, error);
      return false;
    }
    try {
      this.#socket.send(bytes);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * An output frame the format cannot carry: the first of a port and code is reported at once as
   * a non-fatal error; the ones after it are counted and reported together, at most once a
   * second, and any not reported yet before the connection's `close`.
   */
  #unsendable(port: string, error: WireError): void {
    const key = `${port}\n${error.code}`;
    const now = performance.now();
    const entry = this.#unsent.get(key);
    if (entry === undefined) {
      const first = { port, code: error.code, message: error.message, count: 1, reportedAt: now };
      this.#unsent.set(key, first);
      this.#reportUnsent(first, now, true);
      return;
    }
    entry.message = error.message;
    entry.count++;
    if (now - entry.reportedAt >= UNSENT_REPORT_MS) this.#reportUnsent(entry, now);
    else {
      this.#unsentTimer ??= setTimeout(() => {
        this.#unsentTimer = undefined;
        this.#flushUnsent();
      }, entry.reportedAt + UNSENT_REPORT_MS - now);
    }
  }

  /** Reports every count of unsent frames not reported yet. */
  #flushUnsent(): void {
    clearTimeout(this.#unsentTimer);
    this.#unsentTimer = undefined;
    const now = performance.now();
    for (const entry of this.#unsent.values()) if (entry.count > 0) this.#reportUnsent(entry, now);
  }

  #reportUnsent(entry: Unsent, now: number, first = false): void {
    const port = entry.port.slice(0, 80);
    const text = first
      ? `Cannot send a frame of '${port}': ${entry.message}`
      : `Cannot send ${entry.count} more frame${entry.count === 1 ? "" : "s"} of '${port}' ` +
        `(${entry.code}) in the last ${Math.round(now - entry.reportedAt)} ms; the last: ` +
        entry.message;
    entry.count = 0;
    entry.reportedAt = now;
    this.#send({ type: "error", code: entry.code, message: text, fatal: false });
  }

  /** The client's side closed (or the network dropped it). */
  #gone(): void {
    if (this.#state === "done") return;
    this.#finish("client_disconnected", "", false, false);
  }

  /**
   * Ends the connection once: an `error` (when `error`) and a `close` with the code, the
   * session closed, the observer told.
   */
  #finish(code: string, message: string, error: boolean, send = true): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#endCode = code;
    clearTimeout(this.#openTimer);
    clearTimeout(this.#unsentTimer);
    if (send) {
      this.#flushUnsent();
      if (error) this.#send({ type: "error", code, message: message.slice(0, 1000), fatal: true });
      this.#send({ type: "close", code, message: message.slice(0, 1000) });
      try {
        this.#socket.close(1000);
      } catch { /* closed already */ }
      // A client that never answers the close would hold its connection for as long as it likes.
      this.#closeTimer = setTimeout(() => {
        if (forceClose(this.#socket)) this.#socketClosed.resolve();
      }, this.#settings.closeTimeoutMs);
    }
    this.#queue.length = 0;
    this.#wake?.();
    const session = this.#session;
    // Also a session that started while the server began to stop (its open then refused): told
    // it started, so told it ended (the metrics' active count, the log's 'ended' line).
    if (session && this.#startReported) {
      this.#startReported = false;
      this.#settings.observer.ended?.(session.id, code);
    }
    const closing = session ? session.close() : Promise.resolve();
    closing.finally(() => {
      this.#resolveDone();
      this.#socketClosed.promise.then(() => this.#onDone(this));
    });
  }
}
