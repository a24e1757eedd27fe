/**
 * The page's state, shared by its islands: signals fed by the event stream. On the server a store
 * is built from a snapshot for one render; in the browser one store lives for the page.
 *
 * @module
 */

import { type Signal, signal } from "@preact/signals";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { RuntimeState } from "../../core/lifecycle/stats.ts";
import { EditHistory } from "./edit_history.ts";
import { StatsHistory } from "./stats_history.ts";
import type { PreviewFrame } from "./preview_frame.ts";
import type {
  GraphLayout,
  GraphView,
  LoggedEvent,
  NodeErrorInfo,
  ProcessorInfo,
  ServerMessage,
  SnapshotMessage,
  StatsView,
} from "./protocol.ts";

/** What the side panel shows: one node, one connection, or several of both (Shift+click). */
export type Selection =
  | { kind: "node"; id: string }
  | { kind: "connection"; id: string }
  | { kind: "many"; nodes: string[]; connections: string[] }
  | null;

/** A connection being dragged from an output. */
export interface Drag {
  /** `node.port` of the output. */
  from: string;
  /** Its port type. */
  portType: string;
  /** The pointer, in graph coordinates. */
  x: number;
  /** The pointer, in graph coordinates. */
  y: number;
}

/** A message for the person at the page (the last API error, mostly). */
export interface Notice {
  /** Error or information. */
  kind: "error" | "info";
  /** The text. */
  text: string;
  /** The request field it is about (`config.frequency`), if any. */
  field?: string;
}

/** One problem of a manifest the page tried to load, as the API lists it. */
export interface ManifestProblem {
  /** Where: `nodes[1].config.frequency`, `connections[0].from`, `""` for the whole file. */
  path: string;
  /** The problem in words. */
  message: string;
  /** The node at fault, when there is one. */
  node?: string;
  /** Near matches of a misspelled name. */
  suggestions?: string[];
}

/** The state of the event stream. */
export type LinkState = "connecting" | "live" | "offline" | "read-only" | "refused";

/**
 * Whether a link state means the page has no access: no token (`read-only`) or a token the
 * dashboard refused (`refused`: mistyped, or from an earlier run, since each start makes a new one).
 *
 * @param link The link state.
 * @returns Whether nothing shown is live and nothing can be changed.
 */
export function noAccess(link: LinkState): boolean {
  return link === "read-only" || link === "refused";
}

/** Video previews by output, outside signals (they arrive as pixels, drawn into canvases). */
export class FrameBus {
  readonly #listeners = new Map<string, Set<(frame: PreviewFrame) => void>>();
  readonly #last = new Map<string, PreviewFrame>();

  /**
   * Subscribes to an output's previews; the newest one so far is delivered at once.
   *
   * @param output `node.port`.
   * @param listener Draws a frame.
   * @returns Unsubscribes.
   */
  subscribe(output: string, listener: (frame: PreviewFrame) => void): () => void {
    let set = this.#listeners.get(output);
    if (!set) this.#listeners.set(output, set = new Set());
    set.add(listener);
    const last = this.#last.get(output);
    if (last) listener(last);
    return () => set.delete(listener);
  }

