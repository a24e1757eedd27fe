/**
 * Plugin UIs: the plugins a dashboard serves panels for (`DashboardOptions.plugins`), checked
 * once at start, and the one function that maps a requested path onto a file of a plugin's UI
 * folder without leaving it.
 *
 * @module
 */

import { isAbsolute, join, resolve, sep as SEPARATOR } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiError } from "./api/errors.ts";

/**
 * A plugin as discovery describes it, with the fields the dashboard reads: its `name`, its
 * `folder` and the `ui` of its `streamlib.plugin.json` (`module`, relative to the folder, and the
 * `processors` it has a panel for). Plugins without `ui` are accepted and ignored.
 */
export interface DashboardPlugin {
  /** The plugin's id (`^[a-z][a-z0-9_-]{0,63}$`). */
  readonly name: string;
  /** Its folder: an absolute path or a `file:` URL. */
  readonly folder: string | URL;
  /** Its UI, if it has one. */
  readonly ui?: {
    /** The ES module, relative to the folder (`ui/panel.js`). */
    readonly module: string;
    /** The processors it renders panels for. */
    readonly processors: readonly string[];
  };
}

/** A plugin UI as the dashboard serves it. */
export interface PluginUi {
  /** The plugin's id. */
  readonly name: string;
  /** The plugin's folder (absolute). */
  readonly folder: string;
  /** The module's folder in it, the one served, as segments (`["ui"]`; `[]` for the root). */
  readonly dir: readonly string[];
  /** The module's path in the plugin folder, `/`-separated, `.` segments dropped (`ui/panel.js`). */
  readonly module: string;
  /** The processors it renders panels for. */
  readonly processors: readonly string[];
}

/** The types of the files a plugin UI may serve, by extension. */
export const PLUGIN_UI_TYPES: Readonly<Record<string, string>> = {
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  wasm: "application/wasm",
  woff2: "font/woff2",
};

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const PROCESSOR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_PATH = 400;

/**
 * Checks the plugins given to the dashboard and keeps those with a UI.
 *
 * @param plugins The plugins (discovery's list, or written by hand).
 * @returns The UIs, one per plugin with `ui`.
 * @throws {TypeError} When a name, folder or module is malformed, two plugins share a name, or
 * two claim a panel for the same processor.
 *
 * @example Keep the plugins with a UI
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginUis } from "./plugin_ui.ts";
 *
 * const uis = pluginUis([
 *   { name: "balance", folder: "/opt/plugins/balance", ui: { module: "ui/panel.js", processors: ["Balance"] } },
 *   { name: "plain", folder: "/opt/plugins/plain" },
 * ]);
 * assert.deepEqual(uis.map((u) => [u.name, u.module, u.dir]), [["balance", "ui/panel.js", ["ui"]]]);
 * assert.throws(() => pluginUis([{ name: "x", folder: "/p", ui: { module: "../up.js", processors: ["X"] } }]), TypeError);
 * ```
 */
export function pluginUis(plugins: readonly DashboardPlugin[]): PluginUi[] {
  const uis: PluginUi[] = [];
  const owners = new Map<string, string>();
  const names = new Set<string>();
  for (const plugin of plugins) {
    const what = `Cannot serve the UI of plugin ${JSON.stringify(String(plugin.name))}`;
    if (typeof plugin.name !== "string" || !NAME.test(plugin.name)) {
      throw new TypeError(`${what}: its name must match ${NAME.source}`);
    }
    if (names.has(plugin.name)) throw new TypeError(`${what}: two plugins have this name`);
    names.add(plugin.name);
    if (!plugin.ui) continue;
    const folder = plugin.folder instanceof URL || String(plugin.folder).startsWith("file:")
      ? fileURLToPath(plugin.folder)
      : String(plugin.folder);
    if (!isAbsolute(folder)) {
      throw new TypeError(
        `${what}: its folder must be an absolute path or file: URL, got ${folder}`,
      );
    }
    const module = plugin.ui.module;
    // As discovery's URLs have it (`pluginUiUrl()`): empty and `.` segments dropped.
    const segments = typeof module === "string"
      ? module.split("/").filter((s) => s !== "" && s !== ".")
      : [];
    if (
      typeof module !== "string" || module.length > MAX_PATH || module.startsWith("/") ||
      segments.length === 0 ||
      segments.some((s) => segmentProblem(s) !== undefined) || !/\.m?js$/.test(module)
    ) {
      throw new TypeError(
        `${what}: ui.module must be a relative path inside the folder ending in .js or .mjs, not absolute, without '..' or hidden segments, got ${
          JSON.stringify(module)
        }`,
      );
    }
    const processors = plugin.ui.processors;
    if (!Array.isArray(processors) || processors.length === 0) {
      throw new TypeError(`${what}: ui.processors must name at least one processor`);
    }
    for (const processor of processors) {
      if (typeof processor !== "string" || !PROCESSOR.test(processor)) {
        throw new TypeError(
          `${what}: ui.processors has a malformed name ${JSON.stringify(processor)}`,
        );
      }
      const owner = owners.get(processor);
      if (owner !== undefined) {
        throw new TypeError(`${what}: plugin '${owner}' has a panel for '${processor}' already`);
      }
      owners.set(processor, plugin.name);
    }
    uis.push({
      name: plugin.name,
      folder: resolve(folder),
      dir: segments.slice(0, -1),
      module: segments.join("/"),
      processors: [...processors],
    });
  }
  return uis;
}

