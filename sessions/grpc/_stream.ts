/**
 * The `Stream` RPC: one streaming session per call. Internal.
 *
 * @module
 */

import type * as grpc from "@grpc/grpc-js";
import { SessionError } from "../errors.ts";
import type { Session } from "../session.ts";
import {
  admit,
  codeOf,
  type LiveCall,
  outcomeOf,
  type ServeContext,
  statusOf,
  UNDECODABLE,
} from "./_context.ts";
import { fromProtoFrame, type ProtoFrame, toProtoFrame } from "./_frames.ts";
import { type ProtoStruct, structToParameters } from "./_struct.ts";
import { GrpcRequestError } from "./errors.ts";
import type { CallOutcome } from "./_outcome.ts";

/** A `StreamRequest` as proto-loader decodes it. */
interface StreamRequest {
  message?: "open" | "frame" | "end" | "configure";
  open?: { pipeline?: string; metadata?: Record<string, string>; parameters?: ProtoStruct };
  frame?: { port?: string; frame?: ProtoFrame };
  end?: { port?: string };
  configure?: { id?: number; parameters?: ProtoStruct };
  [UNDECODABLE]?: string;
}

/** Codes that refuse one frame; the session goes on (answered with a `StreamResponse.error`). */
const FRAME_REFUSALS = new Set([
  "app_frame_mismatch",
  "app_port_not_found",
  "app_port_ended",
  "message_too_large",
  "frame_too_large",
  "wire_too_large",
  "server_shutting_down",
]);

/** How a stream ends when the server stops. */
function endedByStop(): GrpcRequestError {
  return new GrpcRequestError(
    "server_shutting_down",
    "The server is stopping: the session ended with what it made so far",
  );
}

/**
 * Ends a call with `status` once the writes before it went out. Not with grpc-js's
 * `emit("error", status)`: the async iterator reading the call's requests takes that error as
 * its own and destroys the stream, so when a write was still in flight the status never left and
 * the client got CANCELLED, no code, when the connection was cut (a stream whose last output left
 * just before the end: a stop, an idle timeout, a processor that threw). The duplex keeps the
 * status its `end()` sends in `pendingStatus` (grpc-js 1.14.7, pinned;
 * `tests/sessions/grpc_shutdown_test.ts` fails without it); without that field, the emit.
 */
function endWithStatus(
  call: grpc.ServerDuplexStream<unknown, unknown>,
  status: ReturnType<typeof statusOf>,
): void {
  const duplex = call as unknown as { pendingStatus?: unknown };
  if (duplex.pendingStatus === undefined || call.writableEnded) {
    call.emit("error", status);
    return;
  }
  duplex.pendingStatus = status;
  call.end();
}

/** Sends a call keeps in flight to its session before it reads the next request. */
const SEND_WINDOW = 8;

/**
 * Configures a call may have waiting for their answer; one past it is answered at once with
 * `configure_overrun` (the WebSocket transport's bound too).
 */
export const MAX_PENDING_CONFIGURES = 16;

/**
 * Serves one `Stream` call.
 *
 * @param ctx The server's state.
 * @param call The call.
 */
export function handleStream(
  ctx: ServeContext,
  call: grpc.ServerDuplexStream<unknown, unknown>,
): void {
  void new StreamCall(ctx, call).run();
}

class StreamCall implements LiveCall {
  readonly #ctx: ServeContext;
  readonly #call: grpc.ServerDuplexStream<unknown, unknown>;
  readonly #outcome: CallOutcome;
  #session: Session | undefined;
  #finished = false;
  #shuttingDown = false;
  readonly #ended: Promise<void>;
  #resolveEnded!: () => void;
  readonly #endedInputs = new Set<string>();
  readonly #sent = new Map<string, number>();
  #pumping: Promise<void> = Promise.resolve();
  #reading: Promise<void> = Promise.resolve();
  /** Resolved once every frame the client sent was taken: every input ended, or the half-close. */
  readonly #taken: Promise<void>;
  #resolveTaken!: () => void;
  /** Configures sent to the session and not answered yet. */
  readonly #configuring = new Set<Promise<void>>();
  /** The answer of the last configure sent to the session. */
  #lastAnswer: Promise<void> = Promise.resolve();

