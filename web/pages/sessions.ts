/**
 * The sessions page's start (`/dashboard` of `streamlib serve`): hydrates its islands, then polls
 * the server's admin API (`/v1/admin/sessions`) with the tab's operator token: the list every
 * second, and the open session's graph; ends a session with `DELETE`.
 *
 * @module
 */

import { type ComponentType, h, hydrate } from "preact";
import {
  ADMIN_SESSIONS_PATH,
  type SessionGraphBody,
  type SessionListBody,
  SESSIONS_PAGE_PATH,
} from "../../frontend/session_admin.ts";
import GraphView from "../islands/GraphView.tsx";
import SessionList from "../islands/SessionList.tsx";
import type { GraphLayout, SnapshotMessage, StatsView } from "../shared/protocol.ts";
import { sessionErrors, sessionStats } from "../shared/session_view.ts";
import { SessionsContext, SessionsStore } from "../shared/sessions_store.ts";
import { DashboardStore, StoreContext } from "../shared/store.ts";
import { takeToken } from "../client/token.ts";

/** How often the list and the open graph are asked for. */
const POLL_MS = 1000;

/** An admin API call's refusal. */
class CallError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Starts the sessions page. */
export function startSessionsPage(): void {
  const snapshot = JSON.parse(
    document.getElementById("snapshot")!.textContent!,
  ) as SnapshotMessage;
  const graph = new DashboardStore(snapshot);
  const store = new SessionsStore(graph);
  for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = element.dataset.island;
    const island = name === "SessionList"
      ? SessionList
      : name === "GraphView"
      ? GraphView as ComponentType<Record<string, unknown>>
      : undefined;
    if (!island) continue;
    hydrate(
      h(
        SessionsContext.Provider,
        { value: store },
        h(StoreContext.Provider, { value: graph }, h(island, {})),
      ),
      element,
    );
  }
  const token = takeToken();
  store.authorized.value = token !== null;
  if (token === null) return;

  const call = async <T>(path: string, method = "GET"): Promise<T> => {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } }).error ?? {};
      throw new CallError(
        response.status,
        error.code ?? "internal_error",
        error.message ?? `HTTP ${response.status}`,
      );
    }
    return body as T;
  };
  const fail = (error: unknown) => {
    const e = error as CallError;
    if (e.code === "invalid_token" || e.code === "missing_token") store.authorized.value = false;
    store.notice.value = { kind: "error", text: `${e.message} (${e.code ?? "error"})` };
  };

  let layout: { id: string; layout: GraphLayout } | undefined;
  let previous: { stats: StatsView; atMs: number } | undefined;
  const showGraph = (body: SessionGraphBody, atMs: number) => {
    if (!layout || layout.id !== body.id) return;
    const stats = sessionStats(body.graph, atMs, previous);
    previous = { stats, atMs };
    graph.apply({ type: "graph", graph: body.graph, layout: layout.layout });
    graph.apply({ type: "stats", stats });
    graph.errors.value = sessionErrors(body.graph, atMs);
    graph.link.value = "live";
  };
  const closeGraph = () => {
    store.open.value = null;
    layout = undefined;
    previous = undefined;
    delete document.body.dataset.open;
  };

  store.onOpen = async (id) => {
    if (id === null) return closeGraph();
    store.open.value = id;
    document.body.dataset.open = id;
    try {
      const path = `${SESSIONS_PAGE_PATH}/sessions/${encodeURIComponent(id)}/layout`;
      const body = await call<{ layout: GraphLayout; session: SessionGraphBody }>(path);
      if (store.open.value !== id) return;
      layout = { id, layout: body.layout };
      previous = undefined;
      showGraph(body.session, Date.now());
    } catch (error) {
      fail(error);
      closeGraph();
    }
  };
  store.onEnd = async (id) => {
    try {
      const body = await call<{ code: string }>(
        `${ADMIN_SESSIONS_PATH}/${encodeURIComponent(id)}`,
        "DELETE",
      );
      store.notice.value = { kind: "info", text: `Session ${id} ended (${body.code})` };
      if (store.open.value === id) closeGraph();
      store.sessions.value = store.sessions.value.filter((s) => s.id !== id);
    } catch (error) {
      fail(error);
    }
  };

  let busy = false;
  const poll = async () => {
    if (busy || !store.authorized.value) return;
    busy = true;
    try {
      const list = await call<SessionListBody>(ADMIN_SESSIONS_PATH);
      store.sessions.value = list.sessions;
      store.maxSessions.value = list.maxSessions;
      const open = store.open.value;
      if (open !== null && !list.sessions.some((s) => s.id === open)) {
        store.notice.value = { kind: "info", text: `Session ${open} ended` };
        closeGraph();
      } else if (open !== null && layout?.id === open) {
        const path = `${ADMIN_SESSIONS_PATH}/${encodeURIComponent(open)}/graph`;
        showGraph(await call<SessionGraphBody>(path), Date.now());
      }
    } catch (error) {
      if ((error as CallError).code === "session_not_found") closeGraph();
      else graph.link.value = "offline";
      fail(error);
    } finally {
      busy = false;
    }
  };
  void poll();
  setInterval(poll, POLL_MS);
}
