/**
 * {@linkcode SessionHandler}: pipeline sessions over WebSocket, as a `Request` handler any
 * `Deno.serve` (or hono) app mounts.
 *
 * @module
 */

import type { OpenMessage } from "../wire/messages.ts";
import type { PipelineRunner } from "../runner.ts";
import type { SessionObserver } from "./observer.ts";
import { WireConnection } from "./_connection.ts";

/**
 * Finds the manifest an `open` asks for, after checking its token: returns the manifest (or a
 * promise of it), or throws a coded error (`TransportError` with `pipeline_not_found`,
 * `missing_token`, `invalid_token`, `pipeline_not_allowed`) that the client gets as a fatal
 * `error` and a `close`.
 */
export type PipelineResolver = (open: OpenMessage) => unknown;

/** Options of a {@linkcode SessionHandler}. */
export interface SessionHandlerOptions {
  /** Runs the sessions; its limits are the sessions' limits. */
  readonly runner: PipelineRunner;
  /** The manifest of each `open`, or the refusal. */
  readonly resolve: PipelineResolver;
  /** Told of every session, frame and round trip (metrics). */
  readonly observer?: SessionObserver;
  /**
   * Bytes a connection may hold unsent to a client before the server stops pulling the session's
   * outputs (the graph then stalls behind its credit, and the runner's idle timeout ends the
   * session if the client never reads again). Default 1 MiB.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Frames of a client a connection holds before its graph takes them; one more ends the
   * session with `input_overrun`. Default 256.
   */
  readonly maxPendingFrames?: number;
  /** Bytes of such frames; past it, `input_overrun`. Default: twice the largest message. */
  readonly maxPendingBytes?: number;
  /** How long a new connection may take to send its `open`. Default 10 000 ms. */
  readonly openTimeoutMs?: number;
  /**
   * Connections held beyond the runner's `maxSessions`: upgraded and waiting for their `open`
   * (or for their session to start), or ended and waiting for the client to answer the close.
   * An upgrade past it gets HTTP 503 with the code `session_limit_reached`, before any socket
   * is made. Default 1 024 (an upgrade refused with 503 is `connection_failed` to a WebSocket
   * client, which cannot read the answer; one refused after its `open` gets the code). It also
   * bounds memory: Deno reads each WebSocket message whole, up to 64 MiB, before the server sees
   * its size (denoland/deno#15809: no option to lower it), so each connection can hold up to
   * 64 MiB while a message arrives.
   */
  readonly maxWaitingConnections?: number;
  /**
   * How long a client has to answer the server's WebSocket close; past it the connection is cut.
   * Default 5 000 ms.
   */
  readonly closeTimeoutMs?: number;
}

/** Headroom over the runner's `maxMessageBytes` for a frame's header, port and metadata. */
const ENVELOPE_BYTES = 512 * 1024;

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!(Number.isFinite(resolved) && resolved > 0)) {
    throw new RangeError(
      `Invalid session handler option ${name}: must be a positive number, got ${value}`,
    );
  }
  return resolved;
}

/**
 * Serves pipeline sessions over WebSocket in the session wire format (`docs/wire_format.md`):
 * each connection opens one session with an `open` (pipeline name, token), gets `accept` or a
 * fatal `error` and a `close`, then sends frames and ends on the inputs and receives the outputs'
 * frames, with their sequence numbers and metadata, and their ends. The handler knows no
 * catalog and no tokens: `resolve` decides what an `open` gets.
 *
 * Bounded for any client: frames wait for the graph up to `maxPendingFrames` and
 * `maxPendingBytes` (past it `input_overrun`); a client that never reads stalls its graph once
 * `maxBufferedBytes` wait in its socket, and the runner's idle timeout ends it; a client that goes
 * away has its session closed at once. A `ping` is answered once every message before it was
 * handled (its frames taken by the graph): the one signal a client needs to pace itself.
 *
 * @example A Gain session over a real socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 * import { SessionHandler } from "@streamlib/streamlib/sessions/websocket";
 * import { connect } from "@streamlib/streamlib/sessions/client";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * };
 * const runner = new PipelineRunner();
 * const handler = new SessionHandler({ runner, resolve: () => manifest });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (r) => handler.handle(r));
 * const client = connect(`ws://127.0.0.1:${server.addr.port}/`);
 * const block = { kind: "audio", channels: 2, sampleRate: 16000, samples: new Float32Array([0.25, 0.5]) } as const;
 * const outputs = await client.execute("gain", { audio: [block] });
 * assert.deepEqual([...(outputs.audio[0].frame as { samples: Float32Array }).samples], [0.5, 1]);
 * await handler.close();
 * await server.shutdown();
 * await runner.close();
 * ```
 */
