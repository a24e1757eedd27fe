/**
 * `serveDashboard()`: {@linkcode createDashboard} on a preferred port, falling back to a free one
 * when it is busy. The one launcher `streamlib dashboard` (`deno task dashboard`) and the demo
 * use.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import { createDashboard, type Dashboard, type DashboardOptions } from "./server.ts";

/**
 * Starts a dashboard on `options.port`; when that port is busy (and is not 0), on a free one,
 * after telling `onFallback`.
 *
 * @param runtime The runtime to show and control.
 * @param options The dashboard's options.
 * @param onFallback Called with the busy port before falling back.
 * @returns The running dashboard.
 * @throws {TypeError} When the token is malformed.
 * @throws {Deno.errors.AddrInUse} Never for a busy port; other bind errors pass through.
 *
 * @example A busy port falls back to a free one
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveDashboard } from "@streamlib/streamlib/web";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * await using first = await serveDashboard(rt, { port: 0 });
 * const busy: number[] = [];
 * await using second = await serveDashboard(rt, { port: first.port }, (port) => busy.push(port));
 * assert.deepEqual(busy, [first.port]);
 * assert.notEqual(second.port, first.port);
 * ```
 */
export async function serveDashboard(
  runtime: Runtime,
  options: DashboardOptions,
  onFallback?: (busyPort: number) => void,
): Promise<Dashboard> {
  try {
    return await createDashboard(runtime, options);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse) || !options.port) throw error;
    onFallback?.(options.port);
    return await createDashboard(runtime, { ...options, port: 0 });
  }
}
