/**
 * The sessions' operator contract between `streamlib serve` (`serve/`, which answers
 * `/v1/admin/sessions`) and the dashboard's sessions page (`web/`, which renders it): the JSON
 * shapes of the admin API and the page's mountable endpoint. `serve/` mounts the page only when
 * its caller hands it one (`serveSessions({ dashboard })`), so neither front-end imports the other.
 *
 * @module
 */

import type { GraphDescription } from "../core/description.ts";

/** Where `streamlib serve` answers its operators' session calls. */
export const ADMIN_SESSIONS_PATH = "/v1/admin/sessions";

/** Where `streamlib serve` serves the dashboard's sessions page. */
export const SESSIONS_PAGE_PATH = "/dashboard";

/**
 * What an operator token allows: `read` lists sessions and shows their graphs; `admin` also
 * ends them.
 */
export type OperatorRole = "read" | "admin";

/** A session's state, as the runner names it. */
export type SessionStateName = "starting" | "running" | "closing" | "closed" | "failed";

/**
 * One live session in `GET /v1/admin/sessions`.
 *
 * @example Show a session's age and memory
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionSummary } from "./session_admin.ts";
 *
 * const summary: SessionSummary = {
 *   id: "s3",
 *   pipeline: "voice-fx",
 *   state: "running",
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   framesIn: 500,
 *   framesOut: 500,
 *   heapBytes: 8 * 1024 * 1024,
 * };
 * const seconds = (Date.parse("2026-01-01T00:01:00.000Z") - Date.parse(summary.startedAt)) / 1000;
 * assert.equal(`${summary.id}: ${seconds} s, ${summary.heapBytes! / 2 ** 20} MiB`, "s3: 60 s, 8 MiB");
 * ```
 */
export interface SessionSummary {
  /** The session's id (`s1`, ...). */
  readonly id: string;
  /** The pipeline's name (`""` when the transport named none). */
  readonly pipeline: string;
  /** Where the session is. */
  readonly state: SessionStateName;
  /** When it was opened, ISO 8601. */
  readonly startedAt: string;
  /** Frames its graph took from the client. */
  readonly framesIn: number;
  /** Frames its client read out. */
  readonly framesOut: number;
  /** Its isolate's JavaScript heap in use, in bytes; `null` when the isolate did not answer. */
  readonly heapBytes: number | null;
}

/** The body of `GET /v1/admin/sessions`. */
export interface SessionListBody {
  /** The open sessions, oldest first. */
  readonly sessions: readonly SessionSummary[];
  /** How many are open. */
  readonly active: number;
  /** The most the server runs at once. */
  readonly maxSessions: number;
}

/** The body of `GET /v1/admin/sessions/:id/graph`: the session and its runtime's `describe()`. */
export interface SessionGraphBody extends SessionSummary {
  /** The session's graph: nodes with their states, connections, counters. */
  readonly graph: GraphDescription;
}

/** What the server hands the sessions page: the session graphs, and its operators' check. */
export interface SessionsPageContext {
  /**
   * A session and its graph.
   *
   * @param id The session's id.
   * @returns What `GET /v1/admin/sessions/:id/graph` answers.
   * @throws {Error} A coded error: `session_not_found`, `session_unresponsive`.
   */
  inspect(id: string): Promise<SessionGraphBody>;
  /**
   * Checks a request's `Authorization: Bearer <token>` against the server's operator tokens.
   *
   * @param request The request.
   * @param role The role the call needs.
   * @throws {Error} A coded error: `missing_token`, `invalid_token`, `operation_not_allowed`.
   */
  authorize(request: Request, role: OperatorRole): void;
}

/** The sessions page, mounted by the server at {@linkcode SESSIONS_PAGE_PATH}. */
export interface SessionsPage {
  /**
   * Answers one request under {@linkcode SESSIONS_PAGE_PATH}.
   *
   * @param request The request.
   * @returns The response; never throws for anything a client sends.
   */
  handle(request: Request): Promise<Response>;
}

/**
 * Makes the sessions page for a server (`createSessionsPage` of `@streamlib/streamlib/web` is
 * one; `streamlib serve` passes it).
 *
 * @example A page that answers every request with 204
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SessionsPageFactory } from "./session_admin.ts";
 *
 * const blank: SessionsPageFactory = () =>
 *   Promise.resolve({ handle: () => Promise.resolve(new Response(null, { status: 204 })) });
 * const page = await blank({
 *   inspect: () => Promise.reject(new Error("no session")),
 *   authorize: () => {},
 * });
 * assert.equal((await page.handle(new Request("http://127.0.0.1/dashboard"))).status, 204);
 * ```
 */
export type SessionsPageFactory = (context: SessionsPageContext) => Promise<SessionsPage>;
