/**
 * The control protocol's JSON shapes: what the HTTP API returns and what the event stream sends.
 * Shared by the server and the page; documented in `docs/control_api.md`.
 *
 * @module
 */

import type {
  ConnectionStats,
  GraphDescription,
  JsonValue,
  NodeState,
  NodeStats,
  ProcessorDescriptor,
  RuntimeEvent,
  RuntimeState,
} from "../../mod.ts";

/** The protocol version: the `v1` of `/api/v1`, and `version` in every snapshot. */
export const API_VERSION = 1;

/** Where the versioned API lives. */
export const API_BASE = "/api/v1";

/** A processor type from the registry, with the fields that may change while running. */
export interface ProcessorInfo extends ProcessorDescriptor {
  /** Config fields that may change while the graph runs (the recording lock spares them). */
  readonly liveFields: readonly string[];
}

/** The graph as the dashboard shows it: `rt.describe()` without the dashboard's own taps. */
export type GraphView = GraphDescription;

/** Per-second rates of a node, from the last two stats snapshots. */
export interface NodeRates {
  /** `process()` calls per second. */
  calls: number;
  /** Frames read per second. */
  framesIn: number;
  /** Frames written per second. */
  framesOut: number;
}

/** Per-second rates of a connection, from the last two stats snapshots. */
export interface ConnectionRates {
  /** Frames written per second. */
  written: number;
  /** Frames dropped per second. */
  dropped: number;
  /** Whether frames were written since the previous snapshot (the edge is drawn moving). */
  moving: boolean;
}

/** The level of an audio output: RMS and peak per channel, linear (1 is full scale). */
export interface AudioLevel {
  /** RMS of the newest block, per channel. */
  rms: number[];
  /** Peak of the newest block, per channel. */
  peak: number[];
}

/** `rt.stats()` without the taps, with rates and the audio levels of watched outputs. */
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
}

/** A point in layout coordinates. */
export interface Point {
  /** Horizontal, growing right. */
  x: number;
  /** Vertical, growing down. */
  y: number;
}

/** Where a node sits. */
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

/** Node positions and edge routes, computed by the server with ELK. */
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

/** The dashboard changed a node's config (by removing and re-adding the node). */
export interface ConfigChangedEvent {
  /** Discriminant. */
  readonly type: "config-changed";
  /** When, on the media clock. */
  readonly timeNs: number;
  /** The node's id. */
  readonly node: string;
  /** The fields whose value changed. */
  readonly changed: readonly string[];
  /** The whole new config. */
  readonly config: JsonValue;
}

/** Everything the event stream reports. */
export type DashboardEvent = RuntimeEvent | ConfigChangedEvent;

/** An event with its place in the stream. */
export interface LoggedEvent {
  /** Increases by one per event, from 1. */
  seq: number;
  /** The event. */
  event: DashboardEvent;
}

/** The last error of a node, with its stack. */
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

/** Everything a client needs to draw the dashboard: sent first on every stream connection. */
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

/** The graph changed (a node or connection was added or removed, or a config changed). */
export interface GraphMessage {
  /** Discriminant. */
  type: "graph";
  /** The graph. */
  graph: GraphView;
  /** Its layout. */
  layout: GraphLayout;
}

/** Sent about 10 times a second while a client is connected. */
export interface StatsMessage {
  /** Discriminant. */
  type: "stats";
  /** The stats. */
  stats: StatsView;
}

/** Events, as they happen. */
export interface EventsMessage {
  /** Discriminant. */
  type: "events";
  /** The events, oldest first. */
  events: LoggedEvent[];
}

/** The server could not use a message the client sent. */
export interface ErrorMessage {
  /** Discriminant. */
  type: "error";
  /** What was wrong, as in an HTTP error body. */
  error: ApiErrorBody["error"];
}

/** A text message from the server. Video previews come as binary messages. */
export type ServerMessage =
  | SnapshotMessage
  | GraphMessage
  | StatsMessage
  | EventsMessage
  | ErrorMessage;

/** A client asks for previews of these outputs (`node.port`); an empty list stops them. */
export interface WatchMessage {
  /** Discriminant. */
  type: "watch";
  /** The outputs to preview. */
  outputs: string[];
}

/** A message from a client. */
export type ClientMessage = WatchMessage;

/** The JSON body of every error response. */
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
