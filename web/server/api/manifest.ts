/**
 * The manifest routes: the running graph as a pipeline manifest with the drawing's node positions
 * (`GET /manifest`, the dashboard's Save), and a manifest loaded into it (`POST /manifest`, the dashboard's Load),
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
} from "../../../mod.ts";
import type { ApiContext } from "./context.ts";
import { ApiError, policyError, toApiError } from "./errors.ts";
import { type JsonObject, objectField, onlyFields, readJsonObject } from "./validation.ts";

/**
 * The runtime's graph as a manifest (previews are probes: nothing to leave out), with where the
 * dashboard draws each node as `ui.positions` (editor metadata the runtime ignores).
 *
 * @param ctx The API context.
 * @returns The manifest.
 */
export async function visibleManifest(ctx: ApiContext): Promise<Manifest> {
  await ctx.hub.ready();
  const manifest = saveManifest(ctx.runtime);
  const ids = new Set(manifest.nodes.map((n) => n.id));
  const drawn = Object.entries(ctx.hub.positions()).filter(([id]) => ids.has(id));
  return {
    ...manifest,
    connections: manifest.connections ?? [],
    ...(drawn.length > 0 ? { ui: { positions: Object.fromEntries(drawn) } } : {}),
  };
}

/** Places the nodes a loaded manifest positions (`ui.positions`, already validated). */
function placeNodes(ctx: ApiContext, manifest: Manifest): void {
  for (const [id, at] of Object.entries(manifest.ui?.positions ?? {})) ctx.hub.placeNode(id, at);
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

  api.get("/manifest", async (c) => c.json(await visibleManifest(ctx)));

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
    placeNodes(ctx, manifest as unknown as Manifest);
    return c.json({ added, manifest: await visibleManifest(ctx) }, 201);
  });

  return api;
}
