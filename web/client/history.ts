/**
 * The page's start of history: the server's last minutes of stats (`GET /api/v1/history`) put in
 * front of what the page records itself, so plots show the past at once.
 *
 * @module
 */

import type { HistoryReply } from "../shared/stats_history.ts";
import type { DashboardStore } from "../shared/store.ts";
import { requestApi } from "./api_client.ts";

/**
 * Loads the server's history into the store's trends (times shifted to the page's clock).
 *
 * @param store The page's store.
 * @returns How many samples came (0 when the call failed).
 */
export async function loadHistory(store: DashboardStore): Promise<number> {
  const reply = await requestApi<HistoryReply>(store, "GET", "/history");
  if (!reply.ok) return 0;
  const { samples, now } = reply.body;
  const taken = store.trends.prepend(samples, Date.now() - now);
  // Plots redraw with the next stats message; redraw now for a page that is not live yet.
  store.stats.value = { ...store.stats.value };
  return taken;
}
