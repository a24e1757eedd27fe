/**
 * Calls to the control API from the page, with the token; failures become the page's notice, and
 * a refused token (`invalid_token`) turns the page to its no-access state.
 *
 * @module
 */

import { API_BASE, type ApiErrorBody } from "../shared/protocol.ts";
import type { DashboardStore } from "../shared/store.ts";

/**
 * Calls the API.
 *
 * @param store The page's store (token and notice).
 * @param method The HTTP method.
 * @param path The path under `/api/v1`.
 * @param body A JSON body.
 * @returns The response body, or `undefined` when the call failed (the notice says why).
 */
export async function callApi<T = unknown>(
  store: DashboardStore,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const headers: Record<string, string> = {};
  if (store.token.value) headers.authorization = `Bearer ${store.token.value}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    store.notice.value = { kind: "error", text: `Cannot reach the dashboard: ${error}` };
    return undefined;
  }
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (json as ApiErrorBody | null)?.error;
    if (error?.code === "invalid_token") store.refuse();
    store.notice.value = {
      kind: "error",
      text: error?.message ?? `${method} ${path} failed with status ${response.status}`,
      field: error?.field,
    };
    return undefined;
  }
  store.notice.value = null;
  return json as T;
}

/**
 * Asks the dashboard whether it takes the page's token, without opening anything: a plain GET of
 * the stream route answers 401 `invalid_token` for a wrong token before it asks for the WebSocket
 * upgrade (426). Browsers hide why a WebSocket was refused, so the page asks this when its stream
 * closes before it opened.
 *
 * @param token The token.
 * @returns `"refused"`, `"accepted"`, or `"unknown"` when the dashboard cannot be reached.
 */
export async function checkToken(token: string): Promise<"refused" | "accepted" | "unknown"> {
  try {
    const response = await fetch(`${API_BASE}/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const json = await response.json().catch(() => null);
    const code = (json as ApiErrorBody | null)?.error?.code;
    return code === "invalid_token" ? "refused" : "accepted";
  } catch {
    return "unknown";
  }
}

/** A response of {@linkcode requestApi}. */
export type ApiReply<T> =
  | { ok: true; body: T }
  | { ok: false; error: ApiErrorBody["error"] };

/**
 * Calls the API and returns the error body too (for forms that show every issue); the notice is
 * left alone.
 *
 * @param store The page's store (token).
 * @param method The HTTP method.
 * @param path The path under `/api/v1`.
 * @param body A JSON body.
 * @returns The body, or the API's error.
 */
export async function requestApi<T = unknown>(
  store: DashboardStore,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<ApiReply<T>> {
  const headers: Record<string, string> = {};
  if (store.token.value) headers.authorization = `Bearer ${store.token.value}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    const response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    if (response.ok) return { ok: true, body: json as T };
    const error = (json as ApiErrorBody | null)?.error;
    if (error?.code === "invalid_token") store.refuse();
    return {
      ok: false,
      error: error ?? {
        status: response.status,
        code: "http_error",
        message: `${method} ${path} failed with status ${response.status}`,
      },
    };
  } catch (error) {
    return {
      ok: false,
      error: { status: 0, code: "unreachable", message: `Cannot reach the dashboard: ${error}` },
    };
  }
}
