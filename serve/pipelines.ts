/**
 * `GET /v1/pipelines`: the pipelines a caller's token may open, each with its application inputs
 * and outputs and the parameters its manifest lets a caller set.
 *
 * @module
 */

import {
  declaredParameters,
  describeParameters,
  type ParameterDescription,
} from "../core/manifest/parameters.ts";
import type { NodeRegistry } from "../core/registry/node_registry.ts";
import type { ListedParameter, ListedPipeline } from "../sessions/wire/pipelines.ts";

export type { ListedParameter, ListedPipeline };
import { TransportError } from "../sessions/websocket/errors.ts";
import type { Catalog } from "./catalog.ts";
import { credentialError, readBearer, type TokenPolicy } from "./tokens.ts";

function names(value: unknown): string[] {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.keys(value)
    : [];
}

/**
 * Lists the catalog's pipelines the request's token may open (every one on a server with no
 * tokens), in name order.
 *
 * @param request The `GET`.
 * @param catalog The pipelines.
 * @param tokens Who may open what.
 * @param registry The sessions' processors, for each parameter's schema and default; without
 * it a parameter is listed with its target and description only.
 * @returns The pipelines.
 * @throws {TransportError} `missing_token` or `invalid_token` when the server has tokens and the
 * request has none of them (`invalid_token` too for a credential that is not `Bearer <token>`);
 * `details.field` is `authorization`.
 *
 * @example What a team's token may open
 * ```ts
 * import assert from "node:assert/strict";
 * import { listPipelines, TokenPolicy } from "@streamlib/streamlib/serve";
 *
 * const gain = (id: string) => ({
 *   version: 1,
 *   nodes: [{ id, type: "Gain" }],
 *   inputs: { audio: `${id}.in` },
 *   outputs: { audio: `${id}.out` },
 *   parameters: { gain: `${id}.gain` },
 * });
 * const catalog = new Map([["voice-fx", gain("fx")], ["admin-fx", gain("ax")]]);
 * const tokens = new TokenPolicy({ tokens: { "team-a-0123456789": ["voice-fx"] } });
 * const request = new Request("http://localhost/v1/pipelines", {
 *   headers: { authorization: "Bearer team-a-0123456789" },
 * });
 * const [listed, ...others] = listPipelines(request, catalog, tokens);
 * assert.equal(others.length, 0);
 * assert.equal(listed.name, "voice-fx");
 * assert.deepEqual(listed.parameters.gain, { target: "fx.gain", description: "" });
 * ```
 */
export function listPipelines(
  request: Request,
  catalog: Catalog,
  tokens: TokenPolicy,
  registry?: NodeRegistry,
): ListedPipeline[] {
  const credential = readBearer(request.headers.get("authorization"));
  if (tokens.required && credential.problem !== undefined) {
    throw credentialError("Cannot list pipelines", credential);
  }
  const bearer = credential.token;
  const allowed = (name: string): boolean => {
    try {
      tokens.check(name, bearer);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "pipeline_not_allowed") return false;
      throw new TransportError(
        code === "missing_token" ? "missing_token" : "invalid_token",
        code === "missing_token"
          ? "Cannot list pipelines: this server needs a token (Authorization: Bearer <token>)"
          : "Cannot list pipelines: the token is wrong",
        { field: "authorization" },
      );
    }
  };
  const out: ListedPipeline[] = [];
  for (const name of [...catalog.keys()].sort()) {
    if (!allowed(name)) continue;
    const manifest = catalog.get(name);
    let described: Record<string, ParameterDescription> = {};
    if (registry) {
      try {
        described = describeParameters(manifest, registry);
      } catch {
        described = {}; // a manifest the registry cannot describe: targets only
      }
    }
    const parameters: Record<string, ListedParameter> = {};
    for (const [parameter, { node, field, description }] of declaredParameters(manifest)) {
      const target = `${node}.${field}`;
      const known = described[parameter];
      parameters[parameter] = known
        ? {
          target,
          description,
          schema: known.schema,
          ...(known.default === undefined ? {} : { default: known.default }),
          live: known.live,
        }
        : { target, description };
    }
    const m = manifest as { inputs?: unknown; outputs?: unknown };
    out.push({ name, inputs: names(m.inputs), outputs: names(m.outputs), parameters });
  }
  return out;
}
