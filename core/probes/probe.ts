/**
 * Probes: observe the frames of an output without changing the graph (GStreamer pad
 * probes, pipecat observers). `rt.probe("pattern.video", callback, { everyMs })` returns a
 * {@linkcode Probe}; no node, connection or counter is added, so `describe()`, `stats()` and
 * manifests never see it.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { Frame } from "../frames/frame.ts";
import type { JsonValue } from "../schema/json_schema.ts";

/**
 * A function run on each sampled frame in the isolate that owns the port (a Worker's, for a node
 * placed on a Worker), named by module URL so a Worker can load it: `export function
 * name(frame, options)` returning a structured-cloneable value (it is posted back to the main
 * isolate when the port is on a Worker). The frame is valid only during the call.
 */
export interface ProbeTransform {
  /** The module's URL (`new URL("./my_transform.ts", import.meta.url).href`). */
  readonly module: string;
  /** The exported function's name. Default `"default"`. */
  readonly export?: string;
  /** Passed as the function's second argument. */
  readonly options?: JsonValue;
}

/** Options of `rt.probe()`. */
export interface ProbeOptions {
  /** How often a frame is sampled (the next one written), in milliseconds. Default 100. */
  readonly everyMs?: number;
  /**
   * Sample every frame the output writes instead (`everyMs` is then unused): for consumers that
   * need the whole stream, such as a live view of encoded video. Default `false`.
   */
  readonly everyFrame?: boolean;
  /** Runs on each sample in the port's isolate; its result is `sample.value`. */
  readonly transform?: ProbeTransform;
}

/** The plain fields of a sampled frame (no payload). */
export interface FrameSummary {
  /** `video`, `audio`, `encoded-video`, `encoded-audio`, or `data` for anything else. */
  readonly kind: string;
  /** Presentation time, when the frame has one. */
  readonly timestampNs?: number;
  /** Position in the stream, when the frame has one. */
  readonly frameNumber?: number;
  /** Video: width in pixels. */
  readonly width?: number;
  /** Video: height in pixels. */
  readonly height?: number;
  /** Video: pixel format. */
  readonly format?: string;
  /** Audio and encoded audio: channels. */
  readonly channels?: number;
  /** Audio and encoded audio: sample rate. */
  readonly sampleRate?: number;
  /** Audio and encoded audio: samples per channel. */
  readonly frameCount?: number;
  /** Encoded video and audio: codec. */
  readonly codec?: string;
  /** Encoded video: whether it decodes on its own. */
  readonly keyframe?: boolean;
}

/** What a probe's callback gets for each new frame it samples. */
export interface ProbeSample {
  /** The probed output, `node.port`. */
  readonly port: string;
  /** The isolate that owns the port. */
  readonly isolate: string;
  /** The frame's plain fields. */
  readonly summary: FrameSummary;
  /**
   * The frame itself, when the port is in this isolate or on a native plugin's node (sampled
   * from the shared frame pool): valid only during the callback (copy what you need; the writer
   * recycles it afterwards). Absent for a port on a Worker.
   */
  readonly frame?: Frame;
  /** The transform's result, when the probe has a transform and it succeeded. */
  readonly value?: unknown;
  /** Why the transform failed (it threw, or its module did not load). */
  readonly error?: string;
}

/** Called with each sample; it must not block for long (it runs on the writer's thread). */
export type ProbeCallback = (sample: ProbeSample) => void;

/**
 * A port of a node a host probes, and how (what the `probes` capability's `probe()` takes,
 * `core/isolates/capabilities.ts`).
 */
export interface HostedProbeSpec {
  /** The node's id. */
  readonly node: string;
  /** The output's name. */
  readonly port: string;
  /** Sampling period in milliseconds (> 0). */
  readonly everyMs: number;
  /** Every frame instead of one per period. */
  readonly everyFrame?: boolean;
  /** The transform to run on each sample. */
  readonly transform?: ProbeTransform;
}

/** A sample as a host hands it over (the runtime adds `port` and `isolate`). */
export type HostedProbeSample = Omit<ProbeSample, "port" | "isolate">;

/**
 * An attached probe: sampling runs until {@linkcode Probe.close} (or `using`), or until its node
 * is removed.
 *
 * @example Watch a test pattern's newest frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("TestPattern", { width: 64, height: 36, fps: 30 }, { id: "pattern" });
 * const widths: number[] = [];
 * using probe = rt.probe("pattern.video", (sample) => widths.push(sample.summary.width!), {
 *   everyMs: 20,
 * });
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 150));
 * await rt.stop();
 * assert.equal(probe.port, "pattern.video");
 * assert.ok(widths.length > 0 && widths.every((w) => w === 64));
 * assert.deepEqual(rt.describe().nodes.map((n) => n.id), ["pattern"]); // no hidden node
 * ```
 */
export class Probe implements Disposable {
  /** The probed output, `node.port`. */
  readonly port: string;
  /** The isolate that owns the port. */
  readonly isolate: string;
  #detach: (() => void) | undefined;
  readonly #keyframe: (() => void) | undefined;

