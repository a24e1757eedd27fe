/**
 * The dashboard's live view of any encoded output: a WHEP endpoint per watched output, fed by a
 * probe (`rt.probe(port, ..., { everyFrame: true })`), so no node is added to the graph; a
 * viewer's keyframe request goes to the encoder through the probe (`Probe.requestKeyframe()`).
 * The first viewer of an output opens its endpoint and probe; they close when it has had no
 * viewer for {@linkcode IDLE_MS}, or with the dashboard.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import type { Probe } from "../../core/probes/probe.ts";
import { WebRtcEndpoint } from "../../ffi/net/webrtc_endpoint.ts";
import { WebRtcError } from "../../ffi/net/webrtc_errors.ts";
import type { LiveAccessUnit } from "./live_probe.ts";

/** How long an output's endpoint stays open without viewers. */
export const IDLE_MS = 10_000;
/** Viewers of one output at once. */
const MAX_VIEWERS = 8;
/** The port type a live view plays. */
export const LIVE_PORT_TYPE = "EncodedVideoFrame";

const TRANSFORM = {
  module: new URL("./live_probe.ts", import.meta.url).href,
  export: "liveAccessUnit",
};

interface Feed {
  readonly endpoint: WebRtcEndpoint;
  readonly probe: Probe;
  idleSince: number;
}

/**
 * The live views of one dashboard.
 */
export class LiveOutputs {
  readonly #runtime: Runtime;
  readonly #bind: string;
  readonly #feeds = new Map<string, Feed>();
  readonly #sweep: ReturnType<typeof setInterval>;

  /**
   * @param runtime The dashboard's runtime.
   * @param bind The IP address the media sockets bind (the dashboard's, or loopback).
   */
  constructor(runtime: Runtime, bind: string) {
    this.#runtime = runtime;
    this.#bind = bind;
    this.#sweep = setInterval(() => this.#closeIdle(), 1_000);
    Deno.unrefTimer(this.#sweep as unknown as number);
  }

  /**
   * Answers a viewer's WHEP offer for output `node.port`.
   *
   * @param node The node's id.
   * @param port The output's name.
   * @param sdp The offer.
   * @returns The session and the answer.
   * @throws {NodeNotFoundError} No such node.
   * @throws {WebRtcError} `webrtc_not_endpoint` when the output is not encoded video,
   *   `webrtc_endpoint_unavailable` when the runtime is not running, `webrtc_invalid_offer`,
   *   `webrtc_too_many_peers`.
   */
  offer(node: string, port: string, sdp: string): { session: number; answer: string } {
    const label = `${node}.${port}`;
    const found = this.#runtime.describe().nodes.find((n) => n.id === node);
    if (!found) this.#runtime.node(node); // throws NodeNotFoundError
    const output = found!.outputs.find((o) => o.name === port);
    if (output?.portType !== LIVE_PORT_TYPE) {
      throw new WebRtcError(
        "webrtc_not_endpoint",
        label,
        `Cannot watch '${label}': ${
          output ? `it carries ${output.portType}` : "no such output"
        }, a live view plays ${LIVE_PORT_TYPE} (H.264) outputs`,
      );
    }
    if (this.#runtime.state !== "running" && this.#runtime.state !== "paused") {
      throw new WebRtcError(
        "webrtc_endpoint_unavailable",
        label,
        `Cannot watch '${label}': the runtime is ${this.#runtime.state} (start it)`,
      );
    }
    const opened = !this.#feeds.has(label);
    const feed = this.#feeds.get(label) ?? this.#open(label);
    try {
      const result = feed.endpoint.acceptOffer(sdp);
      feed.idleSince = Number.POSITIVE_INFINITY;
      return result;
    } catch (error) {
      if (opened) this.#close(label); // a refused first offer leaves nothing open
      throw error;
    }
  }

  /**
   * Ends a viewer's session.
   *
   * @param node The node's id.
   * @param port The output's name.
   * @param session The session id.
   * @throws {WebRtcError} `webrtc_session_not_found` when no such session is live.
   */
  end(node: string, port: string, session: number): void {
    const label = `${node}.${port}`;
    const feed = this.#feeds.get(label);
    if (!feed) {
      throw new WebRtcError(
        "webrtc_session_not_found",
        label,
        `Cannot end session ${session} of '${label}': no live view of it is open`,
      );
    }
    feed.endpoint.closeSession(session);
  }

  /** The outputs watched now (`node.port`), for tests and debugging. */
  watched(): string[] {
    return [...this.#feeds.keys()];
  }

  /** Closes every endpoint and probe. Idempotent. */
  close(): void {
    clearInterval(this.#sweep);
    for (const label of [...this.#feeds.keys()]) this.#close(label);
  }

  #open(label: string): Feed {
    const endpoint = WebRtcEndpoint.create({
      name: `${label}#live`,
      mode: "send",
      bind: this.#bind,
      maxPeers: MAX_VIEWERS,
    });
    let probe: Probe;
    let requests = 0;
    try {
      probe = this.#runtime.probe(label, (sample) => {
        const unit = sample.value as LiveAccessUnit | null | undefined;
        if (unit) endpoint.push("video", unit.data, unit.timestampNs, unit.keyframe);
        // A new viewer, or a viewer's PLI/FIR, asks the encoder for a keyframe through the
        // probe, as a WhepSink's input would.
        const { keyframeRequests } = endpoint.poll();
        if (keyframeRequests > requests) probe.requestKeyframe();
        requests = keyframeRequests;
      }, { everyFrame: true, transform: TRANSFORM });
    } catch (error) {
      endpoint.close();
      throw error;
    }
    const feed = { endpoint, probe, idleSince: Number.POSITIVE_INFINITY };
    this.#feeds.set(label, feed);
    return feed;
  }

  #closeIdle(): void {
    const now = performance.now();
    for (const [label, feed] of this.#feeds) {
      if (feed.endpoint.poll().peers > 0) feed.idleSince = Number.POSITIVE_INFINITY;
      else if (feed.idleSince === Number.POSITIVE_INFINITY) feed.idleSince = now;
      else if (now - feed.idleSince >= IDLE_MS) this.#close(label);
    }
  }

  #close(label: string): void {
    const feed = this.#feeds.get(label);
    if (!feed) return;
    this.#feeds.delete(label);
    feed.probe.close();
    feed.endpoint.close();
  }
}
