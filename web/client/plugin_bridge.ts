/**
 * The dashboard's side of a plugin panel: it answers the sandboxed frame's `ready` with the node's
 * config and schema and a `MessagePort`, then serves what the panel asks on that port (config
 * patches through the control API, with the page's token, which never enters the frame; the node's
 * config, stats and levels as they change), and closes a panel that floods it, sends what it
 * cannot read or never mounts. docs/plugin_ui.md describes the protocol.
 *
 * @module
 */

import { effect } from "@preact/signals";
import type { ApiErrorBody } from "../shared/protocol.ts";
import type { DashboardStore } from "../shared/store.ts";
import { requestApi } from "./api_client.ts";
import {
  MessageBudget,
  PANEL_LIMITS,
  type PanelLimits,
  type PanelTopic,
  parsePanelMessage,
} from "./panel_messages.ts";

/** How a panel is doing. */
export type PanelStatus =
  | { kind: "loading" }
  | { kind: "ready" }
  | { kind: "failed"; text: string }
  | { kind: "closed"; text: string };

/** What a {@linkcode PluginBridge} reports to the page. */
export interface BridgeEvents {
  /** The panel's state changed. */
  status(status: PanelStatus): void;
  /** A patch the panel proposed was refused (or applied: `null`). */
  patch(error: ApiErrorBody["error"] | null): void;
  /** The panel reported an error after it loaded (it keeps running). */
  warning(text: string): void;
  /** The panel asked for a height (clamped to 60..800 pixels). */
  resize(height: number): void;
}

/** The mediator between one panel frame and the page. */
export class PluginBridge {
  readonly #frame: HTMLIFrameElement;
  readonly #node: string;
  readonly #store: DashboardStore;
  readonly #events: BridgeEvents;
  readonly #limits: PanelLimits;
  readonly #budget: MessageBudget;
  readonly #topics = new Set<PanelTopic>();
  #port: MessagePort | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  #done = false;
  #disposers: (() => void)[] = [];

  /**
   * Mediates for a frame (call {@linkcode PluginBridge.start} before it loads).
   *
   * @param frame The panel's iframe.
   * @param node The node the panel is for.
   * @param store The page's store.
   * @param events Where to report.
   * @param limits Message bounds.
   */
  constructor(
    frame: HTMLIFrameElement,
    node: string,
    store: DashboardStore,
    events: BridgeEvents,
    limits: PanelLimits = PANEL_LIMITS,
  ) {
    this.#frame = frame;
    this.#node = node;
    this.#store = store;
    this.#events = events;
    this.#limits = limits;
    this.#budget = new MessageBudget(limits.messagesPerSecond, limits.burst);
  }