  constructor(ctx: ServeContext, call: grpc.ServerDuplexStream<unknown, unknown>) {
    this.#ctx = ctx;
    this.#call = call;
    this.#outcome = outcomeOf(ctx, call.metadata);
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#taken = new Promise((resolve) => (this.#resolveTaken = resolve));
    call.on("cancelled", () => {
      this.#finish();
      void this.#session?.close();
    });
    // A client's reset arrives here too; the call is over either way.
    call.on("error", () => this.#finish());
  }

  async run(): Promise<void> {
    this.#ctx.calls.add(this);
    try {
      // Not destroyed when the client half-closes: the call still writes the outputs.
      const requests = this.#call.iterator({ destroyOnReturn: false }) as AsyncIterator<
        StreamRequest
      >;
      const first = await this.#first(requests);
      if (first === undefined) return;
      if (first.message !== "open") {
        throw new GrpcRequestError(
          "grpc_invalid_message",
          `The first StreamRequest must be an open (the pipeline's name), got ${
            first.message ?? "an empty message"
          }`,
        );
      }
      const pipeline = first.open?.pipeline ?? "";
      const manifest = await admit(this.#ctx, this.#call.metadata, pipeline);
      const parameters = structToParameters(first.open?.parameters);
      if (this.#finished) return;
      const session = await this.#outcome.open(() =>
        this.#ctx.runner.stream(manifest, { pipeline, parameters })
      );
      this.#session = session;
      if (this.#finished) return;
      await this.#write({
        accepted: {
          sessionId: session.id,
          inputs: Object.entries(session.inputTypes).map(([name, type]) => ({ name, type })),
          outputs: Object.entries(session.outputTypes).map(([name, type]) => ({ name, type })),
          maxMessageBytes: this.#ctx.runner.limits.maxMessageBytes,
        },
      });
      this.#reading = this.#read(session, requests).catch((error) => this.#fail(error));
      this.#pumping = this.#pump(session);
      await this.#pumping;
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#ctx.calls.delete(this);
      await this.#session?.close();
    }
  }

  /**
   * The first request, or `undefined` when the call was cancelled first; bounded by the idle
   * timeout.
   *
   * @throws {GrpcRequestError} `grpc_invalid_message` when the client half-closes first.
   * @throws {SessionError} `session_idle_timeout` when nothing comes in time.
   */
  async #first(requests: AsyncIterator<StreamRequest>): Promise<StreamRequest | undefined> {
    const ms = this.#ctx.runner.limits.idleTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SessionError(
              "session_idle_timeout",
              `No open came within ${ms} ms of the call's start (idleTimeoutMs)`,
            ),
          ),
        ms,
      );
    });
    try {
      const next = await Promise.race([requests.next(), timeout, this.#ended.then(() => null)]);
      if (next === null) return undefined;
      if (next.done) {
        throw new GrpcRequestError(
          "grpc_invalid_message",
          "The call ended its requests before an open (the pipeline's name)",
        );
      }
      return this.#checkDecoded(next.value);
    } finally {
      clearTimeout(timer);
    }
  }

  #checkDecoded(request: StreamRequest): StreamRequest {
    if (request[UNDECODABLE] !== undefined) {
      throw new GrpcRequestError(
        "grpc_invalid_message",
        `A StreamRequest that does not decode: ${request[UNDECODABLE]}`,
      );
    }
    return request;
  }

  /**
   * Reads the client's frames, ends and configures into the session, a few sends in flight,
   * until the client half-closes; then ends the inputs left and waits for the sends and
   * configures in flight. Once every input ended the call is free to end (`#taken`), and what
   * the client still sends until then is answered: a frame with `app_port_ended`. A configure goes
   * after the frames before it were taken, and the frames after it wait for its answer.
   */
  async #read(session: Session, requests: AsyncIterator<StreamRequest>): Promise<void> {
    const inFlight: Promise<void>[] = [];
    while (!this.#finished) {
      const next = await requests.next();
      if (next.done || this.#finished) break;
      const request = this.#checkDecoded(next.value);
      if (request.message === "frame") {
        if (this.#configuring.size > 0) await Promise.all(this.#configuring);
        const port = request.frame?.port ?? "";
        const index = this.#sent.get(port) ?? 0;
        this.#sent.set(port, index + 1);
        if (this.#shuttingDown) {
          // The server ended the inputs: the frame is refused as the stop's, not the client's.
          await this.#refused(
            new GrpcRequestError(
              "server_shutting_down",
              `Cannot send to '${port.slice(0, 80)}': the server is stopping; frames sent ` +
                "after the stop began are not taken",
            ),
            port,
            index,
          );
          continue;
        }
        let inbound;
        try {
          inbound = fromProtoFrame(port, request.frame?.frame ?? {}, session.id);
        } catch (error) {
          await this.#refused(error, port, index);
          continue;
        }
        inFlight.push(
          session.send(port, inbound.frame, { metadata: inbound.metadata, seq: inbound.seq })
            .then(() => {}, (error) => this.#refused(error, port, index)),
        );
        if (inFlight.length >= SEND_WINDOW) await inFlight.shift();
      } else if (request.message === "configure") {
        const id = request.configure?.id ?? 0;
        if (this.#shuttingDown) {
          await this.#configured(id, "server_shutting_down", "The server is stopping");
        } else if (this.#configuring.size >= MAX_PENDING_CONFIGURES) {
          await this.#configured(
            id,
            "configure_overrun",
            `Cannot take configure ${id}: ${this.#configuring.size} configures wait for their ` +
              `answer, the most is ${MAX_PENDING_CONFIGURES}; wait for an answer before sending more`,
          );
        } else {
          await Promise.all(inFlight.splice(0));
          this.#configure(session, id, request.configure?.parameters);
        }
      } else if (request.message === "end") {
        const port = request.end?.port ?? "";
        await Promise.all([...inFlight.splice(0), ...this.#configuring]);
        if (!Object.hasOwn(session.inputTypes, port)) {
          await this.#refused(
            new SessionError(
              "app_port_not_found",
              `Cannot end '${port.slice(0, 80)}': no such input, available inputs: ${
                Object.keys(session.inputTypes).join(", ")
              }`,
              session.id,
              { input: port.slice(0, 256), available: Object.keys(session.inputTypes) },
            ),
            port,
            this.#sent.get(port) ?? 0,
          );
        } else this.#endInput(session, port);
        const inputs = Object.keys(session.inputTypes);
        // Nothing more to take: the call may end once the outputs did. Frames sent after it are
        // still read, and refused (before: left unread, unanswered).
        if (inputs.every((name) => this.#endedInputs.has(name))) this.#resolveTaken();
      } else {
        throw new GrpcRequestError(
          "grpc_invalid_message",
          request.message === "open"
            ? "A second open on one Stream: a call carries one session"
            : "A StreamRequest with none of open, frame, end, configure set",
        );
      }
    }
    await Promise.all([...inFlight, ...this.#configuring]);
    // The client's half-close ends every input it did not end.
    for (const name of Object.keys(session.inputTypes)) this.#endInput(session, name);
    this.#resolveTaken();
  }

  #endInput(session: Session, name: string): void {
    if (this.#endedInputs.has(name) || this.#finished) return;
    this.#endedInputs.add(name);
    try {
      session.end(name);
    } catch {
      // The session ended: the pump reports why.
    }
  }

  /**
   * Sends a configure's values to the session without waiting for it; its answer (a
   * `Configured`, with the refusal's code) is written when the session answers.
   */
  #configure(session: Session, id: number, struct: ProtoStruct | undefined): void {
    const previous = this.#lastAnswer;
    const answered = (async () => {
      let code = "";
      let message = "";
      try {
        await session.configure(structToParameters(struct) ?? {});
      } catch (error) {
        const coded = error as { code?: unknown; message?: unknown };
        code = typeof coded.code === "string" ? coded.code : "internal_error";
        message = typeof coded.message === "string" ? coded.message : String(error);
      }
      // Answers go out in the order of their configures.
      await previous.catch(() => {});
      await this.#configured(id, code, message);
    })();
    this.#lastAnswer = answered;
    this.#configuring.add(answered);
    // A failed write is the call's end, which the reader and the pump report.
    answered.finally(() => this.#configuring.delete(answered)).catch(() => {});
  }

  #configured(id: number, code: string, message: string): Promise<void> {
    return this.#write({ configured: { id, code, message } });
  }

  /** A refused frame: answered in the stream when the session goes on, else left to the pump. */
  async #refused(error: unknown, port: string, index: number): Promise<void> {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && FRAME_REFUSALS.has(code)) {
      await this.#write({
        error: { code, message: (error as Error).message, port, index },
      });
    }
  }

  /**
   * Writes the session's outputs to the call; once every output ended and every frame the
   * client sent was taken (its half-close, or every input's end), ends the call with `OK`, or
   * with the status of what ended the session.
   */
  async #pump(session: Session): Promise<void> {
    try {
      for await (const item of session.outputs()) {
        await this.#write({ frame: toProtoFrame(item) });
        if (this.#finished) return;
      }
      if (!this.#shuttingDown) {
        await Promise.race([this.#taken, this.#reading, session.done, this.#ended]);
      }
      if (this.#finished) return; // cancelled, or refused while reading
      if (session.state === "failed") throw session.error;
      if (this.#shuttingDown) throw endedByStop();
      for (const name of Object.keys(session.outputTypes)) {
        await this.#write({ end: { port: name } });
      }
      // Freed before the status: a caller that got it can open the next session at once.
      await session.close();
      if (!this.#finished) {
        this.#finish();
        this.#call.end();
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Writes a message, waiting while the call's buffer is full (the client reads slowly). The
   * wait ends when the buffer drains, the call ends, or the session ends (a client that never
   * reads: the session's idle timeout ends it, and the call with its status).
   */
  async #write(message: unknown): Promise<void> {
    if (this.#finished) return;
    if (this.#call.write(message)) return;
    const session = this.#session;
    await Promise.race([
      new Promise<void>((resolve) => this.#call.once("drain", resolve)),
      this.#ended,
      ...(session ? [session.done] : []),
    ]);
    if (session?.state === "failed") this.#fail(session.error);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resolveEnded();
  }

  #fail(error: unknown): void {
    if (this.#finished) return;
    this.#finish();
    const status = statusOf(error);
    // Told now: grpc-js holds the status behind a write the client does not read, and a cut
    // connection fails that write with a status of its own (INTERNAL) the client never sees.
    this.#outcome.end(codeOf(status));
    endWithStatus(this.#call, status);
  }

  async shutdown(graceMs: number): Promise<void> {
    this.#shuttingDown = true;
    const session = this.#session;
    if (session === undefined) {
      this.#fail(new GrpcRequestError("server_shutting_down", "The server is stopping"));
      return;
    }
    for (const name of Object.keys(session.inputTypes)) this.#endInput(session, name);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#pumping,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    // The grace is over: the status goes now. The session's close waits for a processor still
    // in `process()` (up to `maxRunMs`), which must not hold the client's status past the grace
    // (it went out only after it, and a connection cut meanwhile left the client CANCELLED).
    this.#fail(endedByStop());
    await session.close();
    await this.#pumping;
  }
}
