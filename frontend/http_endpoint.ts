/**
 * An HTTP endpoint one front-end serves on another's server: the dashboard serves MCP's
 * endpoint at `/mcp` without importing MCP, because whoever composes the two (the CLI, or a
 * program) injects it as an {@linkcode HttpEndpointFactory}.
 *
 * @module
 */

import type { Runtime } from "../core/runtime.ts";
import type { ControlPolicy } from "./control_policy.ts";
import type { HttpGuard } from "./http_guard.ts";
import type { BodyLimits } from "./read_body.ts";

/** An endpoint that answers requests and keeps their sessions. */
export interface HttpEndpoint {
  /**
   * Answers one request to the endpoint, after checking it against `guard` (Host, Origin, token).
   *
   * @param request The request.
   * @param guard Who may call.
   * @returns The response; never throws for anything a client sends.
   */
  handle(request: Request, guard: HttpGuard): Promise<Response>;
  /** Open sessions. */
  readonly sessions: number;
  /** Closes every session. Idempotent. */
  close(): Promise<void>;
}

/** What the serving front-end passes to an {@linkcode HttpEndpointFactory}. */
export interface HttpEndpointOptions {
  /** The serving front-end's control policy, which the endpoint's calls obey too. */
  readonly control: ControlPolicy;
  /** Bounds of request bodies (the serving front-end's timeout). */
  readonly requestBody: Partial<BodyLimits>;
}

/**
 * Makes an endpoint for a runtime (MCP's `createMcpEndpoint` is one).
 *
 * @example An endpoint that answers every request with 204
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlPolicy } from "./control_policy.ts";
 * import type { HttpEndpointFactory } from "./http_endpoint.ts";
 * import { httpGuard } from "./http_guard.ts";
 * import { createRuntime } from "../processors/mod.ts";
 *
 * const noContent: HttpEndpointFactory = () => ({
 *   handle: () => Promise.resolve(new Response(null, { status: 204 })),
 *   sessions: 0,
 *   close: () => Promise.resolve(),
 * });
 * const endpoint = noContent(createRuntime(), { control: new ControlPolicy(), requestBody: {} });
 * const guard = httpGuard(8788, "0123456789abcdef0123456789abcdef");
 * assert.equal((await endpoint.handle(new Request("http://127.0.0.1:8788/x"), guard)).status, 204);
 * ```
 */
export type HttpEndpointFactory = (runtime: Runtime, options: HttpEndpointOptions) => HttpEndpoint;
