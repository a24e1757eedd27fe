/**
 * `GET /history`: the server's last minutes of stats (a `StatsRing`), so a tab opened
 * later plots the past at once. Reads follow the other reads' token rules.
 *
 * @module
 */

import { Hono } from "hono";
import type { ApiContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { short } from "./validation.ts";

/** The query parameters `GET /history` takes (`token` is the reads' token, beyond loopback). */
const PARAMS = ["seconds", "since", "token"];
/** The latest `since` taken: year 2286 in ms, far below 2^53. */
const MAX_SINCE = 1e13;

/**
 * Reads an optional whole-number query parameter.
 *
 * @param values Every value given for it.
 * @param name Its name.
 * @param min The least value.
 * @param max The greatest value.
 * @returns The number, or `undefined` when absent.
 * @throws {ApiError} 400 `invalid_field` when it is repeated, not a whole number, or out of range.
 */
function wholeParam(
  values: string[] | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (values === undefined) return undefined;
  const range = `a whole number from ${min} to ${max}`;
  if (values.length !== 1) {
    throw new ApiError(400, "invalid_field", `Query '${name}' must be given once, as ${range}`, {
      field: name,
    });
  }
  const text = values[0];
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ApiError(
      400,
      "invalid_field",
      `Query '${name}' must be ${range}, got ${JSON.stringify(short(text))}`,
      { field: name },
    );
  }
  return value;
}

/**
 * The history route: `GET /history?seconds=N&since=T` → `{ periodMs, capacity, now, samples }`,
 * samples oldest first, each `{ t, nodes: { id: { rate, p50, p99 } }, connections: { id: { rate,
 * fill, drops } } }` (times in the server's ms since the epoch; `now` lets a client shift them to
 * its clock).
 *
 * @param ctx The API context (its `history` ring).
 * @returns The routes.
 */
export function historyRoutes(ctx: ApiContext): Hono {
  const ring = ctx.history;
  const api = new Hono();
  api.get("/history", (c) => {
    const queries = c.req.queries();
    for (const key of Object.keys(queries)) {
      if (!PARAMS.includes(key)) {
        throw new ApiError(
          400,
          "unknown_field",
          `Cannot use query '${short(key)}' of GET /history: known queries are seconds, since`,
          { field: short(key), choices: ["seconds", "since"] },
        );
      }
    }
    const seconds = wholeParam(
      queries.seconds,
      "seconds",
      1,
      Math.max(1, Math.ceil(ring.spanMs / 1000)),
    );
    const since = wholeParam(queries.since, "since", 0, MAX_SINCE);
    return c.json({
      periodMs: ring.periodMs,
      capacity: ring.capacity,
      now: Date.now(),
      samples: ring.samples({ seconds, since }),
    });
  });
  return api;
}
