/**
 * `relaySse()`: a session's SSE stream passed on to the client with a bound on what waits for it,
 * so a client that opens the stream and never reads it cannot grow the server's memory.
 *
 * @module
 */

/** Most bytes of SSE events waiting for a client that does not read (16 MiB). */
export const MCP_MAX_SSE_QUEUED_BYTES = 16 * 1024 * 1024;

/** What {@linkcode relaySse} reports. */
export interface SseRelayHooks {
  /** Called once, when the stream ends (the server closed it, or the client went away). */
  readonly onEnd: () => void;
  /** Called with the count so far each time an event is dropped because too much waits. */
  readonly onDrop?: (dropped: number) => void;
}

/**
 * Relays an SSE body: reads the source's events as they come (the SDK enqueues one event per
 * chunk, and only notifications travel on the standalone stream; responses go in the POST's
 * body) and hands them on as the client reads. While more than `maxQueuedBytes` wait, a new
 * event is dropped whole instead of queued.
 *
 * @param source The SSE body the SDK's transport answered a GET with.
 * @param hooks End and drop callbacks.
 * @param maxQueuedBytes The bound on waiting bytes.
 * @returns The body to answer with.
 *
 * @example Events pass through in order
 * ```ts
 * import assert from "node:assert/strict";
 * import { relaySse } from "./sse_relay.ts";
 *
 * const source = ReadableStream.from([new TextEncoder().encode("data: 1\n\n")]);
 * let ended = false;
 * const body = relaySse(source, { onEnd: () => ended = true });
 * assert.equal(await new Response(body).text(), "data: 1\n\n");
 * assert.ok(ended);
 * ```
 */
export function relaySse(
  source: ReadableStream<Uint8Array>,
  hooks: SseRelayHooks,
  maxQueuedBytes: number = MCP_MAX_SSE_QUEUED_BYTES,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const queue: Uint8Array[] = [];
  let queued = 0;
  let dropped = 0;
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let open = true;
  let cancelled = false;
  const end = () => {
    if (!open) return;
    open = false;
    hooks.onEnd();
  };
  (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (queued + value.length > maxQueuedBytes) {
          hooks.onDrop?.(++dropped);
          continue;
        }
        queue.push(value);
        queued += value.length;
        wake?.();
      }
    } catch (error) {
      failure = error;
    }
    finished = true;
    end(); // the session's stream is over, whatever the client has still to read
    wake?.();
  })();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (queue.length === 0 && !finished) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      wake = undefined;
      if (cancelled) return; // the client went away while this pull waited
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.length;
        controller.enqueue(chunk);
        return;
      }
      if (failure !== undefined) controller.error(failure);
      else controller.close();
    },
    async cancel(reason) {
      cancelled = true;
      end();
      queue.length = 0;
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
