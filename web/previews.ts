/**
 * Live previews: video thumbnails and audio levels of the outputs clients watch.
 *
 * @module
 */

import type { AudioFrame, Runtime, VideoFrame } from "../mod.ts";
import { measureLevel } from "./audio_levels.ts";
import { nodeOf, portOf } from "./port_end.ts";
import { downscaleToRgba } from "./downscale.ts";
import { registerTapSink, TAP_PREFIX, unregisterTapSink } from "./preview_tap.ts";
import { dashboardPreviewTapNode } from "./processors/dashboard_preview_tap.gen.ts";
import { previewKind } from "./shared/geometry.ts";
import { encodePreviewFrame } from "./shared/preview_frame.ts";
import type { AudioLevel } from "./shared/protocol.ts";

/**
 * Options of {@linkcode PreviewTaps}.
 */
export interface PreviewOptions {
  /** Thumbnails per second per video output. Default 2. */
  readonly videoFps?: number;
  /** Level updates per second per audio output. Default 10. */
  readonly audioHz?: number;
  /** Largest thumbnail width. Default 160. */
  readonly width?: number;
  /** Largest thumbnail height. Default 90. */
  readonly height?: number;
}

interface Tap {
  readonly id: string;
  readonly output: string;
  thumbnail?: Uint8Array<ArrayBuffer>;
}

/**
 * Keeps one preview tap per watched output: a `latest`, capacity-1 connection from the output
 * into an internal `loop` node that samples it at a low rate (2 thumbnails or 10 levels a
 * second). Thumbnails are downscaled to 160x90 RGBA and handed to `onFrame` once, for every
 * watching client; levels are read with `levels()`. Taps exist only while some client watches.
 *
 * The runtime's public API has no frame taps, so this is a real node (the annotated processor
 * `DashboardPreviewTap` of `web/processors/`, id starting with {@linkcode TAP_PREFIX}) that the
 * dashboard hides from its graph, stats and events; it finds this object's sink by the key in its
 * config (`registerTapSink()`).
 */
export class PreviewTaps {
  readonly #rt: Runtime;
  readonly #sink: string;
  readonly #taps = new Map<string, Tap>();
  readonly #levels = new Map<string, AudioLevel>();
  readonly #videoPeriodMs: number;
  readonly #audioPeriodMs: number;
  readonly #width: number;
  readonly #height: number;
  #counter = 0;
  #closed = false;

  /**
   * Creates the taps' manager; no tap exists until {@linkcode PreviewTaps.reconcile}.
   *
   * @param rt The runtime.
   * @param onFrame Receives each encoded thumbnail (see `encodePreviewFrame`).
   * @param options Rates and thumbnail size.
   */
  constructor(
    rt: Runtime,
    onFrame: (output: string, message: Uint8Array<ArrayBuffer>) => void,
    options: PreviewOptions = {},
  ) {
    this.#rt = rt;
    this.#videoPeriodMs = 1000 / (options.videoFps ?? 2);
    this.#audioPeriodMs = 1000 / (options.audioHz ?? 10);
    this.#width = options.width ?? 160;
    this.#height = options.height ?? 90;
    this.#sink = registerTapSink({
      video: (output: string, frame: VideoFrame) => {
        const tap = this.#taps.get(output);
        if (!tap) return;
        const thumb = downscaleToRgba(frame, this.#width, this.#height, tap.thumbnail);
        tap.thumbnail = thumb.rgba;
        const header = {
          output,
          width: thumb.width,
          height: thumb.height,
          timestampNs: frame.timestampNs,
        };
        onFrame(output, encodePreviewFrame(header, thumb.rgba));
      },
      audio: (output: string, frame: AudioFrame) => {
        this.#levels.set(output, measureLevel(frame));
      },
    });
  }

  /**
   * Whether a node id is a tap's.
   *
   * @param node A node id.
   * @returns Whether it is.
   */
  static isTap(node: string): boolean {
    return node.startsWith(TAP_PREFIX);
  }

  /** The outputs with a tap now. */
  get outputs(): string[] {
    return [...this.#taps.keys()];
  }

  /**
   * The newest level of each tapped audio output.
   *
   * @returns Levels by `node.port`.
   */
  levels(): Record<string, AudioLevel> {
    const levels: Record<string, AudioLevel> = {};
    for (const [output, level] of this.#levels) {
      if (this.#taps.has(output)) levels[output] = level;
    }
    return levels;
  }

  /**
   * Makes the taps match `wanted`: adds a tap for each watched video or audio output that exists
   * and has none, reconnects taps whose connection went away (the node was re-created), and
   * removes taps nobody watches or whose output is gone. Never throws: a tap that cannot be made
   * now (the runtime is stopping) is tried again at the next call.
   *
   * @param wanted The outputs (`node.port`) some client watches.
   */
  reconcile(wanted: ReadonlySet<string>): void {
    if (this.#closed) return;
    const graph = this.#rt.describe();
    const types = new Map<string, string>();
    for (const node of graph.nodes) {
      if (PreviewTaps.isTap(node.id)) continue;
      for (const p of node.outputs) types.set(`${node.id}.${p.name}`, p.portType);
    }
    const fed = new Set(graph.connections.map((c) => nodeOf(c.to)));
    for (const [output, tap] of this.#taps) {
      const exists = graph.nodes.some((n) => n.id === tap.id);
      if (!wanted.has(output) || !types.has(output) || !exists) {
        this.#remove(output, tap, exists);
      } else if (!fed.has(tap.id)) {
        this.#connect(output, tap.id);
      }
    }
    for (const output of wanted) {
      const type = types.get(output);
      if (type === undefined || this.#taps.has(output)) continue;
      const kind = previewKind(type);
      if (kind) this.#add(output, kind);
    }
  }

  /** Removes every tap. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.reconcile(new Set());
    this.#closed = true;
    unregisterTapSink(this.#sink);
  }

  #add(output: string, kind: "video" | "audio"): void {
    const id = `${TAP_PREFIX}${++this.#counter}`;
    const periodMs = kind === "video" ? this.#videoPeriodMs : this.#audioPeriodMs;
    try {
      this.#rt.add(dashboardPreviewTapNode, { output, kind, periodMs, sink: this.#sink }, { id });
    } catch {
      return;
    }
    this.#taps.set(output, { id, output });
    this.#connect(output, id);
  }

  #connect(output: string, id: string): void {
    try {
      this.#rt.connectByName(nodeOf(output), portOf(output), id, "in", {
        capacity: 1,
        policy: "latest",
      });
    } catch {
      // The output went away between describe() and now: the next reconcile removes the tap.
    }
  }

  #remove(output: string, tap: Tap, exists: boolean): void {
    this.#taps.delete(output);
    this.#levels.delete(output);
    if (!exists) return;
    try {
      this.#rt.remove(tap.id);
    } catch {
      // Already gone.
    }
  }
}
