/**
 * The event stream: a WebSocket hub that sends each client a snapshot on connect, then events as
 * they happen, the graph when it changes, stats about 10 times a second and the previews it
 * watches.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import { RateTracker, visibleGraph } from "./graph_view.ts";
import { layoutGraph } from "./layout.ts";
import type { PreviewProbes } from "./previews.ts";
import {
  API_VERSION,
  type DashboardEvent,
  type ErrorMessage,
  type GraphLayout,
  type GraphView,
  type LoggedEvent,
  type NodeErrorInfo,
  type Point,
  type ProcessorInfo,
  type SnapshotMessage,
  type StatsView,
} from "../shared/protocol.ts";
import { type ClientBacklog, type ClientLimits, StreamClient } from "./stream_client.ts";

/** Options of a {@linkcode StreamHub}. */
export interface StreamHubOptions {
  /** The runtime. */
  readonly runtime: Runtime;
  /** The registry as the API lists it. */
  readonly processors: ProcessorInfo[];
  /** The previews (probes of the watched outputs). */
  readonly previews: PreviewProbes;
  /** Stats messages per second. Default 10. */
  readonly statsHz?: number;
  /** Events kept for snapshots. Default 200. */
  readonly history?: number;
  /** Bounds of each client's queue. */
  readonly limits?: Partial<ClientLimits>;
  /** What lays the graph out. Default {@linkcode layoutGraph} (ELK). */
  readonly layoutGraph?: typeof layoutGraph;
}

/** Events that change the graph's shape: the graph is laid out again. */
const TOPOLOGY = new Set([
  "node-added",
  "node-removed",
  "connection-added",
  "connection-removed",
  "worker-exit",
]);
const MAX_CLIENT_MESSAGE = 64 * 1024;
/** How often the hub samples stats for rates while no client streams them. */
const RATE_SAMPLE_MS = 500;
const MAX_WATCHED = 256;

/**
 * Fans the runtime's events, graph and stats out to WebSocket clients. The runtime is read only
 * through its public API (`on()`, `describe()`, `stats()`); a stats snapshot is taken once per
 * tick and serialized once for every client, and only while some client is connected.
 */
export class StreamHub {
  readonly #rt: Runtime;
  readonly #processors: ProcessorInfo[];
  readonly #previews: PreviewProbes;
  readonly #periodMs: number;
  readonly #historySize: number;
  readonly #limits: ClientLimits;
  readonly #layoutGraph: typeof layoutGraph;
  readonly #clients = new Set<StreamClient>();
  readonly #history: LoggedEvent[] = [];
  readonly #errors: Record<string, NodeErrorInfo> = {};
  readonly #rates = new RateTracker();
  readonly #unsubscribe: () => void;
  #seq = 0;
  #view: GraphView;
  #layout: GraphLayout = { width: 0, height: 0, nodes: {}, edges: {} };
  #visible = { nodes: new Set<string>(), connections: new Set<string>() };
  #graphDirty = true;
  #layingOut: Promise<void> | undefined;
  /** A config changed while a layout was under way: send the graph again once it is done. */
  #configChanged = false;
  #ticker: ReturnType<typeof setInterval> | undefined;
  readonly #sampler: ReturnType<typeof setInterval>;
  #flushPending = false;
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Node places chosen by hand (`placeNode()`), kept while the node exists. */
  readonly #pins = new Map<string, Point>();

