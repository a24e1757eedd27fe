/**
 * The control protocol's JSON shapes: what the HTTP API returns and what the event stream sends.
 * Shared by the server and the page; documented in `docs/control_api.md`.
 *
 * @module
 */

import type { GraphDescription, RuntimeEvent } from "../../mod.ts";
import type { ConnectionStats } from "../../core/transport/connection.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { ProcessorDescriptor } from "../../core/schema/descriptor.ts";
import type { NodeState, NodeStats, RuntimeState } from "../../core/lifecycle/stats.ts";
import type { GpuStats } from "../../core/gpu/gpu_context.ts";

/**
 * The protocol version: the `v1` of `/api/v1`, and `version` in every snapshot.
 *
 * @example Check that a server speaks this version
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, API_VERSION, createDashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const dashboard = await createDashboard(createRuntime());
 * const index = await (await fetch(`${dashboard.origin}${API_BASE}`)).json();
 * assert.ok(index.version === API_VERSION);
 * await dashboard.close();
 * ```
 */
export const API_VERSION = 1;

/**
 * Where the versioned API lives.
 */
export const API_BASE = "/api/v1";

/**
 * A processor type from the registry, with the fields that may change while running.
 */
export interface ProcessorInfo extends ProcessorDescriptor {
  /** Config fields that may change while the graph runs (the recording lock spares them). */
  readonly liveFields: readonly string[];
}

/**
 * The graph as the dashboard shows it: `rt.describe()` (previews are probes, not nodes).
 */
export type GraphView = GraphDescription;

/**
 * Per-second rates of a node, from the last two stats snapshots.
 *
 * @example Label a node with its rates
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeRates } from "@streamlib/streamlib/web";
 *
 * const label = (r: NodeRates) => `${r.calls} calls/s, ${r.framesIn} in/s, ${r.framesOut} out/s`;
 * assert.equal(label({ calls: 100, framesIn: 100, framesOut: 100 }), "100 calls/s, 100 in/s, 100 out/s");
 * ```
 */
export interface NodeRates {
  /** `process()` calls per second. */
  calls: number;
  /** Frames read per second. */
  framesIn: number;
  /** Frames written per second. */
  framesOut: number;
}

/**
 * Per-second rates of a connection, from the last two stats snapshots.
 *
 * @example Say how an edge is doing
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConnectionRates } from "@streamlib/streamlib/web";
 *
 * const status = (r: ConnectionRates) =>
 *   !r.moving ? "idle" : r.dropped > 0 ? `dropping ${r.dropped} of ${r.written}/s` : "flowing";
 * assert.equal(status({ written: 30, dropped: 0, moving: true }), "flowing");
 * assert.equal(status({ written: 30, dropped: 6, moving: true }), "dropping 6 of 30/s");
 * ```
 */
export interface ConnectionRates {
  /** Frames written per second. */
  written: number;
  /** Frames dropped per second. */
  dropped: number;
  /** Whether frames were written since the previous snapshot (the edge is drawn moving). */
  moving: boolean;
}

/**
 * The level of an audio output: RMS and peak per channel, linear (1 is full scale).
 *
 * @example Show the left channel's peak in dBFS
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioLevel } from "@streamlib/streamlib/web";
 *
 * const level: AudioLevel = { rms: [0.25, 0.25], peak: [0.5, 0.5] };
 * assert.equal(`${(20 * Math.log10(level.peak[0])).toFixed(1)} dBFS`, "-6.0 dBFS");
 * ```
 */
export interface AudioLevel {
  /** RMS of the newest block, per channel. */
  rms: number[];
  /** Peak of the newest block, per channel. */
  peak: number[];
}

/**
 * `rt.stats()`, with rates and the audio levels of watched outputs.
 */
export interface StatsView {
  /** The runtime's state. */
  state: RuntimeState;
  /** When the snapshot was taken, on the media clock. */
  timeNs: number;
  /** Per node id. */
  nodes: Record<string, NodeStats & { state: NodeState; rates: NodeRates }>;
  /** Per connection id. */
  connections: Record<string, ConnectionStats & { rates: ConnectionRates }>;
  /** Per watched audio output (`node.port`). */
  levels: Record<string, AudioLevel>;
  /** The main isolate's GPU device and texture pool (`rt.stats().gpu`), when the runtime has one. */
  gpu?: GpuStats;
}