export class SessionHandler {
  readonly #settings: ConstructorParameters<typeof WireConnection>[1];
  readonly #connections = new Set<WireConnection>();
  readonly #maxWaiting: number;
  #draining = false;

  /**
   * A handler with no connection yet.
   *
   * @param options The runner, the resolver, the observer and the bounds.
   * @throws {RangeError} When a bound is not a positive number.
   */
  constructor(options: SessionHandlerOptions) {
    const maxMessageBytes = options.runner.limits.maxMessageBytes + ENVELOPE_BYTES;
    this.#settings = {
      runner: options.runner,
      resolve: options.resolve,
      observer: options.observer ?? {},
      maxMessageBytes,
      maxBufferedBytes: positive("maxBufferedBytes", options.maxBufferedBytes, 1024 * 1024),
      maxPendingFrames: positive("maxPendingFrames", options.maxPendingFrames, 256),
      maxPendingBytes: positive("maxPendingBytes", options.maxPendingBytes, 2 * maxMessageBytes),
      openTimeoutMs: positive("openTimeoutMs", options.openTimeoutMs, 10_000),
      closeTimeoutMs: positive("closeTimeoutMs", options.closeTimeoutMs, 5_000),
    };
    this.#maxWaiting = positive("maxWaitingConnections", options.maxWaitingConnections, 1024);
  }

  /**
   * Connections open now (each with its session, waiting for its `open`, or ended and waiting
   * for the client to answer the close).
   */
  get connections(): number {
    return this.#connections.size;
  }

  /** Whether `close()` was called: new connections get `server_shutting_down`. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Answers one request: a WebSocket upgrade becomes a session's connection. Anything else gets
   * 426 with the code `upgrade_required`, a malformed upgrade (no `Sec-WebSocket-Key`, say) 400
   * with the same code, and an upgrade past `maxSessions` plus `maxWaitingConnections`
   * connections 503 with `session_limit_reached`.
   *
   * @param request The request.
   * @returns The response (the upgrade's, or the 426).
   */
  handle(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      const message = "Sessions need a WebSocket upgrade (Upgrade: websocket)";
      return Response.json(
        { error: { status: 426, code: "upgrade_required", message } },
        { status: 426, headers: { upgrade: "websocket" } },
      );
    }
    const limit = this.#settings.runner.limits.maxSessions + this.#maxWaiting;
    if (this.#connections.size >= limit) {
      return Response.json({
        error: {
          status: 503,
          code: "session_limit_reached",
          message: `Cannot take a connection: ${this.#connections.size} are open, the most is ` +
            `${limit} (maxSessions ${this.#settings.runner.limits.maxSessions} and ` +
            `${this.#maxWaiting} waiting for their open or their close); retry later`,
        },
      }, { status: 503, headers: { "retry-after": "1" } });
    }
    // No WebSocket-level idle ping: Deno's re-arms a timer on every message received and sent
    // (two timers a frame each way); a session's own idle timeout ends a silent one.
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
    } catch (error) {
      const message =
        `Invalid WebSocket upgrade: ${
          (error as Error).message
        }; send GET with Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Key and ` +
        `Sec-WebSocket-Version: 13`;
      return Response.json(
        { error: { status: 400, code: "upgrade_required", message } },
        { status: 400 },
      );
    }
    const { socket, response } = upgraded;
    const connection = new WireConnection(socket, this.#settings, (c) => {
      this.#connections.delete(c);
    });
    this.#connections.add(connection);
    if (this.#draining) socket.addEventListener("open", () => void connection.drain(0));
    return response;
  }

  /**
   * Stops: every session's accepted frames go in, its inputs are ended, its outputs flush for up
   * to `drainMs`, then it gets `close` with `server_shutting_down`. New connections are refused
   * the same way. The runner is not closed (its owner closes it).
   *
   * @param drainMs How long outputs may take to flush. Default 5 000 ms.
   */
  async close(drainMs = 5_000): Promise<void> {
    this.#draining = true;
    await Promise.all([...this.#connections].map((c) => c.drain(drainMs)));
  }
}
