/**
 * `streamlib.plugin.json`, the file at the root of every plugin folder: its fields, and their
 * validation against the published JSON Schema (`plugins/streamlib.plugin.schema.json`, whose
 * patterns this module uses, so the two cannot disagree).
 *
 * @module
 */

import schema from "../streamlib.plugin.schema.json" with { type: "json" };

/** The metadata file's name in a plugin folder. */
export const PLUGIN_METADATA_FILE = "streamlib.plugin.json";

/** The published JSON Schema of {@linkcode PLUGIN_METADATA_FILE}, as a URL of this package. */
export const PLUGIN_METADATA_SCHEMA_URL: string =
  new URL("../streamlib.plugin.schema.json", import.meta.url).href;

/** The kinds of plugin, as the schema lists them. */
export const PLUGIN_KINDS = schema.properties.kind.enum as readonly PluginKind[];

/** How a plugin loads. */
export type PluginKind = "typescript" | "native" | "python";

/** A native library per platform (`linux-x86_64`, `darwin-aarch64`, `windows`), or one path. */
export type PluginEntry = string | Readonly<Record<string, string>>;

/**
 * A plugin's `streamlib.plugin.json`, validated.
 *
 * @example A TypeScript plugin's metadata
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePluginMetadata, type PluginMetadata } from "@streamlib/streamlib/plugins";
 *
 * const metadata: PluginMetadata = parsePluginMetadata({
 *   name: "flip", version: "1.0.0", license: "MIT", author: "Ada",
 *   kind: "typescript", entry: "registry.gen.ts", processors: ["Flip"], minRuntime: "0.1.0",
 * }, "plugins/polarity/streamlib.plugin.json");
 * assert.equal(metadata.kind, "typescript");
 * ```
 */
export interface PluginMetadata {
  /** The plugin's id: lowercase letters, digits, `_` and `-`. */
  readonly name: string;
  /** Its own version (semver). */
  readonly version: string;
  /** An SPDX license expression. */
  readonly license: string;
  /** Who wrote it. */
  readonly author: string;
  /** How it loads. */
  readonly kind: PluginKind;
  /** What loads, relative to the plugin folder (a map by platform for native plugins). */
  readonly entry: PluginEntry;
  /** The processor names it registers. */
  readonly processors: readonly string[];
  /** The oldest streamlib version it runs on. */
  readonly minRuntime: string;
  /** Native plugins: the plugin ABI version the library was built for. */
  readonly abi?: number;
  /** An ES module with dashboard panels for some of its processors. */
  readonly ui?: { readonly module: string; readonly processors: readonly string[] };
}

/**
 * Thrown when a `streamlib.plugin.json` is missing, is not JSON, or has a bad or missing field;
 * names the file, the field and what is valid.
 *
 * @example A version that is not semver
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePluginMetadata, PluginMetadataError } from "@streamlib/streamlib/plugins";
 *
 * assert.throws(
 *   () => parsePluginMetadata({ name: "x", version: "one" }, "x/streamlib.plugin.json"),
 *   (error) => error instanceof PluginMetadataError && error.field === "version",
 * );
 * ```
 */
export class PluginMetadataError extends Error {
  /** Stable machine code. */
  readonly code = "plugin_metadata_invalid" as const;
  /** The metadata file. */
  readonly file: string;
  /** The field at fault (`entry`, `ui.module`, `processors[2]`), or `""` for the whole file. */
  readonly field: string;
  /** What is valid there. */
  readonly expected: string;
  /** The file, the field and what is valid. */
  get details(): { file: string; field: string; expected: string } {
    return { file: this.file, field: this.field, expected: this.expected };
  }

  /**
   * Creates the error.
   *
   * @param file The metadata file.
   * @param field The field at fault.
   * @param problem What is wrong.
   * @param expected What is valid.
   */
  constructor(file: string, field: string, problem: string, expected: string) {
    super(
      `Invalid plugin metadata ${file}${field ? `: field '${field}'` : ""} ${problem}: ` +
        `expected ${expected}`,
    );
    this.name = "PluginMetadataError";
    this.file = file;
    this.field = field;
    this.expected = expected;
  }
}

