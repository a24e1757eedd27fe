/**
 * `forceClose()`: ends a server WebSocket's connection without waiting for the peer's close
 * frame, which Deno's `WebSocket` has no public way to do.
 *
 * @module
 */

interface Core {
  tryClose(rid: number): void;
}

/** Deno's internal `core`, when this Deno exposes it. */
function core(): Core | undefined {
  try {
    const key = (Deno as unknown as { internal?: symbol }).internal;
    if (typeof key !== "symbol") return undefined;
    const internal = (Deno as unknown as Record<symbol, { core?: Partial<Core> } | undefined>)[key];
    const candidate = internal?.core;
    return typeof candidate?.tryClose === "function" ? candidate as Core : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ends `socket`'s connection now: after `close()` Deno waits for the peer's close frame for as
 * long as the peer likes, holding the connection (a file descriptor) meanwhile. This closes the
 * socket's resource, the TCP connection with it; the socket's `close` event follows. It uses
 * Deno's internals (the socket's resource id and `core.tryClose`), and does nothing on a Deno
 * that has them no more.
 *
 * @param socket A server-side WebSocket (of `Deno.upgradeWebSocket`).
 * @returns Whether the connection could be ended.
 */
export function forceClose(socket: WebSocket): boolean {
  const denoCore = core();
  const ridKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === "[[rid]]");
  const rid = ridKey === undefined
    ? undefined
    : (socket as unknown as Record<symbol, unknown>)[ridKey];
  if (denoCore === undefined || typeof rid !== "number") return false;
  try {
    denoCore.tryClose(rid);
    return true;
  } catch {
    return false;
  }
}
