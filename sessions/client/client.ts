/**
 * {@linkcode connect}: a client of a server of pipeline sessions over WebSocket (`streamlib
 * serve`, or any `SessionHandler`).
 *
 * @module
 */

import { decodeWireMessage } from "../wire/decode.ts";
import { encodeWireMessage } from "../wire/encode.ts";
import { WireError } from "../wire/errors.ts";
import type { AcceptMessage, WireMetadata, WireParameters } from "../wire/messages.ts";
import { SessionClientError } from "./errors.ts";
import type { ListedPipeline } from "../wire/pipelines.ts";
import { openWebSocket } from "./_tcp_websocket.ts";
import { readBoundedBody } from "../../ffi/net/bounded_body.ts";
import {
  type ClientFrame,
  type ClientFrameInput,
  type ClientSendOptions,
  ClientSession,
} from "./session.ts";

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** The access token every `open` carries (empty: none). */
  readonly token?: string;
  /** What the client says about itself in every `open`. */
  readonly metadata?: WireMetadata;
  /** Frames a session sends ahead of the server's confirmation. Default 32. */
  readonly window?: number;
  /** How long an `open` may take to be accepted. Default 30 000 ms. */
  readonly openTimeoutMs?: number;
  /** Called with each non-fatal error a server sends (a refused frame). */
  readonly onError?: (error: SessionClientError) => void;
}

/** What one session's `open()` (and `execute()`) sends beside the pipeline's name. */
export interface OpenOptions {
  /** What the client says about itself in this `open`, beside the client's own metadata. */
  readonly metadata?: WireMetadata;
  /**
   * Values of the pipeline's `parameters` (`{ gain: 3 }`): the config fields its manifest lets a
   * caller choose. A name it does not declare fails the open with `unknown_parameter` (the
   * message lists the names it does), a value its field refuses with `invalid_parameter`.
   * Sent in a version 2 `open`; none (or `{}`) sends a version 1 `open`, as before.
   */
  readonly parameters?: WireParameters;
  /**
   * Aborts the open (`open()`: the connection is closed and it rejects with the signal's reason,
   * as `fetch()` does) or the whole run (`execute()`: its session is closed, and it rejects with
   * the reason). A signal already aborted connects to nothing. Not sent to the server.
   */
  readonly signal?: AbortSignal;
}

const OPEN_OPTIONS = ["metadata", "parameters", "signal"];

/** A frame `execute()` sends: the frame, or the frame with its metadata. */
export type ClientExecuteInput = ClientFrameInput | {
  /** The frame. */
  readonly frame: ClientFrameInput;
  /** Its metadata. */
  readonly metadata?: WireMetadata;
};

/** The largest message a client reads before the server's `accept` names its own. */
const FIRST_MESSAGE_BYTES = 1024 * 1024;
/** The largest pipeline listing read from a server (the Python client's bound too). */
const MAX_LISTING_BYTES = 16 * 1024 * 1024;

/**
 * A server's sessions: each `open()` is a WebSocket of its own carrying one session; `execute()`
 * runs one on whole inputs.
 *
 * @example Unary: whole inputs in, outputs out
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
 * import { SessionClient } from "@streamlib/streamlib/sessions/client";
 *
 * const runner = new PipelineRunner();
 * const handler = new SessionHandler({
 *   runner,
 *   resolve: () => ({
 *     version: 1,
 *     nodes: [{ id: "fx", type: "Gain", config: { gain: 3 } }],
 *     inputs: { audio: "fx.in" },
 *     outputs: { audio: "fx.out" },
 *   }),
 * });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
 * const client = new SessionClient(`ws://127.0.0.1:${server.addr.port}/`);
 * const block = { kind: "audio", channels: 2, sampleRate: 16000, samples: new Float32Array([0.1, 0.1]) } as const;
 * const out = await client.execute("triple", { audio: [block, { frame: block, metadata: { k: "v" } }] });
 * assert.deepEqual(out.audio.map((f) => [f.sequence, f.metadata.k]), [[0, undefined], [1, "v"]]);
 * await handler.close();
 * await server.shutdown();
 * await runner.close();
 * ```
 */
export class SessionClient {
  /** The server's WebSocket URL (`ws://host:port/v1/sessions`). */
  readonly url: string;
  readonly #options: ConnectOptions;