const props = schema.properties;
const NAME = new RegExp(props.name.pattern);
const SEMVER = new RegExp(props.version.pattern);
const RUNTIME = new RegExp(props.minRuntime.pattern);
const SPDX = new RegExp(props.license.pattern);
const PROCESSOR = new RegExp(props.processors.items.pattern);
const RELATIVE = new RegExp(schema.$defs.relativePath.pattern);
const PLATFORM = new RegExp(
  (props.entry.oneOf[1] as { propertyNames: { pattern: string } }).propertyNames.pattern,
);
const FIELDS = Object.keys(props);

/**
 * Validates parsed metadata field by field, in the schema's order.
 *
 * @param json The parsed file.
 * @param file The file's path, for messages.
 * @returns The metadata.
 * @throws {PluginMetadataError} At the first field that is missing or invalid.
 *
 * @example An unknown kind
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePluginMetadata } from "@streamlib/streamlib/plugins";
 *
 * const json = {
 *   name: "x", version: "1.0.0", license: "MIT", author: "A", kind: "lua",
 *   entry: "x.lua", processors: ["X"], minRuntime: "0.1.0",
 * };
 * assert.throws(() => parsePluginMetadata(json, "x/streamlib.plugin.json"), /field 'kind'/);
 * ```
 */
export function parsePluginMetadata(json: unknown, file: string): PluginMetadata {
  const fail = (field: string, problem: string, expected: string): never => {
    throw new PluginMetadataError(file, field, problem, expected);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail("", `is ${show(json)}, not an object`, "a JSON object (see streamlib.plugin.schema.json)");
  }
  const m = json as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!FIELDS.includes(key)) fail(key, "is not a known field", `one of ${FIELDS.join(", ")}`);
  }
  const text = (field: string, test: (v: string) => boolean, expected: string): string => {
    const value = m[field];
    if (value === undefined) fail(field, "is missing", expected);
    if (typeof value !== "string" || !test(value)) fail(field, `is ${show(value)}`, expected);
    return value as string;
  };
  const name = text("name", (v) => NAME.test(v), "a lowercase id: a-z, then a-z, 0-9, _ or -");
  const version = text("version", (v) => SEMVER.test(v), "a semver version such as 1.0.0");
  const license = text("license", (v) => SPDX.test(v), "an SPDX expression such as MIT");
  const author = text("author", (v) => v.trim() !== "" && v.length <= 200, "a name (1-200 chars)");
  const kind = text(
    "kind",
    (v) => (PLUGIN_KINDS as readonly string[]).includes(v),
    PLUGIN_KINDS.join(", "),
  ) as PluginKind;
  const entry = parseEntry(m.entry, kind, fail);
  const processors = names(m.processors, "processors", fail);
  const minRuntime = text("minRuntime", (v) => RUNTIME.test(v), "a version such as 0.1.0");
  let abi: number | undefined;
  if (kind === "native") {
    const value = m.abi;
    if (value === undefined) fail("abi", "is missing", "the plugin ABI version (an integer ≥ 1)");
    if (!Number.isInteger(value) || (value as number) < 1) {
      fail("abi", `is ${show(value)}`, "the plugin ABI version (an integer ≥ 1)");
    }
    abi = value as number;
  } else if (m.abi !== undefined) {
    fail("abi", `is set for a ${kind} plugin`, "no abi field (native plugins only)");
  }
  let ui: PluginMetadata["ui"];
  if (m.ui !== undefined) {
    const value = m.ui;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail("ui", `is ${show(value)}`, '{ "module": "ui/panel.js", "processors": [...] }');
    }
    const u = value as Record<string, unknown>;
    for (const key of Object.keys(u)) {
      if (key !== "module" && key !== "processors") {
        fail(`ui.${key}`, "is not a known field", "module, processors");
      }
    }
    const module = relativePath(u.module, "ui.module", fail);
    const panels = names(u.processors, "ui.processors", fail);
    panels.forEach((p, i) => {
      if (!processors.includes(p)) {
        fail(`ui.processors[${i}]`, `is '${p}'`, `one of processors: ${processors.join(", ")}`);
      }
    });
    ui = { module, processors: panels };
  }
  return {
    name,
    version,
    license,
    author,
    kind,
    entry,
    processors,
    minRuntime,
    ...(abi !== undefined ? { abi } : {}),
    ...(ui ? { ui } : {}),
  };
}

