/**
 * The isolates of one runtime: their hosts, the channels between them, and the lifecycle steps
 * that span them.
 *
 * @module
 */

import type { FrameLeak } from "../frames/ledger.ts";
import type { ConnectionStats } from "../transport/connection.ts";
import type { CrossIsolateChannel } from "../transport/cross_isolate.ts";
import type { GraphConnection } from "../graph/graph.ts";
import { capability } from "./capabilities.ts";
import type { IsolateBackend, IsolateHost } from "./host.ts";
import { isolateOf, MAIN_ISOLATE, type Placement } from "../graph/placement.ts";
import type { RequiredIsolate } from "./required_isolate.ts";
import { NodeOptionsError, PlacementUnavailableError } from "../lifecycle/errors.ts";
import type { RuntimeEventListener } from "../lifecycle/events.ts";

/** Drain passes over all isolates before `stop()` gives up waiting for push nodes to go quiet. */
const MAX_DRAIN_PASSES = 1000;

/**
 * The most Workers a runtime starts for `{ worker }` placements (the names it has no injected host
 * for): 32. A node placed on one more name is refused with `placement_unavailable`.
 */
export const MAX_SPAWNED_WORKERS = 32;

/**
 * The hosts of a runtime by isolate name (the main isolate's and the injected Workers'), and
 * the cross-isolate channels. A connection whose ends are in one isolate is made by that
 * isolate's host; one between isolates is a channel from the backend's transport whose two
 * endpoints go to the two hosts.
 */
export class IsolateSet {
  readonly #hosts = new Map<string, IsolateHost>();
  readonly #channels = new Map<string, CrossIsolateChannel>();
  readonly #backend: IsolateBackend | undefined;
  readonly #listeners: RuntimeEventListener[] = [];
  /** Worker hosts started for placements (not injected ones). */
  #spawned = 0;
  #phase: "stopped" | "running" | "paused" = "stopped";
  #onOtherIsolate: (() => void) | undefined;

  /**
   * Collects the hosts.
   *
   * @param main The host of this isolate.
   * @param backend The Worker hosts and transport, if any.
   * @param onOtherIsolate Called once, when the first host of another isolate joins (the main
   *   isolate's frame memory then starts sharing its budget).
   */
  constructor(
    main: IsolateHost,
    backend: IsolateBackend | undefined,
    onOtherIsolate?: () => void,
  ) {
    this.#backend = backend;
    this.#onOtherIsolate = onOtherIsolate;
    this.#hosts.set(main.isolate, main);
    for (const [worker, host] of Object.entries(backend?.workers ?? {})) {
      this.#hosts.set(checkHost(worker, host), host);
      this.#otherIsolate();
    }
  }

