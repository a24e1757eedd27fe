/**
 * One event-stream client: a WebSocket with a bounded outgoing queue.
 *
 * @module
 */

/** What a client's queue may hold before it gives up on the client's pace. */
export interface ClientLimits {
  /** Bytes the socket may have buffered before the client counts as slow. */
  readonly highWaterBytes: number;
  /** Events queued for a slow client before they are replaced by a fresh snapshot. */
  readonly maxQueuedEvents: number;
}

/** The counters of one client. */
export interface ClientCounters {
  /** Messages sent. */
  sent: number;
  /** Stats messages replaced by a newer one before they could be sent. */
  droppedStats: number;
  /** Preview frames replaced by a newer one before they could be sent. */
  droppedFrames: number;
  /** Times the client fell so far behind that it got a snapshot instead of its events. */
  resyncs: number;
}

/**
 * What waits for one event-stream client, and what it missed: `Dashboard.clients()`.
 *
 * @example Find clients that fell behind
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClientBacklog, createDashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const dashboard = await createDashboard(rt);
 * const behind = (c: ClientBacklog) => c.bufferedBytes > 1 << 20 || c.droppedStats > 0;
 * assert.equal(dashboard.clients().filter(behind).length, 0); // no client is connected
 * await dashboard.close();
 * ```
 */
export interface ClientBacklog {
  /** Bytes the socket has accepted and not yet handed to the network. */
  readonly bufferedBytes: number;
  /** Events queued for the next send (at most `maxQueuedEvents`, then a snapshot replaces them). */
  readonly queuedEvents: number;
  /** Preview frames waiting, one at most per watched output. */
  readonly queuedFrames: number;
  /** Whether a stats message waits (only the newest is kept). */
  readonly queuedStats: boolean;
  /** The outputs it watches. */
  readonly watched: readonly string[];
  /** Messages sent. */
  readonly sent: number;
  /** Stats messages replaced by a newer one before they could be sent. */
  readonly droppedStats: number;
  /** Preview frames replaced by a newer one before they could be sent. */
  readonly droppedFrames: number;
  /** Times it fell so far behind that it got a snapshot instead of its events. */
  readonly resyncs: number;
}

/**
 * A connected client. Nothing here ever waits for the client: what it cannot take yet waits in
 * slots that keep only the newest stats, the newest graph and the newest frame per output, and a
 * bounded event queue; a client that overflows that queue gets a fresh snapshot instead. So a
 * slow client costs a few strings, and the pipeline never waits for it.
 */
export class StreamClient {
  /** The socket. */
  readonly socket: WebSocket;
  /** The outputs it watches (`node.port`). */
  watched: ReadonlySet<string> = new Set();
  /** Its counters. */
  readonly counters: ClientCounters = { sent: 0, droppedStats: 0, droppedFrames: 0, resyncs: 0 };
  readonly #limits: ClientLimits;
  #snapshot = false;
  #events: string[] = [];
  #graph: string | undefined;
  #stats: string | undefined;
  readonly #frames = new Map<string, Uint8Array<ArrayBuffer>>();

  /**
   * Wraps a socket.
   *
   * @param socket An upgraded WebSocket.
   * @param limits Its queue bounds.
   */
  constructor(socket: WebSocket, limits: ClientLimits) {
    this.socket = socket;
    this.#limits = limits;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * What waits for this client now, and its counters.
   *
   * @returns The backlog.
   */
  backlog(): ClientBacklog {
    let bufferedBytes = 0;
    try {
      bufferedBytes = this.socket.bufferedAmount;
    } catch {
      // A closed socket has nothing buffered that will ever be sent.
    }
    return {
      bufferedBytes,
      queuedEvents: this.#events.length,
      queuedFrames: this.#frames.size,
      queuedStats: this.#stats !== undefined,
      watched: [...this.watched],
      ...this.counters,
    };
  }

  /** Asks for a snapshot at the next flush (it supersedes queued events and graph). */
  needSnapshot(): void {
    this.#snapshot = true;
    this.#events = [];
    this.#graph = undefined;
  }

  /**
   * Queues one serialized event.
   *
   * @param json A `LoggedEvent` as JSON.
   */
  offerEvent(json: string): void {
    if (this.#snapshot) return; // the snapshot will carry it
    this.#events.push(json);
    if (this.#events.length > this.#limits.maxQueuedEvents) {
      this.counters.resyncs++;
      this.needSnapshot();
    }
  }

  /**
   * Replaces the pending graph message.
   *
   * @param json A `GraphMessage` as JSON.
   */
  offerGraph(json: string): void {
    if (!this.#snapshot) this.#graph = json;
  }

  /**
   * Replaces the pending stats message.
   *
   * @param json A `StatsMessage` as JSON.
   */
  offerStats(json: string): void {
    if (this.#stats !== undefined) this.counters.droppedStats++;
    this.#stats = json;
  }

  /**
   * Replaces the pending frame of one output, if the client watches it.
   *
   * @param output `node.port`.
   * @param message The encoded preview (shared by every client; never modified).
   */
  offerFrame(output: string, message: Uint8Array<ArrayBuffer>): void {
    if (!this.watched.has(output)) return;
    if (this.#frames.has(output)) this.counters.droppedFrames++;
    this.#frames.set(output, message);
  }

  /**
   * Sends what is pending, unless the socket's buffer is above the high-water mark (then it
   * waits for the next flush). Never throws.
   *
   * @param snapshot Builds the snapshot message, when one is due.
   */
  flush(snapshot: () => string): void {
    if (!this.open) return;
    try {
      if (this.socket.bufferedAmount > this.#limits.highWaterBytes) return;
      if (this.#snapshot) {
        this.#snapshot = false;
        this.#send(snapshot());
      }
      if (this.#events.length > 0) {
        const events = this.#events;
        this.#events = [];
        this.#send(`{"type":"events","events":[${events.join(",")}]}`);
      }
      if (this.#graph !== undefined) {
        this.#send(this.#graph);
        this.#graph = undefined;
      }
      if (this.#stats !== undefined) {
        this.#send(this.#stats);
        this.#stats = undefined;
      }
      for (const [output, frame] of this.#frames) {
        if (this.socket.bufferedAmount > this.#limits.highWaterBytes) break;
        this.#frames.delete(output);
        this.#send(frame);
      }
    } catch {
      // The socket closed under us; its close event removes the client.
    }
  }

  #send(message: string | Uint8Array<ArrayBuffer>): void {
    this.socket.send(message);
    this.counters.sent++;
  }
}
