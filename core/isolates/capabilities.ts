/**
 * What an isolate host may do beyond {@linkcode IsolateHost}: each optional capability is an
 * interface of its own, and {@linkcode capability} is the one place that asks a host for one.
 *
 * @module
 */

import type { JsonValue } from "../schema/json_schema.ts";
import type { FrameLeak } from "../frames/ledger.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../probes/probe.ts";
import type { IsolateHost } from "./host.ts";

/** A host that changes a node's config in place (`rt.setConfig()`). */
export interface ConfigurableHost {
  /**
   * Changes a node's config in place (`rt.setConfig()` validated it and checked the lock): the
   * `changed` fields of `config` are written into the processor's config. `live` (every changed
   * field is live-tunable): a set-up node's `configChanged(changed)` is called; otherwise a
   * set-up (or failed) node is torn down and set up again with it, keeping its connections. A
   * host in another isolate posts it (fire-and-forget). A host without it (a native plugin's)
   * cannot change configs, and `rt.setConfig()` refuses its nodes (`not_reconfigurable`).
   */
  configureNode(node: string, config: JsonValue, changed: readonly string[], live: boolean): void;
}

/** A host whose outputs can be probed (`rt.probe()`). */
export interface ProbedHost {
  /**
   * Attaches a probe to an output of this isolate (the runtime checked the node and port): every
   * `spec.everyMs` the next frame the output writes is summarized, transformed, and
   * handed to `deliver` — with the frame itself only when this host runs in the caller's isolate.
   * Sampling must never block or slow the writer. Returns what detaches it. Every built-in host
   * has it (a native plugin's samples its native threads' outputs through probe slots); a custom
   * host without it cannot be probed (`probe_unsupported`).
   */
  probe(spec: HostedProbeSpec, deliver: (sample: HostedProbeSample) => void): () => void;
}

/** A host that passes a probe's keyframe request to an output's writer. */
export interface KeyframeRequestingHost {
  /**
   * Asks the writer of output `port` of `node` for a keyframe, as a reader's request would
   * (`Probe.requestKeyframe()`). A host without it ignores the request.
   */
  requestKeyframe(node: string, port: string): void;
}

/** A host that can tell which of its frames outlived `teardown()`. */
export interface FrameLeakReportingHost {
  /**
   * Frames made in this isolate that are still alive after `teardown()` (a leak), grouped by
   * node and port. A host without it reports none.
   */
  frameLeaks(): FrameLeak[] | Promise<FrameLeak[]>;
}

/** A host that ends a node's stream from outside (`rt.endOfStream()`). */
export interface EndingHost {
  /**
   * Ends the stream of a node of this isolate as if its `process()` had called
   * `ctx.endOfStream()` (at once, or when a run in flight returns): it stops running, its outputs
   * end after what is queued in them, and it emits `node-eos`. Nothing when the node is gone, not
   * set up, failed or already ended. A host in another isolate posts it (fire-and-forget). The
   * runtime calls it for each source when the graph is to end; a host without it (a native
   * plugin's) cannot end its sources, and `rt.endOfStream()` stops the runtime instead.
   */
  endNode(node: string): void;
}

/** Each optional capability by name, with the interface a host that has it implements. */
export interface HostCapabilities {
  /** `configureNode()`: `rt.setConfig()` on its nodes. */
  configure: ConfigurableHost;
  /** `probe()`: `rt.probe()` on its outputs. */
  probes: ProbedHost;
  /** `requestKeyframe()`: `Probe.requestKeyframe()` reaches the writer. */
  keyframes: KeyframeRequestingHost;
  /** `frameLeaks()`: `rt.frameLeaks()` counts its frames. */
  frameLeaks: FrameLeakReportingHost;
  /** `endNode()`: `rt.endOfStream()` ends its sources. */
  endings: EndingHost;
}

/** The method that tells each capability. */
const METHODS: { readonly [K in keyof HostCapabilities]: keyof HostCapabilities[K] } = {
  configure: "configureNode",
  probes: "probe",
  keyframes: "requestKeyframe",
  frameLeaks: "frameLeaks",
  endings: "endNode",
};

/**
 * The host as the capability `name`, when it has it: the one check the runtime makes of an
 * optional host method.
 *
 * @param host The host.
 * @param name The capability.
 * @returns `host`, typed with the capability, or `undefined` when it lacks it.
 *
 * @example Probe through a host only when it can
 * ```ts
 * import assert from "node:assert/strict";
 * import { capability } from "./capabilities.ts";
 * import { LocalIsolate } from "./local/host.ts";
 *
 * const host = new LocalIsolate();
 * assert.ok(capability(host, "probes"));
 * assert.ok(capability(host, "configure"));
 * const bare = { ...host, isolate: "custom" } as unknown as LocalIsolate; // own fields only
 * assert.equal(capability(bare, "probes"), undefined);
 * ```
 */
export function capability<K extends keyof HostCapabilities>(
  host: IsolateHost,
  name: K,
): (IsolateHost & HostCapabilities[K]) | undefined {
  const method = (host as unknown as Record<string, unknown>)[METHODS[name] as string];
  return typeof method === "function" ? host as IsolateHost & HostCapabilities[K] : undefined;
}