  /**
   * Delivers a frame.
   *
   * @param frame The decoded preview.
   */
  publish(frame: PreviewFrame): void {
    this.#last.set(frame.header.output, frame);
    for (const listener of this.#listeners.get(frame.header.output) ?? []) listener(frame);
  }
}

const MAX_EVENTS = 200;
/** How long a selection of something not yet in the graph waits for it. */
export const PENDING_SELECTION_MS = 5000;

/** The page's state. */
export class DashboardStore {
  /** The registry. */
  readonly processors: Signal<ProcessorInfo[]>;
  /** The graph. */
  readonly graph: Signal<GraphView>;
  /** Its layout. */
  readonly layout: Signal<GraphLayout>;
  /** The latest stats. */
  readonly stats: Signal<StatsView>;
  /** The runtime's state, from stats, graph and events (whichever is newest). */
  readonly state: Signal<RuntimeState>;
  /** Recent events, oldest first. */
  readonly events: Signal<LoggedEvent[]>;
  /** The last error of each failed node. */
  readonly errors: Signal<Record<string, NodeErrorInfo>>;
  /** What the side panel shows. */
  readonly selection: Signal<Selection> = signal(null);
  /**
   * A selection made before the graph has it (a node just added: the API answers before the
   * stream's graph message arrives). It is kept until a graph message has it, or until
   * {@linkcode PENDING_SELECTION_MS} pass.
   */
  #pending: { id: string; until: number } | null = null;
  /** A node to scroll into view once the drawing has it (one this page just added). */
  readonly reveal: Signal<string | null> = signal(null);
  /** The last minutes of stats, for plots and the trace export. */
  readonly trends: StatsHistory = new StatsHistory();
  /** The problems of the last manifest load that failed (shown until dismissed). */
  readonly manifestProblems: Signal<{ name: string; list: ManifestProblem[] } | null> = signal(
    null,
  );
  /** Whether a manifest load replaces the graph. */
  readonly replaceOnLoad: Signal<boolean> = signal(false);
  /** This page's undoable edits. */
  readonly history: EditHistory = new EditHistory();
  /** A connection being dragged. */
  readonly drag: Signal<Drag | null> = signal(null);
  /** The last notice. */
  readonly notice: Signal<Notice | null> = signal(null);
  /** The event stream's state. */
  readonly link: Signal<LinkState>;
  /** Video previews. */
  readonly frames: FrameBus = new FrameBus();
  /**
   * The token, or `null` for a read-only page. Set after hydration (with
   * {@linkcode DashboardStore.authorize}), so the hydrated markup matches the server's.
   */
  readonly token: Signal<string | null> = signal(null);

  /**
   * Builds the state from a snapshot.
   *
   * @param snapshot The snapshot.
   */
  constructor(snapshot: SnapshotMessage) {
    this.processors = signal(snapshot.processors);
    this.graph = signal(snapshot.graph);
    this.layout = signal(snapshot.layout);
    this.stats = signal(snapshot.stats);
    this.state = signal(snapshot.stats.state);
    this.events = signal(snapshot.events);
    this.errors = signal(snapshot.errors);
    // Unknown until the page reads its token (the server renders this too, so hydration matches).
    this.link = signal("connecting");
  }

  /**
   * Gives the page its token: controls enable and the stream connects.
   *
   * @param token The token, or `null` to stay read-only.
   */
  authorize(token: string | null): void {
    this.token.value = token;
    this.link.value = token ? "connecting" : "read-only";
  }

  /**
   * Marks the page's token as refused by the dashboard (`invalid_token`): the token is dropped,
   * controls disable, the stream stops reconnecting and the page says how to get access.
   */
  refuse(): void {
    this.token.value = null;
    this.link.value = "refused";
  }

  /** Whether the numbers shown are current: the stream is live. */
  get current(): boolean {
    return this.link.value === "live";
  }

  /**
   * Selects a node or connection the graph may not show yet (one just added): the selection
   * survives messages that arrive before the graph message that has it.
   *
   * @param selection What to select.
   */
  selectSoon(selection: { kind: "node" | "connection"; id: string }): void {
    this.#pending = {
      id: `${selection.kind}:${selection.id}`,
      until: Date.now() + PENDING_SELECTION_MS,
    };
    this.selection.value = selection;
    if (selection.kind === "node") this.reveal.value = selection.id;
  }

