/**
 * What a plugin's panel may say to the dashboard, checked before anything acts on it, and the
 * budget that closes a panel that says too much. The dashboard's side of the protocol
 * (`plugin_bridge.ts`) uses both; docs/plugin_ui.md describes the protocol.
 *
 * @module
 */

/** The bounds of one panel's messages. */
export interface PanelLimits {
  /** Messages per second a panel may send, on average. */
  readonly messagesPerSecond: number;
  /** Messages it may send at once (the bucket's size). */
  readonly burst: number;
  /** The largest message, as JSON, in bytes (UTF-16 code units). */
  readonly maxBytes: number;
  /** How long a panel has to load and mount. */
  readonly loadTimeoutMs: number;
  /** Config patches waiting for the API at once. */
  readonly inFlight: number;
}

/** The dashboard's limits: 50 messages a second (100 at once), 64 KiB each, 10 s to load. */
export const PANEL_LIMITS: PanelLimits = {
  messagesPerSecond: 50,
  burst: 100,
  maxBytes: 65_536,
  loadTimeoutMs: 10_000,
  inFlight: 2,
};

/** Topics a panel may subscribe to. */
export const PANEL_TOPICS = ["config", "stats", "levels"] as const;

/** A topic of {@linkcode PANEL_TOPICS}. */
export type PanelTopic = typeof PANEL_TOPICS[number];

/** A message of a panel, once checked. */
export type PanelRequest =
  | { type: "mounted" }
  | { type: "failed"; message: string }
  | { type: "error"; message: string }
  | { type: "set-config"; id: number; patch: Record<string, unknown> }
  | { type: "subscribe"; topics: PanelTopic[] }
  | { type: "resize"; height: number };

/**
 * Checks a message a panel sent: its size, then its shape.
 *
 * @param data The message's data.
 * @param maxBytes The largest message, as JSON.
 * @returns The request, or `{ problem }` saying what is wrong with it.
 *
 * @example Take a patch, refuse an unknown message
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePanelMessage } from "./panel_messages.ts";
 *
 * assert.deepEqual(parsePanelMessage({ type: "set-config", id: 1, patch: { left: 0.5 } }, 1024), {
 *   type: "set-config",
 *   id: 1,
 *   patch: { left: 0.5 },
 * });
 * assert.match((parsePanelMessage({ type: "fetch", url: "/api/v1" }, 1024) as { problem: string }).problem, /unknown/);
 * assert.match((parsePanelMessage({ type: "error", message: "x".repeat(2000) }, 1024) as { problem: string }).problem, /over 1024/);
 * ```
 */
export function parsePanelMessage(
  data: unknown,
  maxBytes: number,
): PanelRequest | { problem: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    return { problem: "a message that is not JSON" };
  }
  if (json === undefined) return { problem: "a message that is not JSON" };
  if (json.length > maxBytes) return { problem: `a message over ${maxBytes} bytes` };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { problem: "a message that is not an object" };
  }
  const m = data as Record<string, unknown>;
  const text = (value: unknown) => typeof value === "string" ? value.slice(0, 2000) : "";
  switch (m.type) {
    case "mounted":
      return { type: "mounted" };
    case "failed":
    case "error":
      return { type: m.type, message: text(m.message) };
    case "set-config": {
      const { id, patch } = m;
      if (!Number.isSafeInteger(id)) return { problem: "set-config without a whole-number id" };
      if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
        return { problem: "set-config whose patch is not an object" };
      }
      return { type: "set-config", id: id as number, patch: patch as Record<string, unknown> };
    }
    case "subscribe": {
      const topics = m.topics;
      if (!Array.isArray(topics) || topics.some((t) => !PANEL_TOPICS.includes(t))) {
        return { problem: `subscribe to topics other than ${PANEL_TOPICS.join(", ")}` };
      }
      return { type: "subscribe", topics: [...new Set(topics as PanelTopic[])] };
    }
    case "resize": {
      const height = m.height;
      if (typeof height !== "number" || !Number.isFinite(height)) {
        return { problem: "resize without a height" };
      }
      return { type: "resize", height };
    }
    default:
      return { problem: `an unknown message type ${JSON.stringify(String(m.type).slice(0, 40))}` };
  }
}

/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`.
 *
 * @example A burst passes, the next one waits for the refill
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageBudget } from "./panel_messages.ts";
 *
 * let now = 0;
 * const budget = new MessageBudget(10, 2, () => now);
 * assert.ok(budget.take() && budget.take());
 * assert.equal(budget.take(), false);
 * now = 100; // 0.1 s: one message's worth
 * assert.ok(budget.take());
 * ```
 */
export class MessageBudget {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * Makes a full bucket.
   *
   * @param perSecond The refill rate.
   * @param burst The bucket's size.
   * @param now The clock, in milliseconds.
   */
  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /**
   * Takes one message's worth.
   *
   * @returns Whether there was one.
   */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) / 1000 * this.#perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