  /**
   * Subscribes to the runtime and lays out the graph (await {@linkcode StreamHub.ready}).
   *
   * @param options Runtime, registry, previews, rates and limits.
   */
  constructor(options: StreamHubOptions) {
    this.#rt = options.runtime;
    this.#processors = options.processors;
    this.#previews = options.previews;
    this.#periodMs = 1000 / (options.statsHz ?? 10);
    this.#historySize = options.history ?? 200;
    this.#limits = {
      highWaterBytes: options.limits?.highWaterBytes ?? 1 << 20,
      maxQueuedEvents: options.limits?.maxQueuedEvents ?? 500,
    };
    this.#layoutGraph = options.layoutGraph ?? layoutGraph;
    this.#view = this.#refreshVisible();
    this.#unsubscribe = this.#rt.on((event) => this.publish(event));
    this.#relayout();
    // A baseline for rates, kept about a second old, so the first stats a reader asks for
    // (GET /stats) has real rates, clients or not.
    this.#rates.observe(this.#rt.stats());
    this.#sampler = setInterval(() => {
      if (this.#clients.size === 0) this.#rates.observe(this.#rt.stats());
    }, RATE_SAMPLE_MS);
    Deno.unrefTimer(this.#sampler);
  }

  /** Connected clients. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** What waits for each connected client, and what each missed. */
  clientBacklogs(): ClientBacklog[] {
    return [...this.#clients].map((client) => client.backlog());
  }

  /** Resolves when the current graph is laid out. */
  async ready(): Promise<void> {
    while (this.#layingOut) await this.#layingOut;
  }

  /**
   * Records an event and queues it for every client. The runtime's events come here through
   * `rt.on()`.
   *
   * @param event The event.
   */
  publish(event: DashboardEvent): void {
    if (this.#closed) return;
    const logged: LoggedEvent = { seq: ++this.#seq, event };
    this.#history.push(logged);
    if (this.#history.length > this.#historySize) this.#history.shift();
    if (event.type === "node-error") {
      const { phase, name, message, stack, timeNs } = event;
      this.#errors[event.node] = { phase, name, message, stack, timeNs };
    } else if (event.type === "node-removed") {
      this.#pins.delete(event.node);
      delete this.#errors[event.node];
    }
    const json = JSON.stringify(logged);
    for (const client of this.#clients) client.offerEvent(json);
    if (TOPOLOGY.has(event.type)) {
      this.#refreshVisible();
      this.#relayout();
      this.#scheduleReconcile();
    } else if (event.type === "node-config") {
      // A config change is not a topology change: the node is redrawn where it is.
      this.#sendConfig();
    }
    this.#scheduleFlush();
  }

  /**
   * Places a node in the drawing by hand (a node dropped from the palette, or dragged): the
   * layout keeps it there and routes its edges again. A node not in the graph yet is placed when
   * it comes (so a drop can name its place before the node is added).
   *
   * @param id The node's id.
   * @param at Its top-left corner, in drawing coordinates.
   */
  placeNode(id: string, at: Point): void {
    if (this.#pins.size >= 1000 && !this.#pins.has(id)) {
      this.#pins.delete(this.#pins.keys().next().value!);
    }
    this.#pins.set(id, { x: Math.round(at.x), y: Math.round(at.y) });
    this.#relayout();
  }

  /**
   * Where each node of the current layout is drawn (top-left corners, rounded), for the saved
   * manifest's `ui.positions`. Await {@linkcode StreamHub.ready} first for the latest graph.
   *
   * @returns The positions by node id.
   */
  positions(): Record<string, Point> {
    const positions: Record<string, Point> = {};
    for (const [id, box] of Object.entries(this.#layout.nodes)) {
      if (this.#visible.nodes.has(id)) {
        positions[id] = { x: Math.round(box.x), y: Math.round(box.y) };
      }
    }
    return positions;
  }

  /** The most recent events, oldest first. */
  recentEvents(): LoggedEvent[] {
    return [...this.#history];
  }

  /** The last error of each node that failed. */
  errors(): Record<string, NodeErrorInfo> {
    return { ...this.#errors };
  }

  /**
   * The stats now, with rates over about the last second.
   *
   * @returns The stats view.
   */
  stats(): StatsView {
    return this.#rates.view(this.#rt.stats(), this.#visible, this.#previews.levels());
  }

  /**
   * The stats with rates over at least `minSpanMs`: right away when the baseline is old enough
   * (the usual case), else after waiting out the rest (a hub made a moment ago).
   *
   * @param minSpanMs The shortest span rates are taken over. Default 250.
   * @returns The stats view.
   */
  async measuredStats(minSpanMs = 250): Promise<StatsView> {
    const span = this.#rates.spanNs(this.#rt.stats().timeNs) / 1e6;
    if (span < minSpanMs) await new Promise((r) => setTimeout(r, minSpanMs - span));
    return this.stats();
  }

  /**
   * Everything a new client needs.
   *
   * @returns The snapshot.
   */
  snapshot(): SnapshotMessage {
    return {
      type: "snapshot",
      version: API_VERSION,
      processors: this.#processors,
      graph: this.#view,
      layout: this.#layout,
      stats: this.stats(),
      events: this.recentEvents(),
      errors: this.errors(),
    };
  }

  /**
   * Takes an upgraded WebSocket: on open it gets a snapshot, then the stream.
   *
   * @param socket The socket from `Deno.upgradeWebSocket()`.
   */
  attach(socket: WebSocket): void {
    const client = new StreamClient(socket, this.#limits);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      if (this.#closed) return socket.close(1001, "dashboard closing");
      this.#clients.add(client);
      client.needSnapshot();
      client.flush(() => JSON.stringify(this.snapshot()));
      this.#ticker ??= setInterval(() => this.#tick(), this.#periodMs);
    };
    socket.onmessage = (e) => this.#onClientMessage(client, e.data);
    socket.onclose = () => this.#drop(client);
    socket.onerror = () => this.#drop(client);
  }

  /** Closes every client, stops the timers and unsubscribes from the runtime. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    clearInterval(this.#ticker);
    clearInterval(this.#sampler);
    clearTimeout(this.#reconcileTimer);
    for (const client of this.#clients) {
      try {
        client.socket.close(1001, "dashboard closing");
      } catch {
        // Already closing.
      }
    }
    this.#clients.clear();
  }

  /**
   * Hands an encoded preview to the clients that watch its output.
   *
   * @param output `node.port`.
   * @param message The encoded preview.
   */
  offerFrame(output: string, message: Uint8Array<ArrayBuffer>): void {
    for (const client of this.#clients) client.offerFrame(output, message);
    this.#scheduleFlush();
  }

  #drop(client: StreamClient): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size === 0) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    this.#scheduleReconcile();
  }

  #tick(): void {
    const json = JSON.stringify({ type: "stats", stats: this.stats() });
    for (const client of this.#clients) client.offerStats(json);
    this.#flushAll();
  }

  #scheduleFlush(): void {
    if (this.#flushPending || this.#clients.size === 0) return;
    this.#flushPending = true;
    // A microtask: events go out as soon as the runtime call that emitted them returns.
    queueMicrotask(() => {
      this.#flushPending = false;
      if (!this.#closed) this.#flushAll();
    });
  }

  #flushAll(): void {
    let snapshot: string | undefined;
    const build = () => snapshot ??= JSON.stringify(this.snapshot());
    for (const client of this.#clients) client.flush(build);
  }

  #onClientMessage(client: StreamClient, data: unknown): void {
    const fail = (message: string, field?: string) => {
      const error: ErrorMessage = {
        type: "error",
        error: { status: 400, code: "invalid_message", message, ...(field ? { field } : {}) },
      };
      try {
        client.socket.send(JSON.stringify(error));
      } catch {
        // Closed.
      }
    };
    if (typeof data !== "string" || data.length > MAX_CLIENT_MESSAGE) {
      return fail(
        `Cannot read the message: expected JSON text of at most ${MAX_CLIENT_MESSAGE} characters`,
      );
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (error) {
      return fail(`Cannot parse the message: ${(error as Error).message}`);
    }
    const m = message as { type?: unknown; outputs?: unknown };
    if (typeof message !== "object" || message === null || m.type !== "watch") {
      return fail(
        `Cannot use the message: type must be "watch", got ${JSON.stringify(m?.type)}`,
        "type",
      );
    }
    const outputs = m.outputs;
    if (
      !Array.isArray(outputs) || outputs.length > MAX_WATCHED ||
      !outputs.every((o) => typeof o === "string" && o.length < 256)
    ) {
      return fail(
        `Cannot watch: outputs must be an array of at most ${MAX_WATCHED} "node.port" strings`,
        "outputs",
      );
    }
    client.watched = new Set(outputs as string[]);
    this.#scheduleReconcile();
  }

  #scheduleReconcile(): void {
    if (this.#reconcileTimer !== undefined || this.#closed) return;
    this.#reconcileTimer = setTimeout(() => {
      this.#reconcileTimer = undefined;
      const wanted = new Set<string>();
      for (const client of this.#clients) for (const o of client.watched) wanted.add(o);
      this.#previews.reconcile(wanted);
    }, 0);
  }

  #refreshVisible(): GraphView {
    const view = visibleGraph(this.#rt.describe());
    this.#visible = {
      nodes: new Set(view.nodes.map((n) => n.id)),
      connections: new Set(view.connections.map((c) => c.id)),
    };
    return view;
  }

  /** Sends the graph with the new config and the current layout, without laying it out. */
  #sendConfig(): void {
    if (this.#layingOut) {
      this.#configChanged = true; // the layout under way may have read the old config
      return;
    }
    this.#configChanged = false;
    this.#view = visibleGraph(this.#rt.describe());
    this.#offerGraph();
  }

  #offerGraph(): void {
    const json = JSON.stringify({ type: "graph", graph: this.#view, layout: this.#layout });
    for (const client of this.#clients) client.offerGraph(json);
    this.#scheduleFlush();
  }

  #relayout(): void {
    this.#graphDirty = true;
    // Laid out in a later task, so the events of the change are sent first.
    this.#layingOut ??= new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => this.#layoutLoop())
      .finally(() => {
        this.#layingOut = undefined;
        if (this.#configChanged && !this.#closed) this.#sendConfig();
      });
  }

  async #layoutLoop(): Promise<void> {
    while (this.#graphDirty && !this.#closed) {
      this.#graphDirty = false;
      const view = visibleGraph(this.#rt.describe());
      let layout: GraphLayout;
      try {
        layout = await this.#layoutGraph(view, this.#layout, Object.fromEntries(this.#pins));
      } catch (error) {
        console.error(
          `streamlib dashboard: cannot lay out the graph: ${(error as Error)?.stack ?? error}`,
        );
        continue;
      }
      if (this.#graphDirty) continue; // changed while laying out: lay out again
      this.#view = view;
      this.#layout = layout;
      this.#offerGraph();
    }
  }
}
