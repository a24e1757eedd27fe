/**
 * The {@linkcode WebRtcPeerLog}: a WebRTC endpoint's peers (WHEP viewers, WHIP publishers) as
 * peer events.
 *
 * @module
 */

import type { NodeLog } from "../../mod.ts";
import { logPeer, PeerWatch } from "./peer_events.ts";

/** A peer's session began or ended (what `WebRtcEndpoint.peerEvents()` gives). */
export interface WebRtcPeerChange {
  /** The session id. */
  readonly session: number;
  /** What happened. */
  readonly change: "connected" | "disconnected";
  /** The address its datagrams came from. */
  readonly remote: string | null;
  /** Why a session ended (`closed`, `replaced`, `silent`, `ice-timeout`, ...); empty otherwise. */
  readonly reason: string;
  /** How long nothing had come from the peer when its session ended, ms. */
  readonly silentMs: number;
}

/**
 * Why a session ended, in words.
 *
 * @param change The `disconnected` change.
 * @returns The detail of its peer event.
 */
function why(change: WebRtcPeerChange): string {
  const silent = `${(change.silentMs / 1000).toFixed(1)} s`;
  switch (change.reason) {
    case "closed":
      return "its session was closed (DELETE)";
    case "replaced":
      return `silent for ${silent}: a new offer took its place`;
    case "silent":
      return `silent for ${silent}, past its own cadence`;
    case "ice-timeout":
      return `ICE timed out, silent for ${silent}`;
    case "closed-by-peer":
      return "it closed the connection";
    default:
      return `${change.reason || "ended"}, silent for ${silent}`;
  }
}

/**
 * Logs a WebRTC endpoint's peer changes as peer events (`node-log` events with `data.peer`, see
 * {@linkcode logPeer}), each peer named by its role, session and address
 * (`publisher 3 at 127.0.0.1:50000`); a `disconnected` says why (`silent for 3.2 s, past its own
 * cadence`, `its session was closed (DELETE)`).
 *
 * With one peer at a time (`WhipSource`'s publisher) the first connection is `connected` and
 * each later one `reconnected`, as for every source that takes the next sender
 * ({@linkcode PeerWatch}); with many (`WhepSink`'s viewers) each viewer is a peer of its own and
 * its connection is `connected` (WHEP has no resumption: a viewer that comes back is a new
 * session).
 *
 * @example A publisher that connects, vanishes, and a second that connects
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeLog, type LogRecord } from "../../mod.ts";
 * import { WebRtcPeerLog } from "./webrtc_peer_log.ts";
 *
 * const records: LogRecord[] = [];
 * const log = createNodeLog((record) => records.push(record));
 * const peers = new WebRtcPeerLog("publisher", { onePeer: true });
 * const at = (session: number) => `127.0.0.1:${50_000 + session}`;
 * peers.report(log, [
 *   { session: 1, change: "connected", remote: at(1), reason: "", silentMs: 0 },
 *   { session: 1, change: "disconnected", remote: at(1), reason: "silent", silentMs: 3_012 },
 *   { session: 2, change: "connected", remote: at(2), reason: "", silentMs: 0 },
 * ]);
 * const changes = records.map((r) => (r.data as { peer: string }).peer);
 * assert.deepEqual(changes, ["connected", "disconnected", "reconnected"]);
 * assert.equal(
 *   records[1].message,
 *   "peer disconnected: publisher 1 at 127.0.0.1:50001 (silent for 3.0 s, past its own cadence)",
 * );
 * ```
 */
export class WebRtcPeerLog {
  readonly #role: string;
  readonly #watch: PeerWatch | undefined;
  #connections = 0;
  #disconnects = 0;

  /**
   * A log of one endpoint's peers.
   *
   * @param role What a peer is, in words (`viewer`, `publisher`).
   * @param options `onePeer`: one peer at a time, so a later connection is `reconnected`.
   */
  constructor(role: string, options: { onePeer: boolean }) {
    this.#role = role;
    this.#watch = options.onePeer ? new PeerWatch(false) : undefined;
  }

  /**
   * Logs the changes on `log`.
   *
   * @param log The node's `ctx.log`.
   * @param changes What the endpoint reported since the last call, oldest first.
   */
  report(log: NodeLog, changes: readonly WebRtcPeerChange[]): void {
    for (const change of changes) {
      const name = `${this.#role} ${change.session} at ${change.remote ?? "no address"}`;
      if (change.change === "connected") this.#connections++;
      else this.#disconnects++;
      const kind = this.#watch?.changes({
        connections: this.#connections,
        disconnects: this.#disconnects,
        connectFailures: 0,
      })[0] ?? change.change;
      logPeer(log, kind, name, kind === "disconnected" ? why(change) : undefined);
    }
  }
}
