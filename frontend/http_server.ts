/**
 * {@linkcode serveStoppable}: `Deno.serve` with a stop that a client cannot hold up.
 *
 * @module
 */

/** What {@linkcode serveStoppable} returns. */
export interface StoppableServer {
  /** The server (its `addr`, `finished`). */
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  /**
   * Stops: handlers still answering get up to `graceMs`, then the listener and every connection
   * left (requests whose body never came, idle keep-alives, WebSockets) end. Idempotent.
   *
   * @param graceMs Longest wait for handlers that have not answered. Default 1,000.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Serves `handler` with `Deno.serve`, stopping it with an abort signal rather than
 * `shutdown()`. Deno's graceful shutdown waits for every request's body to arrive, so a client
 * that sends headers with a `Content-Length` and holds the body back would hold a server's stop
 * for as long as it likes (measured: a dashboard's `close()` still pending after 8 s, a
 * `streamlib serve` still up 30 s after SIGTERM). `stop()` waits for the handlers that are
 * answering (a scrape, an API call), at most `graceMs`, then ends the rest.
 *
 * @param options `Deno.serve`'s options (no `signal`: this owns it).
 * @param handler The handler.
 * @returns The server and its stop.
 *
 * @example A request held half-sent does not hold the stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveStoppable } from "./http_server.ts";
 *
 * const { server, stop } = serveStoppable(
 *   { port: 0, onListen: () => {} },
 *   async (request) => new Response(await request.text()),
 * );
 * const conn = await Deno.connect({ port: server.addr.port });
 * await conn.write(new TextEncoder().encode(
 *   "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf",
 * ));
 * const started = performance.now();
 * await stop(200);
 * assert.ok(performance.now() - started < 5_000);
 * conn.close();
 * ```
 */
export function serveStoppable(
  options: Omit<Deno.ServeTcpOptions, "signal">,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): StoppableServer {
  const abort = new AbortController();
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const server = Deno.serve({ ...options, signal: abort.signal }, async (request, info) => {
    inFlight++;
    try {
      return await handler(request, info);
    } finally {
      if (--inFlight === 0) idle?.();
    }
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 1_000): Promise<void> =>
    stopping ??= (async () => {
      if (inFlight > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          idle = resolve;
          timer = setTimeout(resolve, graceMs);
        });
        clearTimeout(timer);
      }
      abort.abort();
      await server.finished;
    })();
  return { server, stop };
}
