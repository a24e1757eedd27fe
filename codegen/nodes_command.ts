/**
 * `deno task nodes`: the node registry on the command line, after GStreamer's `gst-inspect`.
 * `list` prints one line per processor; `info <Name>` prints its ports and config.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeSchema } from "../core/config/validation.ts";
import type { JsonSchema } from "../core/schema/json_schema.ts";
import type {
  NodeRegistry,
  PortSummary,
  ProcessorSummary,
} from "../core/registry/node_registry.ts";
import type { PortDescriptor, ProcessorDescriptor } from "../core/schema/descriptor.ts";
import { originLabel, type ProcessorOrigin } from "../core/registry/processor_origin.ts";
import { REGISTRY_FILE } from "./discover.ts";
import { loadCodegenConfig } from "./project_config.ts";

/**
 * The package's processors (the built-ins and the package plugins, `SubprocessProcessor`, as
 * `streamlib run` and `validate` know them) joined with the registry of every folder the project
 * at `root` configures for codegen (each folder's generated `registry.gen.ts`). Processors tagged
 * `internal` (helpers their owner adds by definition) are left out: this is the registry of what a
 * graph may use.
 *
 * @param root The project root.
 * @returns The joined registry.
 * @throws {DuplicateProcessorError} When a project processor has a built-in's name.
 *
 * @example Load this repository's registry
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadProjectRegistry } from "@streamlib/streamlib/codegen";
 *
 * const registry = await loadProjectRegistry(".");
 * assert.ok(registry.has("Gain"));
 * ```
 */
export async function loadProjectRegistry(root: string): Promise<NodeRegistry> {
  // The package's own processors: the built-ins and the package plugins (SubprocessProcessor),
  // as `streamlib run` and `validate` know them.
  const { registry: builtin } = await import("../processors/registry.gen.ts");
  const { registry: plugins } = await import("../plugins/registry.gen.ts");
  let registry = builtin.with(
    [...(plugins as NodeRegistry)].filter((d) => !d.descriptor.tags.includes("internal")),
  );
  for (const path of projectRegistryFiles(root)) {
    const module = await import(pathToFileURL(path).href);
    const definitions = [...(module.registry as NodeRegistry)];
    registry = registry.with(definitions.filter((d) => !d.descriptor.tags.includes("internal")));
  }
  return registry;
}

/**
 * The generated `registry.gen.ts` files of the project at `root`: one per folder its `deno.json`
 * lists under `"streamlib": { "codegen": [...] }` that has one (a folder codegen has not run on
 * has none), leaving out the package's own `processors/` and `plugins/` (the repository's root
 * is a project too). None when `deno.json` has no codegen folders or cannot be read, as
 * {@linkcode loadProjectRegistry} treats it.
 *
 * @param root The project root.
 * @returns Absolute paths, in the order `deno.json` lists the folders.
 *
 * @example The repository lists only the package's own folders
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectRegistryFiles } from "./nodes_command.ts";
 *
 * assert.deepEqual(projectRegistryFiles("."), []);
 * ```
 */
export function projectRegistryFiles(root: string): string[] {
  const packageRegistries = ["../processors/", "../plugins/"]
    .map((folder) => new URL(folder, import.meta.url))
    .filter((url) => url.protocol === "file:")
    .map((url) => join(fileURLToPath(url), REGISTRY_FILE));
  let folders: readonly string[] = [];
  try {
    folders = loadCodegenConfig(root).folders;
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const folder of folders) {
    const path = resolve(root, folder, REGISTRY_FILE);
    if (packageRegistries.includes(path) || !existsSync(path) || files.includes(path)) continue;
    files.push(path);
  }
  return files;
}

/**
 * The `nodes list` table: name, tags, one-line description, inputs and outputs, and with
 * `origins` where each came from (`built-in`, `project`, `plugin <name> <version> (<kind>)`).
 *
 * @param summaries The processors.
 * @param origins Where each came from, by name; without it there is no ORIGIN column.
 * @returns The table text.
 *
 * @example Print the built-in processors
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNodeList } from "@streamlib/streamlib/codegen";
 * import { listProcessors } from "@streamlib/streamlib/processors";
 *
 * const lines = formatNodeList(listProcessors()).split("\n");
 * assert.match(lines[0], /^NAME +TAGS +DESCRIPTION +INPUTS +OUTPUTS$/);
 * const gain = lines.find((line) => line.startsWith("Gain "));
 * assert.match(gain!, /^Gain +audio,filter +Multiplies every sample .* in: AudioFrame<2> +out: AudioFrame<2>$/);
 * ```
 */
