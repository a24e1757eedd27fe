/**
 * The preview tap's plumbing: the id prefix of tap nodes, and the registry of sinks taps hand
 * their samples to. The tap node itself is the annotated processor
 * `web/processors/dashboard_preview_tap.ts` (generated wiring in its `.gen.ts`); a tap's config
 * names its sink by the key {@linkcode registerTapSink} returned, since a config is plain JSON.
 *
 * @module
 */

import type { AudioFrame, VideoFrame } from "../mod.ts";

/**
 * Node ids of preview taps start with this; the dashboard hides those nodes.
 *
 * @example A watched output gets a tap node; leave it out of your own listings
 * ```ts
 * import assert from "node:assert/strict";
 * import { API_BASE, createDashboard, type ServerMessage, TAP_PREFIX } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * await rt.start();
 * const dashboard = await createDashboard(rt, { statsHz: 20 });
 * const ws = new WebSocket(`ws://127.0.0.1:${dashboard.port}${API_BASE}/stream?token=${dashboard.token}`);
 * await new Promise<void>((resolve) => {
 *   ws.onmessage = (event) => {
 *     const message: ServerMessage = JSON.parse(event.data);
 *     if (message.type === "snapshot") ws.send(JSON.stringify({ type: "watch", outputs: ["tone.audio"] }));
 *     if (message.type === "stats" && message.stats.levels["tone.audio"]) resolve();
 *   };
 * });
 * const ids = rt.describe().nodes.map((n) => n.id);
 * assert.ok(ids.some((id) => id.startsWith(TAP_PREFIX)));
 * assert.deepEqual(ids.filter((id) => !id.startsWith(TAP_PREFIX)), [ "tone", "sink" ]);
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await dashboard.close(); // removes the taps
 * await rt.stop();
 * ```
 */
export const TAP_PREFIX = "_dashboard_tap_";

/** Where a tap hands what it sampled. */
export interface TapSink {
  /** A video frame from `output`, to downscale (called at most at the tap's rate). */
  video(output: string, frame: VideoFrame): void;
  /** An audio block from `output`, to measure. */
  audio(output: string, frame: AudioFrame): void;
}

/** A tap's config names a sink key that is not registered (never, or no longer). */
export class TapSinkNotFoundError extends Error {
  /** The key asked for. */
  readonly key: string;
  /** The keys registered now. */
  readonly registered: readonly string[];

  /**
   * Creates the error.
   *
   * @param key The key asked for.
   * @param registered The keys registered now.
   */
  constructor(key: string, registered: readonly string[]) {
    super(
      `No preview tap sink is registered under '${key}'; registered: ${
        registered.join(", ") || "none"
      } (a dashboard registers one while it has previews)`,
    );
    this.name = "TapSinkNotFoundError";
    this.key = key;
    this.registered = registered;
  }
}

const sinks = new Map<string, TapSink>();
let sinkCounter = 0;

/**
 * Registers a sink for taps to deliver to, in this isolate.
 *
 * @param sink The sink.
 * @returns Its key, for the `sink` field of a tap's config.
 */
export function registerTapSink(sink: TapSink): string {
  const key = `sink_${++sinkCounter}`;
  sinks.set(key, sink);
  return key;
}

/**
 * Forgets a sink; taps set up with its key afterwards fail. Unknown keys are ignored.
 *
 * @param key The key {@linkcode registerTapSink} returned.
 */
export function unregisterTapSink(key: string): void {
  sinks.delete(key);
}

/**
 * The sink registered under `key`.
 *
 * @param key The key.
 * @returns The sink.
 * @throws {TapSinkNotFoundError} When no sink has that key.
 */
export function tapSink(key: string): TapSink {
  const sink = sinks.get(key);
  if (!sink) throw new TapSinkNotFoundError(key, [...sinks.keys()]);
  return sink;
}