  /**
   * Applies a message from the event stream.
   *
   * @param message The message.
   */
  apply(message: ServerMessage): void {
    switch (message.type) {
      case "snapshot":
        this.processors.value = message.processors;
        this.graph.value = message.graph;
        this.layout.value = message.layout;
        this.stats.value = message.stats;
        this.state.value = message.stats.state;
        this.events.value = message.events;
        this.errors.value = message.errors;
        break;
      case "graph":
        this.graph.value = message.graph;
        this.layout.value = message.layout;
        break;
      case "stats":
        this.trends.record(message.stats);
        this.stats.value = message.stats;
        this.state.value = message.stats.state;
        break;
      case "events":
        this.#addEvents(message.events);
        break;
      case "error":
        this.notice.value = { kind: "error", text: message.error.message };
        break;
    }
    const selected = this.selection.value;
    if (!selected) return;
    if (selected.kind === "many") {
      const graph = this.graph.value;
      const nodes = selected.nodes.filter((id) => graph.nodes.some((n) => n.id === id));
      const connections = selected.connections.filter((id) =>
        graph.connections.some((c) => c.id === id)
      );
      if (nodes.length + connections.length === 0) this.selection.value = null;
      else if (
        nodes.length !== selected.nodes.length || connections.length !== selected.connections.length
      ) this.selection.value = { kind: "many", nodes, connections };
      return;
    }
    const pending = this.#pending?.id === `${selected.kind}:${selected.id}` &&
      Date.now() < this.#pending.until;
    if (this.#exists(selected)) {
      if (pending && (message.type === "graph" || message.type === "snapshot")) {
        this.#pending = null;
      }
    } else if (!pending) this.selection.value = null;
  }

  #addEvents(events: LoggedEvent[]): void {
    let errors: Record<string, NodeErrorInfo> | undefined;
    for (const { event } of events) {
      if (event.type === "runtime-state") this.state.value = event.to;
      if (event.type === "node-error") {
        const { phase, name, message, stack, timeNs } = event;
        (errors ??= { ...this.errors.value })[event.node] = { phase, name, message, stack, timeNs };
      }
    }
    if (errors) this.errors.value = errors;
    this.events.value = [...this.events.value, ...events].slice(-MAX_EVENTS);
  }

  /**
   * Adds a node or connection to the selection, or takes it out (Shift+click).
   *
   * @param kind Node or connection.
   * @param id Its id.
   */
  toggleSelected(kind: "node" | "connection", id: string): void {
    const s = this.selection.value;
    const nodes = s?.kind === "many" ? [...s.nodes] : s?.kind === "node" ? [s.id] : [];
    const connections = s?.kind === "many"
      ? [...s.connections]
      : s?.kind === "connection"
      ? [s.id]
      : [];
    const list = kind === "node" ? nodes : connections;
    const at = list.indexOf(id);
    if (at >= 0) list.splice(at, 1);
    else list.push(id);
    const count = nodes.length + connections.length;
    this.selection.value = count === 0
      ? null
      : count === 1
      ? (nodes.length ? { kind: "node", id: nodes[0] } : { kind: "connection", id: connections[0] })
      : { kind: "many", nodes, connections };
  }

  /**
   * Whether a node or connection is selected (alone or among several).
   *
   * @param kind Node or connection.
   * @param id Its id.
   * @returns Whether it is.
   */
  isSelected(kind: "node" | "connection", id: string): boolean {
    const s = this.selection.value;
    if (!s) return false;
    if (s.kind === "many") return (kind === "node" ? s.nodes : s.connections).includes(id);
    return s.kind === kind && s.id === id;
  }

  #exists(selection: { kind: "node" | "connection"; id: string }): boolean {
    const graph = this.graph.value;
    return selection.kind === "node"
      ? graph.nodes.some((n) => n.id === selection.id)
      : graph.connections.some((c) => c.id === selection.id);
  }
}

/** Carries the store to islands (each island is its own Preact root). */
export const StoreContext = createContext<DashboardStore | null>(null);

/**
 * The page's store.
 *
 * @returns The store from the nearest {@linkcode StoreContext}.
 * @throws {Error} When rendered outside one.
 */
export function useStore(): DashboardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("Cannot use the dashboard store: render inside <StoreContext>");
  return store;
}