export function formatNodeList(
  summaries: readonly ProcessorSummary[],
  origins?: ReadonlyMap<string, ProcessorOrigin>,
): string {
  const rows = [
    ["NAME", "TAGS", "DESCRIPTION", "INPUTS", "OUTPUTS", ...(origins ? ["ORIGIN"] : [])],
    ...summaries.map((s) => [
      s.name,
      s.tags.join(",") || "-",
      shorten(s.summary || "-", 64),
      portList(s.inputs),
      portList(s.outputs),
      ...(origins ? [originLabel(origins.get(s.name))] : []),
    ]),
  ];
  return table(rows);
}

/**
 * The `nodes info` page of one processor: details, ports with types and descriptions, config
 * fields with types and defaults, and the config's JSON Schema.
 *
 * @param descriptor The processor's descriptor.
 * @param origin Where it came from; adds an Origin row to the details.
 * @returns The page text.
 *
 * @example Describe the gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatNodeInfo } from "@streamlib/streamlib/codegen";
 * import { describeProcessor } from "@streamlib/streamlib/processors";
 *
 * const info = formatNodeInfo(describeProcessor("Gain"));
 * assert.ok(info.startsWith("Gain\n\n  Multiplies every sample of a stereo stream by a constant factor."));
 * assert.match(info, /\n {2}in {2}AudioFrame<2> {2}required {2}Stereo audio to scale\.\n/);
 * assert.match(info, /\n {2}gain +a number from 0 to 16 +1 +live +Linear factor applied to every sample/);
 * ```
 */
export function formatNodeInfo(descriptor: ProcessorDescriptor, origin?: ProcessorOrigin): string {
  const d = descriptor;
  const lines: string[] = [];
  lines.push(`${d.name}`, "");
  for (const paragraph of d.description.split("\n")) lines.push(`  ${paragraph}`);
  lines.push("", "Details:");
  lines.push(
    ...table([
      ["Tags", d.tags.join(", ") || "-"],
      ["Mode", d.mode],
      ["Source", d.source],
      ...(origin ? [["Origin", originDetail(origin)]] : []),
    ]).split("\n").map((l) => `  ${l}`),
  );
  const ports = (title: string, list: readonly PortDescriptor[]) => {
    lines.push("", `${title}:`);
    if (list.length === 0) return lines.push("  none");
    const rows = list.map((p) => [
      p.name,
      p.portType,
      p.direction === "input" ? (p.required ? "required" : "optional") : "",
      p.description || "-",
    ]);
    lines.push(...table(rows).split("\n").map((l) => `  ${l}`));
  };
  ports("Inputs", d.inputs);
  ports("Outputs", d.outputs);
  lines.push("", "Config:");
  const fields = configRows(d.config, "");
  if (fields.length === 0) lines.push("  none");
  else {
    lines.push(
      ...table([["FIELD", "TYPE", "DEFAULT", "LIVE", "DESCRIPTION"], ...fields]).split("\n").map((
        l,
      ) => `  ${l}`),
    );
  }
  lines.push("", "Config JSON Schema:");
  lines.push(...JSON.stringify(d.config, null, 2).split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

function configRows(schema: JsonSchema, prefix: string): string[][] {
  const rows: string[][] = [];
  const required = schema.required ?? [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const {
      description: _,
      default: fallback,
      properties: __,
      "x-live": live,
      ...shape
    } = field as JsonSchema & { "x-live"?: boolean };
    const type = field.properties ? "an object" : describeSchema(shape);
    const value = fallback !== undefined
      ? JSON.stringify(fallback)
      : required.includes(name)
      ? "(required)"
      : "(optional)";
    // "live": setConfig() changes it while running (the `@live` tag); otherwise only when stopped.
    rows.push([path, type, value, live === true ? "live" : "-", field.description ?? "-"]);
    if (field.properties) rows.push(...configRows(field, `${path}.`));
  }
  return rows;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;
}

function portList(ports: readonly PortSummary[]): string {
  if (ports.length === 0) return "-";
  const parts: string[] = [];
  for (let i = 0; i < ports.length; i++) {
    const match = /^(.*)_0$/.exec(ports[i].name);
    let j = i;
    if (match) {
      while (
        j + 1 < ports.length && ports[j + 1].name === `${match[1]}_${j + 1 - i}` &&
        ports[j + 1].portType === ports[i].portType
      ) j++;
    }
    const name = j > i ? `${ports[i].name}..${ports[j].name}` : ports[i].name;
    parts.push(`${name}: ${ports[i].portType}`);
    i = j;
  }
  return parts.join(", ");
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    r.map((cell, c) => c === r.length - 1 ? cell : cell.padEnd(widths[c])).join("  ").trimEnd()
  )
    .join("\n");
}

/** An origin with its folder, for `nodes info`. */
function originDetail(origin: ProcessorOrigin): string {
  return origin.folder ? `${originLabel(origin)}, ${origin.folder}` : originLabel(origin);
}
