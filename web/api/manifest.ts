/**
 * The manifest routes: the running graph as a pipeline manifest (`GET /manifest`, the
 * dashboard's Save), and a manifest loaded into it (`POST /manifest`, the dashboard's Load),
 * with every validation issue listed by path.
 *
 * @module
 */

import { Hono } from "hono";
import {
  loadManifest,
  type Manifest,
  ManifestError,
  saveManifest,
  validateManifest,
} from "../../mod.ts";
import type { ApiContext } from "./context.ts";
import { ApiError, policyError, toApiError } from "./errors.ts";
import { type JsonObject, objectField, onlyFields, readJsonObject } from "./validation.ts";

/**
 * The runtime's graph as a manifest (previews are probes: nothing to leave out).
 *
 * @param ctx The API context.
 * @returns The manifest.
 */
export function visibleManifest(ctx: ApiContext): Manifest {
  const manifest = saveManifest(ctx.runtime);
  return { ...manifest, connections: manifest.connections ?? [] };
}

/**
 * `GET /manifest` and `POST /manifest` (`{ manifest, replace? }`).
 *
 * @param ctx The API context.
 * @returns The routes.
 */
export function manifestRoutes(ctx: ApiContext): Hono {
  const rt = ctx.runtime;
  const api = new Hono();

  api.get("/manifest", (c) => c.json(visibleManifest(ctx)));

  api.post("/manifest", async (c) => {
    const body = await readJsonObject(c.req.raw, false, ctx.bodyLimits);
    onlyFields(body, ["manifest", "replace"], "a manifest load");
    const manifest = objectField(body, "manifest");
    if (manifest === undefined) {
      throw new ApiError(
        400,
        "missing_field",
        "Field 'manifest' is missing: expected the manifest JSON object",
        {
          field: "manifest",
        },
      );
    }
    if (body.replace !== undefined && typeof body.replace !== "boolean") {
      throw new ApiError(400, "invalid_field", "Field 'replace' must be true or false", {
        field: "replace",
      });
    }
    // Every issue at once, by path (nodes[1].config.frequency), before anything changes.
    const issues = validateManifest(manifest, rt.registry);
    if (issues.length > 0) throw toApiError(new ManifestError(issues));
    for (const node of manifest.nodes as JsonObject[]) {
      try {
        await ctx.control.checkNode(String(node.type), node.config, node.id);
      } catch (error) {
        throw policyError(error);
      }
    }
    if (body.replace === true) {
      for (const n of rt.describe().nodes) rt.remove(n.id);
      await rt.settled();
    }
    let added: string[];
    try {
      added = Object.keys(loadManifest(rt, manifest));
    } catch (error) {
      throw toApiError(error);
    }
    return c.json({ added, manifest: visibleManifest(ctx) }, 201);
  });

  return api;
}