/**
 * Why one segment of a UI path is refused, or `undefined` when it is a plain name.
 *
 * @param segment A decoded path segment.
 * @returns A phrase, or `undefined`.
 */
function segmentProblem(segment: string): string | undefined {
  if (segment === "") return "an empty segment";
  if (segment === "." || segment === "..") return `'${segment}'`;
  if (segment.startsWith(".")) return "a hidden name";
  // deno-lint-ignore no-control-regex
  if (/[\\/\u0000-\u001f\u007f:]/.test(segment)) {
    return "'\\', '/', ':', NUL or a control character";
  }
  return undefined;
}

/**
 * The file a request names in a plugin's folder: the raw (percent-encoded) path after `/ui/`,
 * relative to the plugin folder, is decoded segment by segment, each a plain name (no `.`, `..`,
 * hidden name, encoded `/`, `\`, `:` or NUL); it must lie in the UI module's folder, its extension
 * be one of {@linkcode PLUGIN_UI_TYPES}, and the file, symlinks resolved, stay inside that folder.
 *
 * @param ui The plugin's UI.
 * @param rawPath The path after `/ui/`, as sent.
 * @returns The file's real path and its content type.
 * @throws {ApiError} 400 `plugin_ui_path_invalid` for a malformed path, 404
 * `plugin_ui_file_not_found` for a file that is not there or of a type not served, 403
 * `plugin_ui_path_outside` for a path that leaves the folder through a symlink.
 *
 * @example Find the module, refuse a way out
 * ```ts
 * import assert from "node:assert/strict";
 * import { pluginUiFile, pluginUis } from "./plugin_ui.ts";
 *
 * const folder = await Deno.makeTempDir();
 * await Deno.mkdir(`${folder}/ui`);
 * await Deno.writeTextFile(`${folder}/ui/panel.js`, "export default () => {};");
 * const [ui] = pluginUis([{ name: "demo", folder, ui: { module: "ui/panel.js", processors: ["Gain"] } }]);
 * const found = await pluginUiFile(ui, "ui/panel.js");
 * assert.equal(found.type, "text/javascript; charset=utf-8");
 * await assert.rejects(pluginUiFile(ui, "ui/%2e%2e/ui/panel.js"), { code: "plugin_ui_path_invalid" });
 * await Deno.remove(folder, { recursive: true });
 * ```
 */
export async function pluginUiFile(
  ui: PluginUi,
  rawPath: string,
): Promise<{ file: string; type: string }> {
  const shown = JSON.stringify(rawPath.length > 200 ? `${rawPath.slice(0, 200)}...` : rawPath);
  const invalid = (why: string) =>
    new ApiError(
      400,
      "plugin_ui_path_invalid",
      `Cannot serve ${shown} of plugin '${ui.name}': the path has ${why}; name a file of its UI folder, such as ${ui.module}`,
      { field: "path" },
    );
  if (rawPath.length > MAX_PATH) throw invalid(`over ${MAX_PATH} characters`);
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw invalid("a malformed percent-encoding");
    }
    const problem = segmentProblem(segment);
    if (problem !== undefined) throw invalid(problem);
    segments.push(segment);
  }
  const ext = /\.([a-z0-9]+)$/.exec(segments.at(-1)!.toLowerCase())?.[1];
  const type = ext === undefined ? undefined : PLUGIN_UI_TYPES[ext];
  const notFound = (why: string) =>
    new ApiError(
      404,
      "plugin_ui_file_not_found",
      `Cannot find ${shown} in the UI of plugin '${ui.name}': ${why}`,
      { field: "path", ...(type === undefined ? { choices: Object.keys(PLUGIN_UI_TYPES) } : {}) },
    );
  if (type === undefined) {
    throw notFound(
      `files of this type are not served, only ${Object.keys(PLUGIN_UI_TYPES).join(", ")}`,
    );
  }
  const dir = ui.dir;
  if (segments.length <= dir.length || dir.some((d, i) => segments[i] !== d)) {
    throw notFound(
      `only the folder of its UI module is served, ${
        dir.length ? `${dir.join("/")}/` : "the plugin folder"
      }`,
    );
  }
  let root: string;
  let file: string;
  try {
    root = await Deno.realPath(join(ui.folder, ...dir));
    file = await Deno.realPath(join(ui.folder, ...segments));
  } catch {
    throw notFound("no such file");
  }
  if (!file.startsWith(root + SEPARATOR)) {
    throw new ApiError(
      403,
      "plugin_ui_path_outside",
      `Cannot serve ${shown} of plugin '${ui.name}': it resolves outside the folder of its UI module (a symlink out of it)`,
      { field: "path" },
    );
  }
  const info = await Deno.stat(file).catch(() => undefined);
  if (!info?.isFile) throw notFound("not a file");
  return { file, type };
}