/**
 * Reads and validates the metadata file of a plugin folder.
 *
 * @param folder The plugin folder.
 * @returns The metadata.
 * @throws {PluginMetadataError} When the file is missing, not JSON or invalid.
 *
 * @example A folder without metadata
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginMetadataError, readPluginMetadata } from "@streamlib/streamlib/plugins";
 *
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(readPluginMetadata(dir), PluginMetadataError);
 * await Deno.remove(dir);
 * ```
 */
export async function readPluginMetadata(folder: string): Promise<PluginMetadata> {
  const file = `${folder.replace(/\/+$/, "")}/${PLUGIN_METADATA_FILE}`;
  let text: string;
  try {
    const info = await Deno.stat(file);
    if (!info.isFile) throw new Error("not a regular file");
    if (info.size > 64 * 1024) throw new Error(`${info.size} bytes, over 64 KiB`);
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new PluginMetadataError(
      file,
      "",
      `cannot be read (${(error as Error).message})`,
      `a ${PLUGIN_METADATA_FILE} in the plugin folder`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PluginMetadataError(file, "", `is not JSON (${(error as Error).message})`, "JSON");
  }
  return parsePluginMetadata(json, file);
}

type Fail = (field: string, problem: string, expected: string) => never;

function parseEntry(value: unknown, kind: string, fail: Fail): PluginEntry {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    if (kind !== "native") {
      fail("entry", "is a map by platform", `one path (maps are for native plugins only)`);
    }
    const map = value as Record<string, unknown>;
    if (Object.keys(map).length === 0) fail("entry", "is an empty map", "at least one platform");
    const out: Record<string, string> = {};
    for (const [platform, path] of Object.entries(map)) {
      if (!PLATFORM.test(platform)) {
        fail(
          `entry.${platform}`,
          "is not a platform",
          "linux, darwin or windows, optionally -x86_64 or -aarch64",
        );
      }
      out[platform] = relativePath(path, `entry.${platform}`, fail);
    }
    return out;
  }
  return relativePath(value, "entry", fail);
}

function relativePath(value: unknown, field: string, fail: Fail): string {
  const expected = "a path relative to the plugin folder, inside it (no leading /, no ..)";
  if (value === undefined) fail(field, "is missing", expected);
  if (typeof value !== "string" || value.length > 400 || !RELATIVE.test(value)) {
    fail(field, `is ${show(value)}`, expected);
  }
  return value as string;
}

function names(value: unknown, field: string, fail: Fail): string[] {
  const expected = "a non-empty array of distinct processor names (A-Z, a-z, 0-9, _)";
  if (value === undefined) fail(field, "is missing", expected);
  if (!Array.isArray(value) || value.length === 0) fail(field, `is ${show(value)}`, expected);
  const list = value as unknown[];
  list.forEach((name, i) => {
    if (typeof name !== "string" || !PROCESSOR.test(name)) {
      fail(`${field}[${i}]`, `is ${show(name)}`, "a processor name (A-Z, a-z, 0-9, _)");
    }
    if (list.indexOf(name) !== i) fail(`${field}[${i}]`, `repeats '${name}'`, "distinct names");
  });
  return list as string[];
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
