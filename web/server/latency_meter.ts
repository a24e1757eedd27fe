/**
 * `LatencyMeter`: end-to-end latency from a source to a sink, from the frames' own timestamps.
 * Sources stamp each frame on the runtime's media clock and processors pass the stamp on, so the
 * age of a frame when it is written into the sink's input (`clock.nowNs() - frame.timestampNs`)
 * is how late it reaches the sink against its own timestamp. The meter probes the output that
 * feeds the sink and the source's output on the path (probes: nothing is added to the graph), and
 * keeps the last minutes of both ages; their difference is what the graph adds, the age at the
 * source how far behind its timestamps the source writes.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import { nodeOf } from "../../core/ports/port_end.ts";

type Probe = ReturnType<Runtime["probe"]>;

/** One measurement: when (ms since the epoch) and the frame's age then (ns). */
export interface LatencySample {
  /** When, ms since the epoch (server clock). */
  t: number;
  /** The frame's age when written into the sink's input, ns. */
  latencyNs: number;
}

/** What is measured, and the samples so far. */
export interface LatencyReading {
  /** Whether it is measuring (false once stopped, or when the probed node was removed). */
  measuring: boolean;
  /** The source node. */
  source: string;
  /** The sink node. */
  sink: string;
  /** The probed output, `node.port`, which feeds the sink. */
  port: string;
  /** The source's output on the path, `node.port`, probed too. */
  sourcePort: string;
  /** Ages at `port` (into the sink), oldest first. */
  samples: LatencySample[];
  /**
   * Ages at `sourcePort`, oldest first: how far behind its own timestamps the source writes (a
   * source that fell behind its clock stays behind). `samples` minus this is what the graph adds.
   */
  atSource: LatencySample[];
}

/**
 * The outputs on a path from `source` into `sink`'s inputs: each connection into the sink whose
 * writer is the source or downstream of it.
 *
 * @param connections The graph's connections (`from`/`to` as `node.port`).
 * @param source The source node.
 * @param sink The sink node.
 * @returns The feeding outputs (`node.port`), in connection order; empty when there is no path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { feedingOutputs } from "./latency_meter.ts";
 *
 * const connections = [
 *   { from: "tone.audio", to: "gain.in" },
 *   { from: "gain.out", to: "sink.in" },
 *   { from: "other.audio", to: "sink2.in" },
 * ];
 * assert.deepEqual(feedingOutputs(connections, "tone", "sink"), ["gain.out"]);
 * assert.deepEqual(feedingOutputs(connections, "tone", "sink2"), []);
 * ```
 */
export function feedingOutputs(
  connections: readonly { from: string; to: string }[],
  source: string,
  sink: string,
): string[] {
  const reached = new Set([source]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of connections) {
      if (reached.has(nodeOf(c.from)) && !reached.has(nodeOf(c.to))) {
        reached.add(nodeOf(c.to));
        grew = true;
      }
    }
  }
  return connections.filter((c) => nodeOf(c.to) === sink && reached.has(nodeOf(c.from))).map((c) =>
    c.from
  );
}

/**
 * The source's outputs on a path into `sink`.
 *
 * @param connections The graph's connections.
 * @param source The source node.
 * @param sink The sink node.
 * @returns The outputs (`node.port`), in connection order.
 */
export function sourceOutputs(
  connections: readonly { from: string; to: string }[],
  source: string,
  sink: string,
): string[] {
  const out = connections.filter((c) =>
    nodeOf(c.from) === source &&
    (nodeOf(c.to) === sink || feedingOutputs(connections, nodeOf(c.to), sink).length > 0)
  );
  return [...new Set(out.map((c) => c.from))];
}

/** Keeps one latency measurement at a time. */
export class LatencyMeter {
  readonly #rt: Runtime;
  readonly #capacity: number;
  readonly #everyMs: number;
  #probes: Probe[] = [];
  #reading: LatencyReading | undefined;

  /**
   * Creates an idle meter.
   *
   * @param rt The runtime.
   * @param options Samples kept (default 1500) and the probe's period (default 200 ms): 5 minutes.
   */
  constructor(rt: Runtime, options: { capacity?: number; everyMs?: number } = {}) {
    this.#rt = rt;
    this.#capacity = options.capacity ?? 1500;
    this.#everyMs = options.everyMs ?? 200;
  }

  /**
   * Measures from `source` to `sink`: the age of frames at `port`, which feeds the sink (see
   * {@linkcode feedingOutputs}), and at `sourcePort`, the source's output on the path; a
   * measurement already running stops.
   *
   * @param source The source node.
   * @param sink The sink node.
   * @param port The output feeding the sink, `node.port`.
   * @param sourcePort The source's output on the path, `node.port`.
   * @returns The new reading.
   * @throws What `rt.probe()` throws for a port that is not there.
   */
  measure(source: string, sink: string, port: string, sourcePort: string): LatencyReading {
    this.stop();
    const reading: LatencyReading = {
      measuring: true,
      source,
      sink,
      port,
      sourcePort,
      samples: [],
      atSource: [],
    };
    const into = (list: LatencySample[]) => (sample: { summary: { timestampNs?: number } }) => {
      const stamp = sample.summary.timestampNs;
      if (stamp === undefined || !Number.isFinite(stamp)) return;
      list.push({ t: Date.now(), latencyNs: Math.round(this.#rt.clock.nowNs() - stamp) });
      if (list.length > this.#capacity) list.shift();
    };
    const options = { everyMs: this.#everyMs };
    this.#probes = [this.#rt.probe(port, into(reading.samples), options)];
    try {
      this.#probes.push(this.#rt.probe(sourcePort, into(reading.atSource), options));
    } catch (error) {
      this.stop();
      throw error;
    }
    this.#reading = reading;
    return this.reading()!;
  }

  /** Stops measuring; the samples stay readable. Idempotent. */
  stop(): void {
    for (const probe of this.#probes) probe.close();
    this.#probes = [];
    if (this.#reading) this.#reading.measuring = false;
  }

  /**
   * The current or last measurement.
   *
   * @returns A copy, or `undefined` when nothing was measured.
   */
  reading(): LatencyReading | undefined {
    const r = this.#reading;
    if (!r) return undefined;
    if (this.#probes.some((p) => p.closed)) this.stop(); // a probed node was removed
    return { ...r, samples: [...r.samples], atSource: [...r.atSource] };
  }
}
