/**
 * The sessions page's state (`/dashboard` of `streamlib serve`): the live sessions from the
 * admin API, the one whose graph is open, and the last notice. Shared by its islands; the
 * open session's graph itself is in a {@linkcode DashboardStore}, which the graph view reads.
 *
 * @module
 */

import { type Signal, signal } from "@preact/signals";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SessionSummary } from "../../frontend/session_admin.ts";
import type { DashboardStore } from "./store.ts";

/** The sessions page's state. */
export class SessionsStore {
  /** The live sessions, oldest first. */
  readonly sessions: Signal<readonly SessionSummary[]> = signal([]);
  /** The most the server runs at once (0 until the first answer). */
  readonly maxSessions: Signal<number> = signal(0);
  /** The session whose graph is open, or `null`. */
  readonly open: Signal<string | null> = signal(null);
  /** The last notice: an error of the API, or a session that ended. */
  readonly notice: Signal<{ kind: "error" | "info"; text: string } | null> = signal(null);
  /** Whether the page has an operator token (else nothing is listed). */
  readonly authorized: Signal<boolean> = signal(false);
  /** The open session's graph, stats and layout, as the graph view reads them. */
  readonly graph: DashboardStore;
  /** Opens a session's graph (the page's client sets it; on the server, nothing). */
  onOpen: (id: string | null) => void = () => {};
  /** Ends a session (the page's client sets it). */
  onEnd: (id: string) => void = () => {};

  /**
   * A store with no session yet.
   *
   * @param graph The store the graph view reads.
   */
  constructor(graph: DashboardStore) {
    this.graph = graph;
  }
}

/** Carries the sessions store to the page's islands. */
export const SessionsContext = createContext<SessionsStore | null>(null);

/**
 * The sessions page's store.
 *
 * @returns The store from the nearest {@linkcode SessionsContext}.
 * @throws {Error} When rendered outside one.
 */
export function useSessions(): SessionsStore {
  const store = useContext(SessionsContext);
  if (!store) throw new Error("Cannot use the sessions store: render inside <SessionsContext>");
  return store;
}