/**
 * A point in layout coordinates.
 *
 * @example Draw an edge's route as an SVG path
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Point } from "@streamlib/streamlib/web";
 *
 * const route: Point[] = [{ x: 180, y: 40 }, { x: 220, y: 40 }, { x: 220, y: 90 }];
 * const d = route.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" ");
 * assert.equal(d, "M 180 40 L 220 40 L 220 90");
 * ```
 */
export interface Point {
  /** Horizontal, growing right. */
  x: number;
  /** Vertical, growing down. */
  y: number;
}

/**
 * Where a node sits.
 */
export interface NodeBox {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/**
 * Node positions and edge routes, computed by the server with ELK.
 */
export interface GraphLayout {
  /** Width of the whole drawing. */
  width: number;
  /** Height of the whole drawing. */
  height: number;
  /** Per node id. */
  nodes: Record<string, NodeBox>;
  /** Per connection id: the route from the output port to the input port. */
  edges: Record<string, Point[]>;
}

/**
 * Everything the event stream reports: the runtime's events (`rt.on()`), config changes
 * (`node-config`) included. The dashboard adds none of its own.
 *
 * @example Describe an event, whichever kind it is
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DashboardEvent } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * function describe(event: DashboardEvent): string {
 *   switch (event.type) {
 *     case "node-config":
 *       return `${event.node}: ${event.changed.join(", ")} changed (${event.applied})`;
 *     case "node-added":
 *       return `${event.node} (${event.processor}) added`;
 *     default:
 *       return event.type;
 *   }
 * }
 *
 * const rt = createRuntime();
 * const log: string[] = [];
 * rt.on((event) => log.push(describe(event)));
 * rt.add("Gain", {}, { id: "gain" });
 * rt.setConfig("gain", { gain: 2 });
 * assert.deepEqual(log, [ "gain (Gain) added", "gain: gain changed (stored)" ]);
 * ```
 */
export type DashboardEvent = RuntimeEvent;

/**
 * An event with its place in the stream.
 *
 * @example Read the event log from the API
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, createDashboard, type LoggedEvent } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const dashboard = await createDashboard(rt);
 * rt.add("Gain", {}, { id: "gain" });
 * rt.add("NullSink", {}, { id: "sink" });
 * const body = await (await fetch(`${dashboard.origin}${API_BASE}/events`)).json();
 * const events: LoggedEvent[] = body.events;
 * assert.deepEqual(events.map(({ seq, event }) => `${seq} ${event.type}`), [ "1 node-added", "2 node-added" ]);
 * await dashboard.close();
 * ```
 */
export interface LoggedEvent {
  /** Increases by one per event, from 1. */
  seq: number;
  /** The event. */
  event: DashboardEvent;
}

/**
 * The last error of a node, with its stack.
 */
export interface NodeErrorInfo {
  /** The method that threw. */
  phase: "setup" | "process" | "teardown";
  /** The error's name. */
  name: string;
  /** The error's message. */
  message: string;
  /** The stack, when it has one. */
  stack: string | null;
  /** When, on the media clock. */
  timeNs: number;
}

/**
 * Everything a client needs to draw the dashboard: sent first on every stream connection.
 */
export interface SnapshotMessage {
  /** Discriminant. */
  type: "snapshot";
  /** {@linkcode API_VERSION}. */
  version: number;
  /** The registry. */
  processors: ProcessorInfo[];
  /** The graph. */
  graph: GraphView;
  /** Its layout. */
  layout: GraphLayout;
  /** The latest stats. */
  stats: StatsView;
  /** The most recent events, oldest first. */
  events: LoggedEvent[];
  /** The last error of each node that failed. */
  errors: Record<string, NodeErrorInfo>;
}

/**
 * The graph changed: a node or connection was added or removed (laid out again), or a config
 * changed (the same layout).
 */
export interface GraphMessage {
  /** Discriminant. */
  type: "graph";
  /** The graph. */
  graph: GraphView;
  /** Its layout. */
  layout: GraphLayout;
}

/**
 * Sent about 10 times a second while a client is connected.
 */
export interface StatsMessage {
  /** Discriminant. */
  type: "stats";
  /** The stats. */
  stats: StatsView;
}

/**
 * Events, as they happen.
 */
export interface EventsMessage {
  /** Discriminant. */
  type: "events";
  /** The events, oldest first. */
  events: LoggedEvent[];
}

/**
 * The server could not use a message the client sent.
 */
export interface ErrorMessage {
  /** Discriminant. */
  type: "error";
  /** What was wrong, as in an HTTP error body. */
  error: ApiErrorBody["error"];
}

/**
 * A text message from the server. Video previews come as binary messages.
 *
 * @example Dispatch on the message type
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, createDashboard, type ServerMessage } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * function summary(message: ServerMessage): string {
 *   switch (message.type) {
 *     case "snapshot":
 *       return `snapshot of ${message.graph.nodes.length} nodes`;
 *     case "graph":
 *       return `graph of ${message.graph.nodes.length} nodes`;
 *     case "stats":
 *       return `stats (${message.stats.state})`;
 *     case "events":
 *       return `${message.events.length} events`;
 *     case "error":
 *       return `error ${message.error.code}`;
 *   }
 * }
 *
 * const rt = createRuntime();
 * rt.add("Gain", {}, { id: "gain" });
 * const dashboard = await createDashboard(rt, { statsHz: 20 });
 * const ws = new WebSocket(`ws://127.0.0.1:${dashboard.port}${API_BASE}/stream?token=${dashboard.token}`);
 * const seen: string[] = [];
 * await new Promise<void>((resolve) => {
 *   ws.onmessage = (event) => {
 *     const message: ServerMessage = JSON.parse(event.data);
 *     seen.push(summary(message));
 *     if (message.type === "stats") resolve();
 *   };
 * });
 * assert.deepEqual(seen, [ "snapshot of 1 nodes", "stats (stopped)" ]);
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await dashboard.close();
 * ```
 */
export type ServerMessage =
  | SnapshotMessage
  | GraphMessage
  | StatsMessage
  | EventsMessage
  | ErrorMessage;

/**
 * A client asks for previews of these outputs (`node.port`); an empty list stops them.
 *
 * @example Watch a tone's levels
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, type AudioLevel, createDashboard, type ServerMessage, type WatchMessage } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", { waveform: "square", amplitude: 0.5 }, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const dashboard = await createDashboard(rt, { statsHz: 20 });
 * const ws = new WebSocket(`ws://127.0.0.1:${dashboard.port}${API_BASE}/stream?token=${dashboard.token}`);
 * const level = new Promise<AudioLevel>((resolve) => {
 *   ws.onmessage = (event) => {
 *     const message: ServerMessage = JSON.parse(event.data);
 *     if (message.type === "snapshot") {
 *       const watch: WatchMessage = { type: "watch", outputs: ["tone.audio"] };
 *       ws.send(JSON.stringify(watch));
 *     }
 *     const levels = message.type === "stats" ? message.stats.levels : {};
 *     if (levels["tone.audio"]) resolve(levels["tone.audio"]);
 *   };
 * });
 * assert.deepEqual(await level, { rms: [ 0.5, 0.5 ], peak: [ 0.5, 0.5 ] });
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await dashboard.close();
 * await rt.stop();
 * ```
 */
export interface WatchMessage {
  /** Discriminant. */
  type: "watch";
  /** The outputs to preview. */
  outputs: string[];
}

/**
 * A message from a client.
 *
 * @example Stop every preview
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ClientMessage } from "@streamlib/streamlib/web";
 *
 * const stop: ClientMessage = { type: "watch", outputs: [] };
 * assert.deepEqual(stop, {"type":"watch","outputs":[]});
 * ```
 */
export type ClientMessage = WatchMessage;

/**
 * The JSON body of every error response.
 */
export interface ApiErrorBody {
  /** The error. */
  error: {
    /** The HTTP status. */
    status: number;
    /** A stable machine-readable code (`invalid_field`, `node_not_found`, ...). */
    code: string;
    /** What went wrong and what is valid, in a sentence. */
    message: string;
    /** The offending field of the request (`config.frequency`, `to`), when there is one. */
    field?: string;
    /** The valid choices, when they are a list. */
    choices?: readonly string[];
    /** More structured detail (config issues, a cycle's path). */
    details?: JsonValue;
  };
}
