/**
 * The server's resources: `processor://<type>` (one per processor type: ports, config schema,
 * defaults, live fields) and `graph://current` (the live graph, as `get_graph` returns it).
 *
 * @module
 */

import type { Runtime } from "../mod.ts";
import { nearMatches } from "../core/errors/near_matches.ts";
import { graphJson } from "./tools/graph_read.ts";
import { describeType } from "./tools/processors.ts";

/**
 * The URI of the live graph resource.
 *
 * @example Read the graph as a resource
 * ```ts
 * import assert from "node:assert/strict";
 * import { GRAPH_URI, readResource } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * assert.equal(JSON.parse(readResource(createRuntime(), GRAPH_URI)).state, "stopped");
 * ```
 */
export const GRAPH_URI = "graph://current";

/** The URI template of processor types. */
export const PROCESSOR_URI_TEMPLATE = "processor://{type}";

/**
 * One entry of `resources/list`.
 */
export interface ResourceEntry {
  /** `graph://current` or `processor://<type>`. */
  readonly uri: string;
  /** A short name. */
  readonly name: string;
  /** What it holds. */
  readonly description: string;
  /** Always `application/json`. */
  readonly mimeType: string;
}

/**
 * Thrown by {@linkcode readResource} for a URI the server does not have; names the valid ones.
 *
 * @example A misspelled processor type
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResourceNotFoundError } from "@streamlib/streamlib/mcp";
 *
 * assert.equal(
 *   new ResourceNotFoundError("processor://Gian", ["processor://Gain"]).message,
 *   "Cannot find resource 'processor://Gian': did you mean processor://Gain? resources are graph://current and processor://<type> (resources/list)",
 * );
 * ```
 */
export class ResourceNotFoundError extends Error {
  /** The URI asked for. */
  readonly uri: string;
  /** URIs close to it. */
  readonly nearMatches: readonly string[];

  /**
   * Creates the error.
   *
   * @param uri The unknown URI.
   * @param near The URIs close to it, nearest first.
   */
  constructor(uri: string, near: readonly string[]) {
    const hint = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
    super(
      `Cannot find resource '${uri}': ${hint}resources are ${GRAPH_URI} and processor://<type> (resources/list)`,
    );
    this.name = "ResourceNotFoundError";
    this.uri = uri;
    this.nearMatches = near;
  }
}

/**
 * Every resource: the live graph, then one per processor type.
 *
 * @param runtime The runtime.
 * @returns The entries.
 *
 * @example List the resources
 * ```ts
 * import assert from "node:assert/strict";
 * import { listResources } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * assert.deepEqual(
 *   listResources(createRuntime()).map((r) => r.uri).slice(0, 3),
 *   ["graph://current", "processor://AacEncoder", "processor://AudioMixer"],
 * );
 * ```
 */
export function listResources(runtime: Runtime): ResourceEntry[] {
  return [
    {
      uri: GRAPH_URI,
      name: "current graph",
      description: "The live graph: state, processors with ports and config, connections",
      mimeType: "application/json",
    },
    ...runtime.registry.list().map((p) => ({
      uri: `processor://${p.name}`,
      name: p.name,
      description: p.summary,
      mimeType: "application/json",
    })),
  ];
}

/**
 * The JSON text of one resource.
 *
 * @param runtime The runtime.
 * @param uri `graph://current` or `processor://<type>`.
 * @returns The JSON text.
 * @throws {ResourceNotFoundError} When there is no such resource.
 *
 * @example Read a processor type
 * ```ts
 * import assert from "node:assert/strict";
 * import { readResource } from "@streamlib/streamlib/mcp";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const gain = JSON.parse(readResource(createRuntime(), "processor://Gain"));
 * assert.deepEqual(gain.liveFields, [ "gain" ]);
 * ```
 */
export function readResource(runtime: Runtime, uri: string): string {
  if (uri === GRAPH_URI) return JSON.stringify(graphJson(runtime.describe()), null, 2);
  const type = /^processor:\/\/(.+)$/.exec(uri)?.[1];
  if (type !== undefined && runtime.registry.has(decodeURIComponent(type))) {
    return JSON.stringify(
      describeType(runtime.registry.describe(decodeURIComponent(type))),
      null,
      2,
    );
  }
  const near = type !== undefined
    ? nearMatches(decodeURIComponent(type), runtime.registry.names).map((t) => `processor://${t}`)
    : nearMatches(uri, [GRAPH_URI]);
  throw new ResourceNotFoundError(uri, near);
}