  /** Listens for the frame's messages and starts the load timeout. */
  start(): void {
    const onWindow = (event: MessageEvent) => this.#onWindowMessage(event);
    addEventListener("message", onWindow);
    this.#disposers.push(() => removeEventListener("message", onWindow));
    this.#timer = setTimeout(
      () => this.#close(`The panel did not load within ${this.#limits.loadTimeoutMs / 1000} s`),
      this.#limits.loadTimeoutMs,
    );
  }

  /** Stops mediating: the port closes and nothing more reaches the frame. Idempotent. */
  close(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    for (const dispose of this.#disposers.splice(0)) dispose();
    this.#port?.close();
    this.#port = undefined;
  }

  #close(text: string): void {
    if (this.#done) return;
    this.close();
    this.#events.status({ kind: "closed", text });
  }

  /** Counts a message against the budget; a panel over it is closed. */
  #spend(): boolean {
    if (this.#budget.take()) return true;
    this.#close(
      `The panel was closed: it sent more than ${this.#limits.messagesPerSecond} messages a second`,
    );
    return false;
  }

  #onWindowMessage(event: MessageEvent): void {
    // Only this frame's window counts; any other sender is not this bridge's business.
    if (this.#done || event.source !== this.#frame.contentWindow) return;
    if (!this.#spend()) return;
    const data = event.data as { type?: unknown } | null;
    // The frame is sandboxed without allow-same-origin, so its origin is opaque ("null"); a
    // frame that navigated itself elsewhere is not the panel any more.
    if (this.#port || event.origin !== "null" || data?.type !== "streamlib-plugin-ready") return;
    const node = this.#store.graph.value.nodes.find((n) => n.id === this.#node);
    const info = this.#store.processors.value.find((p) => p.name === node?.type);
    if (!node || !info) return this.#close(`Node '${this.#node}' is not in the graph any more`);
    const channel = new MessageChannel();
    this.#port = channel.port1;
    this.#port.onmessage = (e) => this.#onPortMessage(e.data);
    this.#port.onmessageerror = () => this.#close("The panel sent a message that cannot be read");
    // The target origin of an opaque frame can only be "*"; what follows goes over the port,
    // which a document the frame navigates to does not have.
    this.#frame.contentWindow?.postMessage(
      {
        type: "streamlib-plugin-init",
        version: 1,
        node: { id: node.id, type: node.type },
        schema: info.config,
        liveFields: info.liveFields,
        config: node.config,
        locked: this.#locked(),
      },
      "*",
      [channel.port2],
    );
    this.#watch();
  }

  #locked(): boolean {
    return this.#store.state.value === "running";
  }

  #onPortMessage(data: unknown): void {
    if (this.#done || !this.#spend()) return;
    const request = parsePanelMessage(data, this.#limits.maxBytes);
    if ("problem" in request) {
      return this.#close(`The panel was closed: it sent ${request.problem}`);
    }
    switch (request.type) {
      case "mounted":
        clearTimeout(this.#timer);
        this.#events.status({ kind: "ready" });
        return;
      case "failed":
        this.close();
        this.#events.status({ kind: "failed", text: request.message || "The panel failed" });
        return;
      case "error":
        this.#events.warning(`The panel reported an error: ${request.message}`);
        return;
      case "resize":
        this.#events.resize(Math.min(800, Math.max(60, Math.round(request.height))));
        return;
      case "subscribe":
        for (const topic of request.topics) this.#topics.add(topic);
        this.#push();
        return;
      case "set-config":
        void this.#setConfig(request.id, request.patch);
        return;
    }
  }

  async #setConfig(id: number, patch: Record<string, unknown>): Promise<void> {
    const reply = (message: unknown) => this.#port?.postMessage(message);
    if (!this.#store.token.value) {
      return reply({
        type: "result",
        id,
        ok: false,
        error: { code: "read_only", message: "This page has no token: it cannot change configs" },
      });
    }
    if (this.#inFlight >= this.#limits.inFlight) {
      return reply({
        type: "result",
        id,
        ok: false,
        error: {
          code: "busy",
          message: `${this.#limits.inFlight} patches are waiting already: wait for their results`,
        },
      });
    }
    this.#inFlight++;
    const answer = await requestApi<
      { node: { config: unknown }; changed: string[]; applied: string }
    >(
      this.#store,
      "PATCH",
      `/nodes/${encodeURIComponent(this.#node)}/config`,
      { config: patch },
    );
    this.#inFlight--;
    if (this.#done) return;
    if (answer.ok) {
      this.#events.patch(null);
      const { changed, applied, node } = answer.body;
      reply({ type: "result", id, ok: true, result: { changed, applied, config: node.config } });
    } else {
      this.#events.patch(answer.error);
      const { code, message, field } = answer.error;
      reply({ type: "result", id, ok: false, error: { code, message, field } });
    }
  }

  /** Pushes config, stats and levels to a subscribed panel as the page's store changes. */
  #watch(): void {
    let lastConfig = "";
    this.#disposers.push(effect(() => {
      const node = this.#store.graph.value.nodes.find((n) => n.id === this.#node);
      const locked = this.#locked();
      if (!node || !this.#topics.has("config")) return;
      const key = JSON.stringify([node.config, locked]);
      if (key === lastConfig) return;
      lastConfig = key;
      this.#port?.postMessage({ type: "config", config: node.config, locked });
    }));
    this.#disposers.push(effect(() => this.#pushStats()));
  }

  #push(): void {
    // A new subscription gets the current values at once.
    const node = this.#store.graph.value.nodes.find((n) => n.id === this.#node);
    if (node && this.#topics.has("config")) {
      this.#port?.postMessage({ type: "config", config: node.config, locked: this.#locked() });
    }
    this.#pushStats();
  }

  #pushStats(): void {
    const stats = this.#store.stats.value;
    if (this.#topics.has("stats") && stats.nodes[this.#node]) {
      this.#port?.postMessage({ type: "stats", stats: stats.nodes[this.#node] });
    }
    if (this.#topics.has("levels")) {
      const prefix = `${this.#node}.`;
      const levels = Object.fromEntries(
        Object.entries(stats.levels).filter(([output]) => output.startsWith(prefix)),
      );
      if (Object.keys(levels).length > 0) this.#port?.postMessage({ type: "levels", levels });
    }
  }
}
