/**
 * `readBody()`: the one way the control API and the MCP HTTP transport read a request body,
 * with a size bound and a deadline. A body that is too large, too slow, cut off or not UTF-8 is
 * that request's failure (a {@linkcode BodyReadError} with a status and a code), never the
 * process's.
 *
 * @module
 */

/** The bounds of one body read. */
export interface BodyLimits {
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** How long the whole body may take to arrive, in milliseconds. */
  readonly timeoutMs: number;
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
 * refused before reading; a body that grows past it is cancelled as soon as it does.
 *
 * @param request The request.
 * @param limits Size and time bounds.
 * @returns The body (empty when there is none).
 * @throws {BodyReadError} When the body is too large, too slow or cut off.
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
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) throw tooLarge(limits);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), limits.timeoutMs);
  });
  try {
    while (true) {
      let step: ReadableStreamReadResult<Uint8Array> | "timeout";
      try {
        step = await Promise.race([reader.read(), deadline]);
      } catch (error) {
        throw new BodyReadError(
          "body_incomplete",
          `Cannot read the body: the connection ended after ${size} bytes${
            declared > 0 ? ` of ${declared}` : ""
          } (${(error as Error)?.name ?? "error"})`,
        );
      }
      if (step === "timeout") {
        throw new BodyReadError(
          "body_timeout",
          `Cannot read the body: it did not arrive within ${limits.timeoutMs} ms (${size} bytes came)`,
        );
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > limits.maxBytes) throw tooLarge(limits);
      chunks.push(step.value);
    }
  } catch (error) {
    // Cancelling settles the read still pending; nothing is left to reject unobserved.
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
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
    throw new BodyReadError("invalid_utf8", "Cannot read the body: it is not valid UTF-8");
  }
}

function tooLarge(limits: BodyLimits): BodyReadError {
  return new BodyReadError(
    "body_too_large",
    `Cannot read the body: it is larger than ${limits.maxBytes} bytes`,
  );
}