  /**
   * A client of one server; nothing connects until `open()`.
   *
   * @param url The server's WebSocket URL.
   * @param options The token, the metadata, the pacing window.
   * @throws {RangeError} When `window` is not a positive integer.
   */
  constructor(url: string | URL, options: ConnectOptions = {}) {
    this.url = String(url);
    const window = options.window ?? 32;
    if (!(Number.isInteger(window) && window > 0)) {
      throw new RangeError(`Invalid window: must be a positive integer, got ${window}`);
    }
    this.#options = { ...options, window };
  }

  /**
   * The pipelines this client's token may open on a `streamlib serve`, with their inputs, outputs
   * and parameters (`GET /v1/pipelines`, beside the server's `/v1/sessions`).
   *
   * @returns The pipelines, by name order.
   * @throws {SessionClientError} `missing_token` / `invalid_token` when the server refuses the
   * token; `connection_failed` when it cannot be reached, does not answer within `openTimeoutMs`
   * or answers with something that is not the listing (a server without the route).
   *
   * @example What a server offers
   * ```ts
   * import assert from "node:assert/strict";
   * import { serveSessions } from "@streamlib/streamlib/serve";
   * import { connect } from "@streamlib/streamlib/sessions/client";
   *
   * const catalog = new Map([["louder", {
   *   version: 1,
   *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
   *   inputs: { audio: "fx.in" },
   *   outputs: { audio: "fx.out" },
   *   parameters: { gain: "fx.gain" },
   * }]]);
   * const server = await serveSessions({ catalog, port: 0 });
   * const [louder] = await connect(server.sessionsUrl).pipelines();
   * assert.equal(louder.name, "louder");
   * assert.equal(louder.parameters.gain.target, "fx.gain");
   * await server.close();
   * ```
   */
  async pipelines(): Promise<ListedPipeline[]> {
    const url = new URL(this.url);
    url.protocol = url.protocol === "wss:" ? "https:" : "http:";
    url.pathname = url.pathname.replace(/\/v1\/sessions\/?$/, "") + "/v1/pipelines";
    url.search = "";
    const token = this.#options.token ?? "";
    const timeoutMs = this.#options.openTimeoutMs ?? 10_000;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: token === "" ? {} : { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SessionClientError(
        "connection_failed",
        `Cannot list the pipelines at ${url}: ${(error as Error).message}`,
        true,
      );
    }
    let body: unknown;
    try {
      // A listing is a few kB; a server that answers without end costs at most the bound.
      const bytes = await readBoundedBody(response, MAX_LISTING_BYTES);
      if (bytes === undefined) {
        throw new SessionClientError(
          "connection_failed",
          `Cannot list the pipelines at ${url}: the answer is over ${MAX_LISTING_BYTES} bytes`,
          true,
        );
      }
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch (error) {
      if (error instanceof SessionClientError) throw error;
      body = undefined;
    }
    const refusal = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (!response.ok && typeof refusal?.code === "string") {
      throw new SessionClientError(refusal.code, String(refusal.message ?? refusal.code), true);
    }
    const pipelines = (body as { pipelines?: unknown } | undefined)?.pipelines;
    if (!response.ok || !Array.isArray(pipelines)) {
      throw new SessionClientError(
        "connection_failed",
        `Cannot list the pipelines at ${url}: the server answered ${response.status} without a listing`,
        true,
      );
    }
    return pipelines as ListedPipeline[];
  }

  /**
   * Opens a session of a named pipeline.
   *
   * @param pipeline The pipeline's name on the server.
   * @param openOptions This `open`'s metadata (beside the client's) and the pipeline's
   * parameters.
   * @returns The session, accepted.
   * @throws {SessionClientError} The server's code when it refuses (`pipeline_not_found`,
   * `missing_token`, `invalid_token`, `pipeline_not_allowed`, `session_limit_reached`,
   * `invalid_manifest`, `unknown_parameter`, `invalid_parameter`, ...); `connection_failed` when
   * the server cannot be reached or does not answer within `openTimeoutMs`; the wire's code
   * (`wire_malformed`, `wire_too_large`) for metadata or parameters the format cannot carry.
   * @throws {TypeError} When `openOptions` is not an object of `metadata` and `parameters`.
   *
   * @example Choose a pipeline's parameter
   * ```ts
   * import assert from "node:assert/strict";
   * import { PipelineRunner } from "@streamlib/streamlib/sessions";
   * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
   * import { SessionClient, SessionClientError } from "@streamlib/streamlib/sessions/client";
   *
   * const runner = new PipelineRunner();
   * const handler = new SessionHandler({
   *   runner,
   *   resolve: () => ({
   *     version: 1,
   *     nodes: [{ id: "fx", type: "Gain", config: { gain: 1 } }],
   *     inputs: { audio: "fx.in" },
   *     outputs: { audio: "fx.out" },
   *     parameters: { gain: "fx.gain" },
   *   }),
   * });
   * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
   * const client = new SessionClient(`ws://127.0.0.1:${server.addr.port}/`);
   * const session = await client.open("louder", { parameters: { gain: 3 } });
   * await session.send("audio", { kind: "audio", channels: 1, sampleRate: 16000, samples: new Float32Array([0.25]) });
   * session.end("audio");
   * for await (const out of session.outputs()) {
   *   assert.ok(out.frame.kind === "audio" && out.frame.samples[0] === 0.75);
   * }
   * await assert.rejects(
   *   client.open("louder", { parameters: { volume: 3 } }),
   *   (error) => error instanceof SessionClientError && error.code === "unknown_parameter",
   * );
   * await handler.close();
   * await server.shutdown();
   * await runner.close();
   * ```
   */
  open(pipeline: string, openOptions: OpenOptions = {}): Promise<ClientSession> {
    const options = this.#options;
    let open: Uint8Array;
    let signal: AbortSignal | undefined;
    try {
      open = encodeOpen(pipeline, options, openOptions);
      signal = abortSignalOf(openOptions);
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<ClientSession>((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = openWebSocket(this.url);
      } catch (error) {
        reject(new SessionClientError("connection_failed", (error as Error).message, true));
        return;
      }
      socket.binaryType = "arraybuffer";
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        reject(error);
        try {
          socket.close();
        } catch { /* closed already */ }
      };
      const aborted = () => fail(signal!.reason);
      signal?.addEventListener("abort", aborted, { once: true });
      const timeoutMs = options.openTimeoutMs ?? 30_000;
      const timer = setTimeout(
        () =>
          fail(
            new SessionClientError(
              "connection_failed",
              `Cannot open '${pipeline}' at ${this.url}: no answer within ${timeoutMs} ms`,
              true,
            ),
          ),
        timeoutMs,
      );
      socket.onopen = () => socket.send(open);
      // What went wrong, when the socket says (connection refused, an HTTP status, ...).
      let failure = "";
      socket.onerror = (event) => {
        const message = (event as ErrorEvent).message;
        if (typeof message === "string" && message !== "") failure = message;
      };
      socket.onclose = (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        const reason = (event as CloseEvent | undefined)?.reason;
        const why = failure !== ""
          ? failure
          : typeof code === "number" && code !== 1005 && code !== 1006
          ? `the server closed the connection (code ${code}${reason ? `: ${reason}` : ""}) ` +
            `before an accept`
          : "the connection closed before an accept";
        fail(
          new SessionClientError(
            "connection_failed",
            `Cannot open '${pipeline}' at ${this.url}: ${why}`,
            true,
          ),
        );
      };
      socket.onmessage = (event) => {
        if (settled || !(event.data instanceof ArrayBuffer)) return;
        try {
          const message = decodeWireMessage(new Uint8Array(event.data), {
            maxMessageBytes: FIRST_MESSAGE_BYTES,
          });
          if (message.type === "accept") {
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener("abort", aborted);
            resolve(
              new ClientSession(socket, message as AcceptMessage, {
                window: options.window!,
                onError: options.onError,
              }),
            );
          } else if (message.type === "error" || message.type === "close") {
            fail(new SessionClientError(message.code, message.message, true));
          }
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          fail(new SessionClientError(error.code, error.message, true));
        }
      };
    });
  }

  /**
   * Runs a pipeline on whole inputs (unary): opens a session, sends every frame of each input,
   * ends them, and returns each output's frames once the server closed the session.
   *
   * @param pipeline The pipeline's name.
   * @param inputs The frames of each input, in order.
   * @param openOptions The `open`'s metadata and the pipeline's parameters, as `open()` takes,
   * and a signal that aborts the whole run.
   * @returns The frames of each output.
   * @throws {SessionClientError} What `open()` and `send()` throw, the code the session ended
   * with, or the first frame the server refused (`app_frame_mismatch`, `message_too_large`, ...:
   * the outputs would be incomplete).
   * @throws {unknown} The signal's reason when `openOptions.signal` aborts.
   */
  async execute(
    pipeline: string,
    inputs: Readonly<
      Record<string, Iterable<ClientExecuteInput> | AsyncIterable<ClientExecuteInput>>
    >,
    openOptions: OpenOptions = {},
  ): Promise<Record<string, ClientFrame[]>> {
    const session = await this.open(pipeline, openOptions);
    const signal = abortSignalOf(openOptions);
    const abort = () => session.close().catch(() => {});
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const outputs: Record<string, ClientFrame[]> = {};
      for (const port of session.outputPorts) outputs[port.name] = [];
      const reading = (async () => {
        for await (const item of session.outputs()) (outputs[item.output] ??= []).push(item);
      })();
      reading.catch(() => {}); // awaited below unless a send fails first
      try {
        await this.#sendAll(session, inputs);
        await reading;
      } catch (error) {
        signal?.throwIfAborted(); // closed by the signal: its reason, not the close's code
        throw error;
      }
      signal?.throwIfAborted();
      // A frame the server refused leaves the outputs incomplete: not a result.
      if (session.errors.length > 0) throw session.errors[0];
      return outputs;
    } finally {
      signal?.removeEventListener("abort", abort);
      await session.close();
    }
  }

  /** Sends every frame of each input, then ends every input. */
  async #sendAll(
    session: ClientSession,
    inputs: Readonly<
      Record<string, Iterable<ClientExecuteInput> | AsyncIterable<ClientExecuteInput>>
    >,
  ): Promise<void> {
    for (const [name, frames] of Object.entries(inputs)) {
      for await (const entry of frames) {
        const wrapped = "frame" in entry && typeof entry.frame === "object" &&
          entry.frame !== null &&
          "kind" in entry.frame;
        if (wrapped) {
          const { frame, metadata } = entry as {
            frame: ClientFrameInput;
            metadata?: WireMetadata;
          };
          await session.send(name, frame, { metadata } satisfies ClientSendOptions);
        } else await session.send(name, entry as ClientFrameInput);
      }
    }
    for (const port of session.inputPorts) session.end(port.name);
  }
}

