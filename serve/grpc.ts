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
    // What the call sent that the runner never saw (parameters that are not JSON values).
    onRefused: (code) => observer.refused?.(code),
    // Both refuse with the WebSocket transport's errors (what the token allows, the pipelines
    // there are), which the call ends with.
    authorize: (token, pipeline): GrpcAuthDecision => {
      try {
        tokens.check(pipeline, token ?? "");
        return true;
      } catch (error) {
        observer.refused?.((error as { code?: string }).code ?? "invalid_token");
        throw error;
      }
    },
    resolve: (name) => {
      try {
        return findPipeline(catalog, name);
      } catch (error) {
        observer.refused?.("pipeline_not_found");
        throw error;
      }
    },
  });
}

/**
 * The runner as the gRPC transport sees it: every session it opens reports to `observer`
 * (started, ended with its code, frames in and out; refused opens by code). The round-trip
 * histogram is the WebSocket transport's alone.
 */
function observedRunner(runner: PipelineRunner, observer: SessionObserver): PipelineRunner {
  const stream = async (manifest: unknown, options?: StreamOptions): Promise<Session> => {
    let session: Session;
    try {
      session = await runner.stream(manifest, options);
    } catch (error) {
      observer.refused?.((error as { code?: string }).code ?? "internal_error");
      throw error;
    }
    observer.started?.(session.id, session.pipeline);
    session.done.then(() =>
      observer.ended?.(
        session.id,
        session.state === "failed" ? session.error?.code ?? "internal_error" : "",
      )
    );
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
