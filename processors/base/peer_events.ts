/**
 * Peer events of the network nodes: what their link to the peer did, as `node-log` runtime
 * events with `data.peer` saying which change, so `rt.on()`, `streamlib run --json`, MCP clients
 * and the dashboard's event stream all show them.
 *
 * @module
 */

import type { NodeLog } from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";

/**
 * How a network node's link to its peer changed:
 * - `connected`: the first connection of this run;
 * - `reconnected`: a later one (the same peer back, or the next sender);
 * - `disconnected`: the peer left, closed the connection or went silent past the node's timeout;
 * - `retrying`: an attempt to connect failed and the node keeps trying (once per outage);
 * - `gave-up`: the node stopped trying (a WHIP server's refusal), and says why.
 */
export type PeerChange = "connected" | "reconnected" | "disconnected" | "retrying" | "gave-up";

/** Every {@linkcode PeerChange}. */
export const PEER_CHANGES: readonly PeerChange[] = [
  "connected",
  "reconnected",
  "disconnected",
  "retrying",
  "gave-up",
];

/** The counters a peer watch follows (a `NetStats` has them). */
export interface PeerCounters {
  /** Connections made so far. */
  readonly connections: number;
  /** Connections lost so far. */
  readonly disconnects: number;
  /** Failed attempts to connect so far. */
  readonly connectFailures: number;
}

/**
 * Turns a network endpoint's counters into peer changes, each once, in the order they happened
 * (a loss before the next connection), and logs them.
 *
 * @example A caller that connects, loses its peer, fails twice and connects again
 * ```ts
 * import assert from "node:assert/strict";
 * import { PeerWatch } from "./peer_events.ts";
 *
 * const watch = new PeerWatch();
 * const at = (connections: number, disconnects: number, connectFailures: number) =>
 *   watch.changes({ connections, disconnects, connectFailures });
 * assert.deepEqual(at(1, 0, 0), ["connected"]);
 * assert.deepEqual(at(1, 1, 1), ["disconnected", "retrying"]);
 * assert.deepEqual(at(1, 1, 2), []);
 * assert.deepEqual(at(2, 1, 2), ["reconnected"]);
 * ```
 */
export class PeerWatch {
  #connections = 0;
  #disconnects = 0;
  #failures = 0;
  #retrying = false;
  readonly #retries: boolean;

  /**
   * A watch of one endpoint.
   *
   * @param retries Whether failed attempts are `retrying` events: a caller's are; a listener
   * does not call anyone, and a handshake that failed there is the caller's to retry.
   */
  constructor(retries = true) {
    this.#retries = retries;
  }

  /**
   * What changed since the last call.
   *
   * @param now The counters now.
   * @returns The changes, oldest first.
   */
  changes(now: PeerCounters): PeerChange[] {
    const out: PeerChange[] = [];
    for (; this.#disconnects < now.disconnects; this.#disconnects++) out.push("disconnected");
    if (this.#retries && now.connectFailures > this.#failures && !this.#retrying) {
      this.#retrying = true;
      out.push("retrying");
    }
    this.#failures = Math.max(this.#failures, now.connectFailures);
    for (; this.#connections < now.connections; this.#connections++) {
      out.push(this.#connections === 0 ? "connected" : "reconnected");
      this.#retrying = false;
    }
    return out;
  }

  /**
   * Logs what changed since the last call on `log` (`disconnected` and `retrying` as warnings).
   *
   * @param log The node's `ctx.log`.
   * @param now The counters now.
   * @param peer Who the peer is, in words (`srt://127.0.0.1:9000 (caller)`).
   */
  report(log: NodeLog, now: PeerCounters, peer: string): void {
    for (const change of this.changes(now)) logPeer(log, change, peer);
  }
}

/**
 * Logs one peer change as a `node-log` event with `data.peer` set to it.
 *
 * @param log The node's `ctx.log`.
 * @param change What happened.
 * @param peer Who the peer is, in words.
 * @param detail Why, or more about it (e.g. the refusal's status).
 * @param code The error code of why, when there is one (`data.code`).
 *
 * @example A refused WHIP publish is an error record naming the peer and the status
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeLog, type LogRecord } from "../../mod.ts";
 * import { logPeer } from "./peer_events.ts";
 *
 * const records: LogRecord[] = [];
 * const log = createNodeLog((record) => records.push(record));
 * logPeer(log, "connected", "srt://127.0.0.1:9000 (caller)");
 * logPeer(log, "gave-up", "http://127.0.0.1:8080/whip", "HTTP 403");
 * assert.deepEqual(records.map((r) => r.level), ["info", "error"]);
 * assert.deepEqual(records[1].data, { peer: "gave-up", with: "http://127.0.0.1:8080/whip", detail: "HTTP 403" });
 * assert.equal(records[1].message, "peer gave-up: http://127.0.0.1:8080/whip (HTTP 403)");
 * ```
 */
export function logPeer(
  log: NodeLog,
  change: PeerChange,
  peer: string,
  detail?: string,
  code?: string,
): void {
  const data: { [key: string]: JsonValue } = { peer: change, with: peer };
  if (detail !== undefined) data.detail = detail;
  if (code !== undefined) data.code = code;
  const message = `peer ${change}: ${peer}${detail === undefined ? "" : ` (${detail})`}`;
  if (change === "connected" || change === "reconnected") log.info(message, data);
  else if (change === "gave-up") log.error(message, data);
  else log.warn(message, data);
}
