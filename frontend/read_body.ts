/**
 * `readBody()`: the one way a server of ours reads a request body (the control API, the MCP HTTP
 * transport, serve's admin API, the WebRTC sessions' offers), with a size bound, a deadline and
 * the server's stop. A body that is too large, too slow, cut off or not UTF-8 is that request's
 * failure (a {@linkcode BodyReadError} with a status and a code), never the process's, and a
 * refused body never holds the server's graceful shutdown.
 *
 * It imports nothing, so the session transports (`sessions/webrtc/`) use it too.
 *
 * @module
 */

/** The bounds of one body read. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * The server's stop: when it aborts, the read ends at once and rejects with the signal's
   * reason, so a client holding its body open cannot hold the stop.
   */
  readonly signal?: AbortSignal;
  /** What the body is, for messages: `"the offer"`. Default `"the body"`. */
  readonly what?: string;
}

/** Why a body could not be read. */
export type BodyReadProblem =
  | "body_too_large"
  | "body_timeout"
  | "body_incomplete"
  | "invalid_utf8";

const STATUS: Record<BodyReadProblem, number> = {
  body_too_large: 413,
  body_timeout: 408,
  body_incomplete: 400,
  invalid_utf8: 400,
};

/**
 * A request body that could not be read: too large (413), too slow (408), cut off by the client
 * (400) or not UTF-8 (400).
 *
 * @example Map it to a response
 * ```ts
 * import assert from "node:assert/strict";
 * import { BodyReadError } from "./read_body.ts";
 *
 * const error = new BodyReadError("body_timeout", "Cannot read the body: it did not arrive within 10000 ms");
 * assert.equal(error.status, 408);
 * assert.equal(error.code, "body_timeout");
 * ```
 */
export class BodyReadError extends Error {
  /** The stable code. */
  readonly code: BodyReadProblem;
  /** The HTTP status to answer with. */
  readonly status: number;

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message What happened and what the limit is.
   */
  constructor(code: BodyReadProblem, message: string) {
    super(message);
    this.name = "BodyReadError";
    this.code = code;
    this.status = STATUS[code];
  }
}

/**
 * Reads a request's body as bytes within `limits`. A declared `Content-Length` over the limit is
 * refused before reading; a body that grows past it is refused as soon as it does. A refused body
 * is let go unread (its reader released, never cancelled): in Deno 2.9 a cancelled request body
 * holds `server.shutdown()` until its client sends the rest, which a client holding its request
 * never does (frontend/read_body_test.ts).
 *
 * @param request The request.
 * @param limits Size and time bounds, the server's stop, and what the body is.
 * @returns The body (empty when there is none).
 * @throws {BodyReadError} When the body is too large, too slow or cut off.
 * @throws {unknown} `limits.signal`'s reason when it aborts during the read.
 *
 * @example Read a small body
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./read_body.ts";
 *
 * const request = new Request("http://x/", { method: "POST", body: "hello" });
 * const bytes = await readBody(request, { maxBytes: 1024, timeoutMs: 1000 });
 * assert.equal(new TextDecoder().decode(bytes), "hello");
 * ```
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<Uint8Array> {
  const { maxBytes, timeoutMs, signal, what = "the body" } = limits;
  signal?.throwIfAborted();
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes, what);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<"timeout" | "aborted">((resolve) => {
    timer = setTimeout(resolve, timeoutMs, "timeout");
    onAbort = () => resolve("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array<ArrayBuffer>> | "timeout" | "aborted";
      try {
        step = await Promise.race([reader.read(), stop]);
      } catch (error) {
        throw new BodyReadError(
          "body_incomplete",
          `Cannot read ${what}: the connection ended after ${size} bytes${
            declared > 0 ? ` of ${declared}` : ""
          } (${(error as Error)?.name ?? "error"})`,
        );
      }
      if (step === "aborted") throw signal!.reason;
      if (step === "timeout") {
        throw new BodyReadError(
          "body_timeout",
          `Cannot read ${what}: it did not arrive within ${timeoutMs} ms (${size} bytes came)`,
        );
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes, what);
      chunks.push(step.value);
    }
  } catch (error) {
    // Released, not cancelled (see above). Releasing settles the read still pending, so nothing
    // is left to reject unobserved; the server drops the connection when it stops.
    reader.releaseLock();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/**
 * Reads a request's body as UTF-8 text within `limits`.
 *
 * @param request The request.
 * @param limits Size and time bounds.
 * @returns The text.
 * @throws {BodyReadError} When the body is too large, too slow, cut off or not UTF-8.
 */
export async function readBodyText(request: Request, limits: BodyLimits): Promise<string> {
  const bytes = await readBody(request, limits);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BodyReadError(
      "invalid_utf8",
      `Cannot read ${limits.what ?? "the body"}: it is not valid UTF-8`,
    );
  }
}

function tooLarge(maxBytes: number, what: string): BodyReadError {
  return new BodyReadError(
    "body_too_large",
    `Cannot read ${what}: it is over ${maxBytes} bytes, the most it may be`,
  );
}
