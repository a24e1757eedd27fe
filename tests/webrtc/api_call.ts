/**
 * One HTTP request to the control API, for tests of its error replies: the status and the error
 * code of the body (`undefined` when the body is not a JSON error).
 *
 * @module
 */

/**
 * Sends the request and reads the status and error code.
 *
 * @param url The route.
 * @param init Method, bearer token, content type and body.
 * @returns The status and `error.code`.
 */
export async function call(
  url: string,
  init: { method: string; token?: string; type?: string; body?: string },
): Promise<{ status: number; code: string | undefined }> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.type) headers["content-type"] = init.type;
  const r = await fetch(url, { method: init.method, headers, body: init.body });
  const text = await r.text();
  let code;
  try {
    code = JSON.parse(text).error?.code;
  } catch { /* not JSON */ }
  return { status: r.status, code };
}
