/**
 * `streamlib serve --grpc-port`: the catalog's pipelines over gRPC (`sessions/grpc/`) beside the
 * WebSocket sessions, with the same tokens, runner and metrics. Imported only when a gRPC port is
 * asked for, so a server without one never loads `@grpc/grpc-js`.
 *
 * @module
 */

import type { PipelineRunner, StreamOptions } from "../sessions/runner.ts";
import type { Session } from "../sessions/session.ts";
import { serveGrpc } from "../sessions/grpc/server.ts";
import type { GrpcAuthDecision, GrpcServer } from "../sessions/grpc/server.ts";
import type { SessionObserver } from "../sessions/websocket/observer.ts";
import { type Catalog, findPipeline } from "./catalog.ts";
import type { TokenPolicy } from "./tokens.ts";

/** What {@linkcode startGrpc} needs from the server. */
export interface GrpcSide {
  /** The runner the WebSocket sessions use too (one `maxSessions` for both transports). */
  readonly runner: PipelineRunner;
  /** The pipelines by name. */
  readonly catalog: Catalog;
  /** Who may open which pipeline. */
  readonly tokens: TokenPolicy;
  /** The metrics' hooks: gRPC sessions count like WebSocket ones. */
  readonly observer: SessionObserver;
  /** The port (0: a free one). */
  readonly port: number;
  /** The address to bind. */
  readonly hostname: string;
  /** How long a connection with no call may stay (see `GrpcServeOptions`). */
  readonly maxConnectionIdleMs?: number;
}

/**
 * Serves the catalog over gRPC.
 *
 * @param side The runner, catalog, tokens, metrics and address.
 * @returns The gRPC server (its `port`, `close()`).
 */
export function startGrpc(side: GrpcSide): Promise<GrpcServer> {
  const { catalog, tokens, observer } = side;
  return serveGrpc({
    runner: observedRunner(side.runner, observer),
    hostname: side.hostname,
    port: side.port,
    maxConnectionIdleMs: side.maxConnectionIdleMs,
    // Every call's ending, with the code its client was sent: a session's end, or a refusal (of
    // the token, the name, the runner, or what the call sent: no open first, bytes that do not
    // decode or decompress, its deadline). A call the client left before it had a session asked
    // for nothing.
    onEnded: ({ code, session }) => {
      if (session !== undefined) observer.ended?.(session, code);
      else if (code !== "" && code !== "client_disconnected") observer.refused?.(code);
    },
    // Both refuse with the WebSocket transport's errors (what the token allows, the pipelines
    // there are), which the call ends with.
    authorize: (token, pipeline): GrpcAuthDecision => {
      tokens.check(pipeline, token ?? "");
      return true;
    },
    resolve: (name) => findPipeline(catalog, name),
  });
}

/**
 * The runner as the gRPC transport sees it: every session it opens reports to `observer` that it
 * started, and its frames in and out; its end (with the code its client was sent) and refused
 * opens are told by the transport (`onEnded`). The round-trip histogram is the WebSocket
 * transport's alone.
 */
function observedRunner(runner: PipelineRunner, observer: SessionObserver): PipelineRunner {
  const stream = async (manifest: unknown, options?: StreamOptions): Promise<Session> => {
    const session = await runner.stream(manifest, options);
    observer.started?.(session.id, session.pipeline);
    return observedSession(session, observer);
  };
  return forward(runner, { stream }) as PipelineRunner;
}

function observedSession(session: Session, observer: SessionObserver): Session {
  const send: Session["send"] = async (...args) => {
    const seq = await session.send(...args);
    observer.frameIn?.();
    return seq;
  };
  const outputs = async function* () {
    for await (const item of session.outputs()) {
      observer.frameOut?.();
      yield item;
    }
  };
  return forward(session, { send, outputs }) as Session;
}

/** `target` with `overrides`; every other member read from (and methods bound to) `target`. */
function forward<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === "string" && Object.hasOwn(overrides, key)) return overrides[key];
      const value = Reflect.get(object, key, object);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}
