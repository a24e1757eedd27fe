/**
 * Where a processor type came from: the package, the project's own codegen folders, or a plugin.
 * `streamlib nodes`, the control API and the dashboard's palette show it.
 *
 * @module
 */

/**
 * Where a processor type came from.
 *
 * @example A plugin's processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { originLabel, type ProcessorOrigin } from "./processor_origin.ts";
 *
 * const origin: ProcessorOrigin = {
 *   kind: "plugin", plugin: "polarity", version: "1.0.0", pluginKind: "typescript",
 *   folder: "/srv/project/plugins/polarity",
 * };
 * assert.equal(originLabel(origin), "plugin polarity 1.0.0 (typescript)");
 * ```
 */
export interface ProcessorOrigin {
  /** `builtin` (the package), `project` (a codegen folder of the project) or `plugin`. */
  readonly kind: "builtin" | "project" | "plugin";
  /** The plugin's name (plugins only). */
  readonly plugin?: string;
  /** The plugin's version (plugins only). */
  readonly version?: string;
  /** How the plugin loads: `typescript`, `native`, `python` (plugins only). */
  readonly pluginKind?: string;
  /** The plugin or codegen folder (absolute), or the library file of a manifest's native entry. */
  readonly folder?: string;
}

/**
 * A short label of an origin: `built-in`, `project`, `plugin <name> <version> (<kind>)`.
 *
 * @param origin The origin; `undefined` reads as built-in.
 * @returns The label.
 *
 * @example Built-in, whether said or not
 * ```ts
 * import assert from "node:assert/strict";
 * import { originLabel } from "./processor_origin.ts";
 *
 * assert.equal(originLabel({ kind: "builtin" }), "built-in");
 * assert.equal(originLabel(undefined), "built-in");
 * ```
 */
export function originLabel(origin: ProcessorOrigin | undefined): string {
  if (origin === undefined || origin.kind === "builtin") return "built-in";
  if (origin.kind === "project") return "project";
  const version = origin.version ? ` ${origin.version}` : "";
  const kind = origin.pluginKind ? ` (${origin.pluginKind})` : "";
  return `plugin ${origin.plugin ?? "?"}${version}${kind}`;
}
