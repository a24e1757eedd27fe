/**
 * Live previews: video thumbnails and audio levels of the outputs clients watch.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import type { Probe, ProbeSample } from "../../core/probes/probe.ts";
import { previewKind } from "../shared/geometry.ts";
import { encodePreviewFrame } from "../shared/preview_frame.ts";
import type { AudioLevel } from "../shared/protocol.ts";
import type { PreviewValue } from "./preview_probe.ts";

/**
 * Options of {@linkcode PreviewProbes}.
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

/** The transform every preview probe runs, in the isolate of the output it watches. */
const TRANSFORM_MODULE = new URL("./preview_probe.ts", import.meta.url).href;

/**
 * Keeps one probe (`rt.probe()`) per watched video or audio output: it samples the output's
 * newest frame at a low rate (2 thumbnails or 10 levels a second) in the isolate that owns it
 * (a Worker's too) and turns it there into a 160x90 RGBA thumbnail, handed to `onFrame` once for
 * every watching client, or into levels, read with `levels()`. A probe changes nothing in the
 * graph: no node, connection, event or counter is added, so `describe()`, `stats()`, manifests
 * and MCP never see the previews. Probes exist only while some client watches.
 *
 * @example Watch an audio output's levels
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { PreviewProbes } from "./previews.ts";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * const previews = new PreviewProbes(rt, () => {}, { audioHz: 50 });
 * previews.reconcile(new Set(["tone.audio", "tone.nope"])); // unknown outputs are skipped
 * assert.deepEqual(previews.outputs, ["tone.audio"]);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 120));
 * assert.ok(previews.levels()["tone.audio"].peak[0] > 0);
 * assert.deepEqual(rt.describe().nodes.map((n) => n.id), ["tone"]);
 * previews.close();
 * ```
 */
export class PreviewProbes {
  readonly #rt: Runtime;
  readonly #onFrame: (output: string, message: Uint8Array<ArrayBuffer>) => void;
  readonly #probes = new Map<string, Probe>();
  readonly #levels = new Map<string, AudioLevel>();
  readonly #videoPeriodMs: number;
  readonly #audioPeriodMs: number;
  readonly #size: { width: number; height: number };
  #closed = false;

  /**
   * Creates the previews' manager; no probe exists until {@linkcode PreviewProbes.reconcile}.
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
    this.#onFrame = onFrame;
    this.#videoPeriodMs = 1000 / (options.videoFps ?? 2);
    this.#audioPeriodMs = 1000 / (options.audioHz ?? 10);
    this.#size = { width: options.width ?? 160, height: options.height ?? 90 };
  }

  /** The outputs with a probe now. */
  get outputs(): string[] {
    return [...this.#probes.keys()];
  }

  /**
   * The newest level of each watched audio output.
   *
   * @returns Levels by `node.port`.
   */
  levels(): Record<string, AudioLevel> {
    const levels: Record<string, AudioLevel> = {};
    for (const [output, level] of this.#levels) {
      if (this.#probes.has(output)) levels[output] = level;
    }
    return levels;
  }

  /**
   * Makes the probes match `wanted`: attaches one to each watched video or audio output that
   * exists and has none (or whose probe closed because its node was removed), and closes those
   * nobody watches or whose output is gone. Never throws: an output that cannot be probed now is
   * tried again at the next call.
   *
   * @param wanted The outputs (`node.port`) some client watches.
   */
  reconcile(wanted: ReadonlySet<string>): void {
    if (this.#closed) return;
    const types = new Map<string, string>();
    for (const node of this.#rt.describe().nodes) {
      for (const p of node.outputs) types.set(`${node.id}.${p.name}`, p.portType);
    }
    for (const [output, probe] of this.#probes) {
      if (!wanted.has(output) || !types.has(output) || probe.closed) {
        probe.close();
        this.#probes.delete(output);
        this.#levels.delete(output);
      }
    }
    for (const output of wanted) {
      const type = types.get(output);
      if (type === undefined || this.#probes.has(output)) continue;
      const kind = previewKind(type);
      if (kind) this.#attach(output, kind);
    }
  }

  /** Closes every probe. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.reconcile(new Set());
    this.#closed = true;
  }

  #attach(output: string, kind: "video" | "audio"): void {
    const everyMs = kind === "video" ? this.#videoPeriodMs : this.#audioPeriodMs;
    const transform = {
      module: TRANSFORM_MODULE,
      export: "previewSample",
      options: { ...this.#size },
    };
    try {
      const probe = this.#rt.probe(output, (s) => this.#receive(output, s), { everyMs, transform });
      this.#probes.set(output, probe);
    } catch {
      // The output went away between describe() and now: the next reconcile skips it.
    }
  }

  #receive(output: string, sample: ProbeSample): void {
    if (!this.#probes.has(output)) return;
    const value = sample.value as PreviewValue | undefined;
    if (value?.kind === "audio") this.#levels.set(output, value.level);
    else if (value?.kind === "video") {
      const { width, height, timestampNs, rgba } = value;
      this.#onFrame(output, encodePreviewFrame({ output, width, height, timestampNs }, rgba));
    }
  }
}
