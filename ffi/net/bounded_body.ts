/**
 * {@linkcode readBoundedBody}: a response body from a peer read within a byte bound, so a peer
 * that answers with more than it should (a WHIP server's "answer" of gigabytes, an image URL that
 * never ends) costs at most the bound, never the process's memory.
 *
 * @module
 */

/**
 * Reads `response`'s body, at most `maxBytes` of it. A declared `Content-Length` over the bound
 * is refused before reading, a body that grows past it as soon as it does; either way the body
 * is cancelled (the connection is the caller's fetch's, so nothing else waits on it).
 *
 * @param response The response (its body not yet read).
 * @param maxBytes The most bytes taken.
 * @returns The body, or `undefined` when it is over `maxBytes`.
 *
 * @example A bounded read
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBoundedBody } from "./bounded_body.ts";
 *
 * assert.deepEqual(await readBoundedBody(new Response("v=0"), 16), new TextEncoder().encode("v=0"));
 * assert.equal(await readBoundedBody(new Response("x".repeat(17)), 16), undefined);
 * ```
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}
