/**
 * Reads a request's body within a size and a time bound, for the offer and the parameters'
 * PATCH. Internal.
 *
 * @module
 */

import { TransportError } from "../websocket/errors.ts";
import { WebRtcSessionError } from "./errors.ts";

/** The bounds of one body's read. */
export interface BodyLimits {
  /** The largest body taken, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive, in milliseconds. */
  readonly timeoutMs: number;
  /** Aborted when the server stops: the read ends at once with `server_shutting_down`. */
  readonly signal?: AbortSignal;
}

/**
 * The request's body.
 *
 * @param request The request.
 * @param limits The largest body, how long it may take, and the server's stop.
 * @param what What the body is, for messages (`the offer`).
 * @returns The body's bytes.
 * @throws {WebRtcSessionError} `body_too_large`, `body_incomplete`, `body_timeout` (a body still
 *   unfinished after `timeoutMs`: a client that holds its request open would otherwise hold a
 *   connection, and the server's stop, forever).
 * @throws {TransportError} `server_shutting_down` when `signal` aborts during the read.
 */
export async function readBody(
  request: Request,
  limits: BodyLimits,
  what: string,
): Promise<Uint8Array> {
  // A refused body is left unread, never cancelled (see the catch below).
  const { maxBytes, timeoutMs, signal } = limits;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes, what);
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = request.body?.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<"timeout" | "stopping">((resolve) => {
    timer = setTimeout(resolve, timeoutMs, "timeout");
    onAbort = () => resolve("stopping");
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) resolve("stopping");
  });
  try {
    while (reader) {
      let step: ReadableStreamReadResult<Uint8Array> | "timeout" | "stopping";
      try {
        step = await Promise.race([reader.read(), stop]);
      } catch (error) {
        throw new WebRtcSessionError(
          "body_incomplete",
          `Cannot read ${what}: the body was cut off (${(error as Error).message})`,
        );
      }
      if (step === "timeout") {
        throw new WebRtcSessionError(
          "body_timeout",
          `Cannot read ${what}: it did not arrive within ${timeoutMs} ms (${length} bytes came)`,
          { timeoutMs },
        );
      }
      if (step === "stopping") {
        throw new TransportError(
          "server_shutting_down",
          `Cannot read ${what}: the server is stopping`,
        );
      }
      if (step.done) break;
      length += step.value.length;
      if (length > maxBytes) throw tooLarge(maxBytes, what);
      chunks.push(step.value);
    }
  } catch (error) {
    // Released, not cancelled: in Deno 2.9 a cancelled request body holds the server's graceful
    // shutdown until its client sends the rest, which a client holding its request never does.
    // Releasing settles the read still pending; the server drops the connection when it stops.
    reader?.releaseLock();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  const body = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

function tooLarge(maxBytes: number, what: string): WebRtcSessionError {
  return new WebRtcSessionError(
    "body_too_large",
    `Cannot read ${what}: it is over ${maxBytes} bytes, the most it may be`,
    { maxBytes },
  );
}