  /**
   * For the runtime.
   *
   * @param port The probed output.
   * @param isolate Its isolate.
   * @param detach Stops sampling.
   * @param keyframe Asks the output's writer for a keyframe, when its host can.
   */
  constructor(port: string, isolate: string, detach: () => void, keyframe?: () => void) {
    this.port = port;
    this.isolate = isolate;
    this.#detach = detach;
    this.#keyframe = keyframe;
  }

  /**
   * Asks the probed output's writer for a keyframe, as a reader of the output would (a GStreamer
   * pad probe sending a force-key-unit event upstream): an encoder that honours requests, such
   * as `H264Encoder`, makes its next picture an IDR one. The graph is unchanged; the stream every
   * reader gets has one more keyframe. Does nothing once closed, or on a host that cannot (a
   * native plugin's).
   */
  requestKeyframe(): void {
    if (this.#detach !== undefined) this.#keyframe?.();
  }

  /** Whether the probe was closed (by `close()`, or because its node was removed). */
  get closed(): boolean {
    return this.#detach === undefined;
  }

  /** Stops sampling. Idempotent. */
  close(): void {
    const detach = this.#detach;
    this.#detach = undefined;
    detach?.();
  }

  /** Same as {@linkcode Probe.close} (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A probe was asked for with a malformed port reference or options: the port is not
 * `node.port`, `everyMs` is not a positive number, or the transform names no module.
 *
 * @example A port reference without a dot
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { ProbeOptionsError } from "./probe.ts";
 *
 * const rt = new Runtime();
 * assert.throws(() => rt.probe("pattern", () => {}), (e) => e instanceof ProbeOptionsError && e.code === "probe_invalid");
 * ```
 */
export class ProbeOptionsError extends TypeError {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "probe_invalid";
  /** What was wrong: `port`, `everyMs` or `transform`. */
  readonly field: string;

  /**
   * Creates the error.
   *
   * @param field The offending field.
   * @param problem What is wrong with it.
   */
  constructor(field: string, problem: string) {
    super(`Cannot attach a probe: ${problem}`);
    this.name = "ProbeOptionsError";
    this.field = field;
  }

  /** The offending field. */
  get details(): ErrorDetails {
    return { field: this.field };
  }
}

/**
 * The port's isolate host cannot run probes: a custom `IsolateHost` without a `probe` method.
 * Every built-in host (the main isolate, Workers, native plugins) runs them.
 *
 * @example What the error carries
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProbeUnsupportedError } from "./probe.ts";
 *
 * const error = new ProbeUnsupportedError("invert.out", "custom:invert");
 * assert.equal(error.code, "probe_unsupported");
 * assert.deepEqual(error.details, { port: "invert.out", isolate: "custom:invert" });
 * ```
 */
export class ProbeUnsupportedError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "probe_unsupported";
  /** The probed output. */
  readonly port: string;
  /** Its isolate. */
  readonly isolate: string;

  /**
   * Creates the error.
   *
   * @param port The probed output.
   * @param isolate Its isolate.
   */
  constructor(port: string, isolate: string) {
    super(`Cannot probe '${port}': its isolate '${isolate}' does not run probes`);
    this.name = "ProbeUnsupportedError";
    this.port = port;
    this.isolate = isolate;
  }

  /** The port and its isolate. */
  get details(): ErrorDetails {
    return { port: this.port, isolate: this.isolate };
  }
}

/**
 * Checks `rt.probe()`'s options and fills in the default period.
 *
 * @param options What the caller gave.
 * @returns The period and transform.
 * @throws {ProbeOptionsError} When `everyMs` or the transform is malformed.
 */
export function probeOptions(
  options: ProbeOptions,
): { everyMs: number; everyFrame?: boolean; transform?: ProbeTransform } {
  const everyMs = options.everyMs ?? 100;
  if (typeof everyMs !== "number" || !Number.isFinite(everyMs) || everyMs <= 0) {
    throw new ProbeOptionsError("everyMs", `everyMs must be a number > 0, got ${everyMs}`);
  }
  const everyFrame = options.everyFrame ?? false;
  if (typeof everyFrame !== "boolean") {
    throw new ProbeOptionsError("everyFrame", `everyFrame must be a boolean, got ${everyFrame}`);
  }
  const base = everyFrame ? { everyMs, everyFrame } : { everyMs };
  const transform = options.transform;
  if (transform === undefined) return base;
  if (typeof transform?.module !== "string" || transform.module === "") {
    throw new ProbeOptionsError("transform", "transform.module must be a module URL");
  }
  return { ...base, transform: structuredClone(transform) };
}

/**
 * The plain fields of a frame.
 *
 * @param frame Any frame.
 * @returns Its summary.
 */
export function summarizeFrame(frame: unknown): FrameSummary {
  if (typeof frame !== "object" || frame === null) return { kind: "data" };
  const f = frame as Record<string, unknown>;
  const kind = typeof f.kind === "string" ? f.kind : "data";
  const out: Record<string, unknown> = { kind };
  for (const key of SUMMARY_FIELDS) {
    const value = f[key];
    const t = typeof value;
    if (t === "number" || t === "string" || t === "boolean") out[key] = value;
  }
  return out as unknown as FrameSummary;
}

const SUMMARY_FIELDS = [
  "timestampNs",
  "frameNumber",
  "width",
  "height",
  "format",
  "channels",
  "sampleRate",
  "frameCount",
  "codec",
  "keyframe",
] as const;
