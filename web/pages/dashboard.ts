/**
 * The dashboard page's start: builds the store from the server's snapshot, hydrates every island,
 * connects the event stream and loads the server's stats history.
 *
 * @module
 */

import { type ComponentType, h, hydrate } from "preact";
import Controls from "../islands/Controls.tsx";
import EventLog from "../islands/EventLog.tsx";
import GraphView from "../islands/GraphView.tsx";
import Palette from "../islands/Palette.tsx";
import SidePanel from "../islands/SidePanel.tsx";
import type { SnapshotMessage } from "../shared/protocol.ts";
import { DashboardStore, StoreContext } from "../shared/store.ts";
import { loadHistory } from "../client/history.ts";
import { connectStream } from "../client/socket.ts";
import { takeToken } from "../client/token.ts";

const ISLANDS: Record<string, ComponentType<Record<string, unknown>>> = {
  Controls: Controls as ComponentType<Record<string, unknown>>,
  EventLog: EventLog as unknown as ComponentType<Record<string, unknown>>,
  GraphView: GraphView as ComponentType<Record<string, unknown>>,
  Palette: Palette as ComponentType<Record<string, unknown>>,
  SidePanel: SidePanel as ComponentType<Record<string, unknown>>,
};

/** Starts the dashboard page (`/` of `streamlib dashboard`). */
export function startDashboard(): void {
  const snapshot = JSON.parse(
    document.getElementById("snapshot")!.textContent!,
  ) as SnapshotMessage;
  const store = new DashboardStore(snapshot);
  for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const island = ISLANDS[element.dataset.island!];
    if (!island) continue;
    const props = JSON.parse(element.dataset.props ?? "{}");
    hydrate(h(StoreContext.Provider, { value: store }, h(island, props)), element);
  }
  store.authorize(takeToken());
  connectStream(store);
  if (store.token.value) void loadHistory(store);
}