/** The `signal` of open options (checked: an `AbortSignal` or nothing). */
function abortSignalOf(options: OpenOptions): AbortSignal | undefined {
  const signal = (options as { signal?: unknown } | null)?.signal;
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Invalid open option 'signal': expected an AbortSignal, got ${typeof signal}`,
  );
}

/**
 * The `open` message's bytes: version 1, or version 2 when the caller gave parameters.
 *
 * @throws {TypeError} Options that are not an object of `metadata` and `parameters` (a metadata
 * object passed where the options go, say).
 * @throws {SessionClientError} The wire's code for what the format cannot carry.
 */
function encodeOpen(
  pipeline: string,
  client: ConnectOptions,
  options: OpenOptions,
): Uint8Array {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Invalid open options: expected an object, got ${String(options)}`);
  }
  const unknown = Object.keys(options).find((key) => !OPEN_OPTIONS.includes(key));
  if (unknown !== undefined) {
    throw new TypeError(
      `Invalid open option '${unknown.slice(0, 80)}': valid options: ${OPEN_OPTIONS.join(", ")}` +
        " (metadata goes in { metadata: { ... } })",
    );
  }
  const { metadata, parameters } = options;
  const chosen = parameters !== undefined && parameters !== null &&
    !(typeof parameters === "object" && !Array.isArray(parameters) &&
      Object.keys(parameters).length === 0);
  try {
    return encodeWireMessage({
      type: "open",
      pipeline,
      token: client.token ?? "",
      metadata: { ...client.metadata, ...metadata },
      ...(chosen && { parameters }),
    });
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new SessionClientError(error.code, error.message, true);
  }
}

/**
 * A client of a session server.
 *
 * @param url The server's WebSocket URL (`ws://127.0.0.1:8080/v1/sessions`).
 * @param options The token and the rest of {@linkcode ConnectOptions}.
 * @returns The client (nothing connects until `open()` or `execute()`).
 * @throws {RangeError} When `window` is not a positive integer.
 *
 * @example Refused: no such pipeline
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler, TransportError } from "@streamlib/streamlib/sessions/websocket";
 * import { connect, SessionClientError } from "@streamlib/streamlib/sessions/client";
 *
 * const runner = new PipelineRunner();
 * const resolve = () => {
 *   throw new TransportError("pipeline_not_found", "No pipeline 'nope'");
 * };
 * const handler = new SessionHandler({ runner, resolve });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
 * const client = connect(`ws://127.0.0.1:${server.addr.port}/`, { token: "t" });
 * await assert.rejects(
 *   client.open("nope"),
 *   (error) => error instanceof SessionClientError && error.code === "pipeline_not_found",
 * );
 * await handler.close();
 * await server.shutdown();
 * ```
 */
export function connect(url: string | URL, options: ConnectOptions = {}): SessionClient {
  return new SessionClient(url, options);
}
