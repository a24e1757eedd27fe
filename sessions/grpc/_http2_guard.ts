/**
 * A guard for Deno's `node:http2` sessions against a crash in Deno itself. Internal.
 *
 * Deno 2.9.6's `Http2Session.destroy()` frees the session's nghttp2 state at once, also when it is
 * called while that session is still taking in received bytes (`nghttp2_session_mem_recv`), and
 * the receive then goes on to send what is pending on the freed state: the process dies of a
 * segmentation fault or an abort ([denoland/deno#36788](https://github.com/denoland/deno/issues/36788),
 * `ext/node/ops/http2/session.rs`). JavaScript destroys a session right there whenever a GOAWAY
 * arrives on a session with no open stream: an idle client closing its connection (to the
 * server), or a server closing an idle connection (to the client). Measured here (2026-11-29):
 * `streamlib serve` with 12,000 Node.js clients closing idle connections
 * (`tests/sessions/grpc_client_close_test.ts`) died in 2 of 4 runs without this guard (SIGABRT,
 * SIGSEGV), in 0 of 8 with it; a bare Deno `node:http2` server, 4,000 closes a round, in 3 of 8
 * rounds without it, 0 of 8 with it.
 *
 * @module
 */

/** A `node:http2` session (server or client): what the guard touches. */
interface DestroyableSession {
  destroy(...args: unknown[]): unknown;
}

const guarded = new WeakSet<object>();

/**
 * Moves `session.destroy()` to the next turn of the event loop, after any receive under way has
 * returned. The session is destroyed as asked, with the same arguments, one turn later; nothing
 * else of it changes. Calling it twice on one session is harmless.
 *
 * @param session The session, from a server's `session` event or `http2.connect()`.
 */
export function destroyOutsideReceive(session: DestroyableSession): void {
  if (guarded.has(session)) return;
  guarded.add(session);
  const destroy = session.destroy;
  session.destroy = function (this: unknown, ...args: unknown[]) {
    setImmediate(() => destroy.apply(this, args));
    return this;
  };
}