  #otherIsolate(): void {
    const call = this.#onOtherIsolate;
    this.#onOtherIsolate = undefined;
    call?.();
  }

  /**
   * Subscribes to the events of every host.
   *
   * @param listener Called with each event.
   */
  on(listener: RuntimeEventListener): void {
    this.#listeners.push(listener);
    for (const host of this.#hosts.values()) host.on(listener);
  }

  /**
   * The host for a placement.
   *
   * @param node The node's id (for the error).
   * @param placement The placement.
   * @returns The host.
   * @throws {PlacementUnavailableError} When no host was injected for it.
   */
  hostFor(node: string, placement: Placement, required?: RequiredIsolate): IsolateHost {
    if (required) return this.#requiredHost(node, required);
    const existing = this.#hosts.get(isolateOf(placement));
    if (existing) return existing;
    const workers = [...this.#hosts.keys()].filter((isolate) => isolate !== MAIN_ISOLATE);
    if (placement !== "main" && this.#spawned >= MAX_SPAWNED_WORKERS) {
      // Each name a new Worker (about 23 MB here): names from a client (the control API, MCP)
      // must not start Workers without end.
      throw new PlacementUnavailableError(
        node,
        placement,
        workers,
        `this runtime already started ${this.#spawned} Workers, the most a runtime starts; ` +
          `place the node on one of them or on "main"`,
      );
    }
    const host = this.#spawn(placement);
    if (host) return host;
    throw new PlacementUnavailableError(node, placement, workers);
  }

  /**
   * The host of an isolate.
   *
   * @param isolate The isolate name.
   * @returns The host.
   */
  get(isolate: string): IsolateHost {
    return this.#hosts.get(isolate)!;
  }

  /**
   * Makes a connection in its isolate, or a channel between two.
   *
   * @param c The connection.
   * @param fromIsolate The writer's isolate.
   * @param toIsolate The reader's isolate.
   */
  attach(c: GraphConnection, fromIsolate: string, toIsolate: string): void {
    const from = { node: c.from.node, port: c.from.port };
    const to = { node: c.to.node, port: c.to.port };
    const fromHost = this.get(fromIsolate);
    if (fromIsolate === toIsolate) {
      fromHost.connect({ id: c.id, from, to, capacity: c.capacity, policy: c.policy });
      return;
    }
    const channel = this.#backend!.transport.open({
      connection: c.id,
      from: c.from.node,
      fromIsolate,
      toIsolate,
      portType: c.from.portType,
      capacity: c.capacity,
      policy: c.policy,
    });
    try {
      this.get(toIsolate).attachReader({ connection: c.id, port: to, endpoint: channel.reader });
      fromHost.attachWriter({ connection: c.id, port: from, endpoint: channel.writer });
    } catch (error) {
      this.get(toIsolate).disconnect(c.id);
      channel.close();
      throw error;
    }
    this.#channels.set(c.id, channel);
  }

  /**
   * Removes a connection or channel.
   *
   * @param c The connection.
   * @param fromIsolate The writer's isolate.
   * @param toIsolate The reader's isolate.
   */
  detach(c: GraphConnection, fromIsolate: string, toIsolate: string): void {
    this.get(fromIsolate).disconnect(c.id);
    if (toIsolate !== fromIsolate) this.get(toIsolate).disconnect(c.id);
    this.#channels.get(c.id)?.close();
    this.#channels.delete(c.id);
  }

  /**
   * A connection's counters.
   *
   * @param c The connection.
   * @param fromIsolate The writer's isolate.
   * @param toIsolate The reader's isolate (a channel's transfer may be at either end).
   * @returns The counters, with the transfer's of a connection between CPU and GPU ports.
   */
  connectionStats(
    c: GraphConnection,
    fromIsolate: string,
    toIsolate = fromIsolate,
  ): ConnectionStats {
    const channel = this.#channels.get(c.id);
    if (!channel) return this.get(fromIsolate).connectionStats(c.id)!;
    const stats = channel.stats();
    for (const isolate of [fromIsolate, toIsolate]) {
      const host = this.get(isolate) as { transferStats?(id: string): object | undefined };
      const transfer = host.transferStats?.(c.id);
      if (transfer !== undefined) Object.assign(stats, transfer);
    }
    return stats;
  }

  /** Sets up every isolate's nodes, then starts every isolate. */
  async start(): Promise<void> {
    // Hosts spawned meanwhile catch up on their own (see #spawn), hence the snapshot.
    const hosts = [...this.#hosts.values()];
    this.#phase = "running";
    for (const host of hosts) await host.setup();
    for (const host of hosts) host.run();
  }

  /** Pauses every isolate. */
  async pause(): Promise<void> {
    this.#phase = "paused";
    for (const host of [...this.#hosts.values()]) await host.pause();
  }

  /** Resumes every isolate. */
  resume(): void {
    this.#phase = "running";
    for (const host of this.#hosts.values()) host.resume();
  }

  /** Halts sources everywhere, drains push nodes until all isolates are quiet, tears down. */
  async stop(): Promise<void> {
    const hosts = [...this.#hosts.values()];
    this.#phase = "stopped";
    for (const host of hosts) await host.halt();
    for (let pass = 0; pass < MAX_DRAIN_PASSES; pass++) {
      let ran = false;
      for (const host of hosts) if (await host.drain()) ran = true;
      if (!ran) break;
    }
    for (const host of hosts) await host.teardown();
  }

  /** Frames still alive in any isolate after `stop()`: leaks, grouped by node and port. */
  async frameLeaks(): Promise<FrameLeak[]> {
    const leaks: FrameLeak[] = [];
    for (const host of this.#hosts.values()) {
      leaks.push(...(await capability(host, "frameLeaks")?.frameLeaks() ?? []));
    }
    return leaks;
  }

  /** Resolves when every host's background setups and teardowns are done. */
  async settled(): Promise<void> {
    for (const host of [...this.#hosts.values()]) await host.settled();
  }

  /** Asks the backend for the host of a Worker not seen yet, and brings it to the set's phase. */
  #requiredHost(node: string, required: RequiredIsolate): IsolateHost {
    const existing = this.#hosts.get(required.name);
    if (existing) return existing;
    if (!this.#backend?.transport) {
      throw new NodeOptionsError(
        node,
        `it runs in ${required.name}, which needs a cross-isolate transport: create the runtime with createRuntime() from "@streamlib/streamlib/processors", or pass new Runtime({ isolates: new WorkerBackend() })`,
        "placement",
      );
    }
    const host = required.createHost(this.#backend.transport);
    if (host.isolate !== required.name) {
      throw new TypeError(
        `Cannot use the host of ${required.name}: its isolate is '${host.isolate}'`,
      );
    }
    return this.#adopt(required.name, host);
  }

  #spawn(placement: Placement): IsolateHost | undefined {
    if (placement === "main" || !this.#backend?.spawn) return undefined;
    const host = this.#backend.spawn(placement.worker);
    if (!host) return undefined;
    this.#spawned++;
    return this.#adopt(checkHost(placement.worker, host), host);
  }

  #adopt(isolate: string, host: IsolateHost): IsolateHost {
    this.#otherIsolate();
    this.#hosts.set(isolate, host);
    for (const listener of this.#listeners) host.on(listener);
    // The host is empty: nodes added to it from now on are set up in the background and run
    // (or wait paused), like nodes added to the other hosts in this phase.
    if (this.#phase !== "stopped") {
      host.setup().catch(reportError);
      host.run();
      if (this.#phase === "paused") host.pause().catch(reportError);
    }
    return host;
  }
}

function checkHost(worker: string, host: IsolateHost): string {
  const isolate = isolateOf({ worker });
  if (host.isolate !== isolate) {
    throw new TypeError(
      `Cannot use the host of worker '${worker}': its isolate is '${host.isolate}', expected '${isolate}'`,
    );
  }
  return isolate;
}
