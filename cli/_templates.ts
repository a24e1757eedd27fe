/**
 * `streamlib new <kind> NAME`: a new folder from the template folder `templates/<kind>/` of the
 * package, with the name substituted, ready to run and test. Any folder in `templates/` is a
 * template; nothing here knows the kinds.
 *
 * In a template, `{{name}}`, `{{pascal}}`, `{{camel}}`, `{{snake}}` and `{{kebab}}` in file
 * contents and in file and folder names become the name as given, `MyFilter`, `myFilter`,
 * `my_filter` and `my-filter`, and
 * `{{version}}` this streamlib's version, `{{streamlib}}` the folder of this copy of the package. A
 * `template.json` beside the files (not copied) may give a `description`, the `dir` to write to
 * by default (default `{{kebab}}`) and the `test` command CI runs in the new folder (default
 * `deno task test`). A `deno.json` the template writes gets the import map entries that make
 * `@streamlib/streamlib` resolve to this copy of the package, and the new folder's codegen
 * folders (its `"streamlib": { "codegen" }`) are generated.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { nearMatches } from "../core/errors/near_matches.ts";
import { builtinProcessors } from "../codegen/builtin_names.ts";
import { listFolderFiles } from "../codegen/discover.ts";
import { projectProcessors } from "./project_plugins.ts";

/** Why a template could not be written. */
export type TemplateErrorCode =
  | "template_not_found"
  | "template_name_invalid"
  | "template_target_exists";

/**
 * Thrown by {@linkcode createFromTemplate}: an unknown kind (with the kinds there are), a name
 * that is not valid, or a file that exists already (nothing is overwritten).
 *
 * @example An unknown kind
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFromTemplate, TemplateError } from "./_templates.ts";
 *
 * await assert.rejects(
 *   createFromTemplate("projekt", "demo", { dir: await Deno.makeTempDir() }),
 *   (error) => error instanceof TemplateError && error.available.includes("project"),
 * );
 * ```
 */
export class TemplateError extends Error {
  /** Stable machine code. */
  readonly code: TemplateErrorCode;
  /** The kinds there are (for `template_not_found`), else empty. */
  readonly available: readonly string[];
  /** The files that exist already (for `template_target_exists`), else empty. */
  readonly existing: readonly string[];
  /** The alternatives and the files in the way. */
  get details(): { available: string[]; existing: string[] } {
    return { available: [...this.available], existing: [...this.existing] };
  }

  /**
   * Creates the error.
   *
   * @param code Why.
   * @param message The message.
   * @param available The kinds there are.
   * @param existing The files in the way.
   */
  constructor(
    code: TemplateErrorCode,
    message: string,
    available: readonly string[] = [],
    existing: readonly string[] = [],
  ) {
    super(message);
    this.name = "TemplateError";
    this.code = code;
    this.available = available;
    this.existing = existing;
  }
}

/** A template's `template.json`. */
export interface TemplateInfo {
  /** The kind (the folder's name). */
  readonly kind: string;
  /** The template folder. */
  readonly folder: string;
  /** One line on what it makes. */
  readonly description: string;
  /** Where it writes by default, relative to the working directory (with placeholders). */
  readonly dir: string;
  /** The command CI runs in the new folder to run its tests. */
  readonly test: readonly string[];
}

const TEMPLATES_URL = new URL("../templates/", import.meta.url);

/**
 * The package's `templates/` folder, or `undefined` when the package is not on disk (imported
 * from JSR by URL, where a folder cannot be listed).
 */
export const TEMPLATES_DIR: string | undefined = TEMPLATES_URL.protocol === "file:"
  ? fileURLToPath(TEMPLATES_URL)
  : undefined;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The templates there are, by kind, sorted.
 *
 * @param root The templates folder. Default {@linkcode TEMPLATES_DIR}.
 * @returns The templates.
 * @throws {TemplateError} When the package is not on disk (`template_not_found`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listTemplates } from "./_templates.ts";
 *
 * const kinds = (await listTemplates()).map((t) => t.kind);
 * assert.ok(kinds.includes("project") && kinds.includes("processor"));
 * ```
 */
export async function listTemplates(
  root: string | undefined = TEMPLATES_DIR,
): Promise<TemplateInfo[]> {
  if (root === undefined) {
    throw new TemplateError(
      "template_not_found",
      `Cannot list the templates: this streamlib runs from ${TEMPLATES_URL.href}, not from files; ` +
        "run streamlib new from a checkout of the package (deno task streamlib new ...)",
    );
  }
  const list: TemplateInfo[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    const folder = join(root, entry.name);
    let info: { description?: unknown; dir?: unknown; test?: unknown } = {};
    try {
      info = JSON.parse(await Deno.readTextFile(join(folder, "template.json")));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new Error(
          `Cannot read ${join(folder, "template.json")}: ${(error as Error).message}`,
        );
      }
    }
    const test = typeof info.test === "string"
      ? info.test.split(" ").filter((p) => p !== "")
      : ["deno", "task", "test"];
    list.push({
      kind: entry.name,
      folder,
      description: typeof info.description === "string" ? info.description : "",
      dir: typeof info.dir === "string" ? info.dir : "{{kebab}}",
      test,
    });
  }
  return list.sort((a, b) => a.kind.localeCompare(b.kind));
}

/**
 * The forms of a name the placeholders take.
 *
 * @param name The name as given.
 * @returns `{{name}}`, `{{pascal}}`, `{{camel}}`, `{{snake}}` and `{{kebab}}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameForms } from "./_templates.ts";
 *
 * assert.deepEqual(nameForms("myFilter"), {
 *   name: "myFilter", pascal: "MyFilter", camel: "myFilter", snake: "my_filter", kebab: "my-filter",
 * });
 * assert.equal(nameForms("room-tone").pascal, "RoomTone");
 * ```
 */
export function nameForms(
  name: string,
): Record<"name" | "pascal" | "camel" | "snake" | "kebab", string> {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[\s_-]+/).filter(Boolean)
    .map((w) => w.toLowerCase());
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  return {
    name,
    pascal,
    camel: pascal[0].toLowerCase() + pascal.slice(1),
    snake: words.join("_"),
    kebab: words.join("-"),
  };
}

/** Options of {@linkcode createFromTemplate}. */
export interface CreateOptions {
  /** Where to write (default: the template's `dir`, from the working directory). */
  readonly dir?: string;
  /** The templates folder. Default {@linkcode TEMPLATES_DIR}. */
  readonly templates?: string;
  /** The working directory. Default `Deno.cwd()`. */
  readonly cwd?: string;
}

/**
 * Writes a new folder from template `kind`, substituting `name`. Writes nothing when a file it
 * would write exists already. Generates the codegen folders of a `deno.json` it writes.
 *
 * @param kind The template (a folder of `templates/`).
 * @param name The name: a letter, then up to 63 letters, digits, `_` or `-`.
 * @param options Where to write.
 * @returns The folder written, the files, relative to it, and the files codegen generated there.
 * @throws {TemplateError} For an unknown kind, an invalid name, or a file in the way.
 */
export async function createFromTemplate(
  kind: string,
  name: string,
  options: CreateOptions = {},
): Promise<{ folder: string; files: string[]; generated: string[]; template: TemplateInfo }> {
  const templates = await listTemplates(options.templates);
  const template = templates.find((t) => t.kind === kind);
  if (!template) {
    const kinds = templates.map((t) => t.kind);
    const near = nearMatches(kind, kinds);
    throw new TemplateError(
      "template_not_found",
      `Cannot find template '${kind}': ${
        near.length > 0 ? `did you mean ${near.join(" or ")}? ` : ""
      }templates: ${kinds.join(", ")}`,
      kinds,
    );
  }
  if (!NAME.test(name)) {
    throw new TemplateError(
      "template_name_invalid",
      `Cannot use '${name.slice(0, 80)}' as a name: expected a letter, then up to 63 letters, ` +
        "digits, '_' or '-' (MyFilter, room-tone)",
    );
  }
  const files = await templateFiles(template.folder);
  await checkNameFits(template, files, nameForms(name).pascal, name, options.cwd ?? Deno.cwd());
  const forms: Record<string, string> = {
    ...nameForms(name),
    version: denoJson.version,
    streamlib: dirname(dirname(template.folder)), // the package: templates/<kind>/ is in it
  };
  const fill = (text: string) =>
    text.replace(
      /\{\{(name|pascal|camel|snake|kebab|version|streamlib)\}\}/g,
      (_, key: string) => forms[key],
    );
  const cwd = options.cwd ?? Deno.cwd();
  const folder = resolve(cwd, options.dir ?? fill(template.dir));
  const plan = files.map((file) => ({ from: join(template.folder, file), to: fill(file) }));
  const existing: string[] = [];
  for (const { to } of plan) {
    if (await exists(join(folder, to))) existing.push(join(folder, to));
  }
  if (existing.length > 0) {
    throw new TemplateError(
      "template_target_exists",
      `Cannot write template '${kind}' into ${folder}: ${existing.length} file(s) exist already ` +
        `(${existing.slice(0, 3).map((f) => relative(cwd, f)).join(", ")}); nothing was ` +
        "written, choose another --dir or name",
      [],
      existing,
    );
  }
  for (const { from, to } of plan) {
    const target = join(folder, to);
    await Deno.mkdir(dirname(target), { recursive: true });
    let text = fill(await Deno.readTextFile(from));
    if (to === "deno.json") text = withStreamlibImports(text);
    await Deno.writeTextFile(target, text, { createNew: true });
  }
  const generated = await generate(folder);
  return { folder, files: plan.map((p) => p.to), generated, template };
}

/** Class names a template's language reserves (the PascalCase ones). */
const RESERVED_CLASS_NAMES = new Set(["True", "False", "None", "Self"]);

/**
 * Refuses a name whose class (`pascal`) the template's code could not declare or the runtime
 * could not register: one of the identifiers the template's sources import (`Processor` would
 * make `class Processor extends Processor`), or, when the name becomes a processor's (the
 * template's `streamlib.plugin.json` lists `{{pascal}}`), a built-in processor's name (a plugin's
 * processor of that name is refused when loaded, `duplicate_processor`), or one the project in
 * `cwd` already has (its codegen folders' or its plugins').
 */
async function checkNameFits(
  template: TemplateInfo,
  files: readonly string[],
  pascal: string,
  name: string,
  cwd: string,
): Promise<void> {
  const imported = new Set<string>();
  let namesProcessor = false;
  for (const file of files) {
    if (!/\.(ts|py|rs|json)$/.test(file)) continue;
    const text = await Deno.readTextFile(join(template.folder, file));
    if (file.endsWith("streamlib.plugin.json")) {
      namesProcessor ||= text.includes('"{{pascal}}"');
    } else if (text.includes("{{pascal}}")) {
      // A file where the name becomes an identifier: what it imports is taken.
      for (const identifier of importedIdentifiers(text)) imported.add(identifier);
    }
  }
  const other = `choose another (My${pascal})`;
  if (RESERVED_CLASS_NAMES.has(pascal)) {
    throw new TemplateError(
      "template_name_invalid",
      `Cannot use '${name}' as a name: '${pascal}' is a reserved word (Python's True, False and ` +
        `None, Rust's Self), so a class of that name would not compile; ${other}`,
    );
  }
  if (imported.has(pascal)) {
    throw new TemplateError(
      "template_name_invalid",
      `Cannot use '${name}' as a name: the ${template.kind} template's code imports '${pascal}', ` +
        `so a class of that name would not compile; ${other}`,
    );
  }
  if (namesProcessor && (await builtinProcessors()).has(pascal)) {
    throw new TemplateError(
      "template_name_invalid",
      `Cannot use '${name}' as a name: '${pascal}' is a built-in processor, and a plugin's ` +
        `processor of the same name is refused when it is loaded (duplicate_processor); ${other}`,
    );
  }
  const owner = namesProcessor ? await projectOwner(cwd, pascal) : undefined;
  if (owner !== undefined) {
    throw new TemplateError(
      "template_name_invalid",
      `Cannot use '${name}' as a name: the project already has a processor '${pascal}' (${owner}), ` +
        `and a second one is refused when it is loaded (duplicate_processor); ${other}`,
    );
  }
}

/** Where the project in `cwd` defines processor `pascal`, or `undefined` when it does not. */
async function projectOwner(cwd: string, pascal: string): Promise<string | undefined> {
  try {
    const { registry, origins, plugins } = await projectProcessors(cwd, false);
    if (origins.get(pascal)?.kind === "project" && registry.has(pascal)) {
      return `in ${registry.describe(pascal).source ?? "a codegen folder"}`;
    }
    const plugin = plugins.find((p) => p.metadata.processors.includes(pascal));
    if (plugin) return `from plugin ${plugin.metadata.name} in ${relative(cwd, plugin.folder)}`;
  } catch {
    // A project that does not load is for run and validate to report, not new.
  }
  return undefined;
}

/**
 * The names a source file brings in with its imports: TypeScript's `import { a, type B, c as d }`
 * and `import x from`, Python's `from m import a, b` and `import m`, Rust's `use p::{A, B}` and
 * `use p::A`. Placeholders (`{{camel}}Node`) are not names.
 */
export function importedIdentifiers(text: string): string[] {
  const found: string[] = [];
  const list = (names: string) => {
    for (const part of names.split(",")) {
      const words = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
      const local = words.at(-1)?.trim() ?? "";
      if (/^[A-Za-z_$][\w$]*$/.test(local)) found.push(local);
    }
  };
  for (const m of text.matchAll(/^\s*import\s+(?:type\s+)?\{([^}]*)\}\s*from/gm)) list(m[1]);
  for (const m of text.matchAll(/^\s*import\s+(?:type\s+)?([A-Za-z_$][\w$]*)\s*(?:,|from)/gm)) {
    found.push(m[1]);
  }
  for (const m of text.matchAll(/^\s*from\s+[\w.]+\s+import\s+\(?([^)\n]*)\)?/gm)) list(m[1]);
  for (const m of text.matchAll(/^\s*import\s+([\w.]+)\s*$/gm)) found.push(m[1].split(".")[0]);
  for (const m of text.matchAll(/^\s*use\s+[\w:]+::\{([^}]*)\}\s*;/gm)) list(m[1]);
  for (const m of text.matchAll(/^\s*use\s+[\w:]+::(\w+)\s*;/gm)) found.push(m[1]);
  return found;
}

/** Every file of a template but `template.json`, relative, sorted. */
async function templateFiles(folder: string, sub = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(folder, sub))) {
    const path = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory) files.push(...await templateFiles(folder, path));
    else if (entry.isFile && path !== "template.json") files.push(path);
  }
  return files.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A new folder's `deno.json` with the import map entries `@streamlib/streamlib` needs: from a
 * checkout, its entry points as files and the package's own imports (npm packages); from JSR,
 * the JSR package. Entries the template sets are kept.
 */
function withStreamlibImports(text: string): string {
  const json = JSON.parse(text) as {
    imports?: Record<string, string>;
    compilerOptions?: Record<string, unknown>;
  };
  const root = new URL("../", import.meta.url);
  const own: Record<string, string> = {};
  if (root.protocol === "file:") {
    for (const [sub, target] of Object.entries(denoJson.exports)) {
      own[`@streamlib/streamlib${sub.slice(1)}`] = new URL(target, root).href;
    }
    Object.assign(own, denoJson.imports);
    // The dashboard's .tsx files are compiled with the project's options.
    json.compilerOptions = { ...denoJson.compilerOptions, ...json.compilerOptions };
  } else {
    own["@streamlib/streamlib"] = `jsr:@streamlib/streamlib@^${denoJson.version}`;
  }
  json.imports = { ...own, ...json.imports };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Runs codegen on the folders a new `deno.json` lists, so the new folder runs as written.
 *
 * @returns The files codegen wrote, relative to `folder`.
 */
async function generate(folder: string): Promise<string[]> {
  let config: { streamlib?: { codegen?: unknown } };
  try {
    config = JSON.parse(await Deno.readTextFile(join(folder, "deno.json")));
  } catch {
    return [];
  }
  if (!Array.isArray(config.streamlib?.codegen)) return [];
  const before = new Set(listFolderFiles(folder, ".").generated);
  const { main } = await import("../codegen/cli.ts");
  const lines: string[] = [];
  const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
  const code = await main(["--root", folder], output);
  if (code !== 0) {
    throw new Error(`Cannot generate the new folder's processors:\n${lines.join("\n")}`);
  }
  return listFolderFiles(folder, ".").generated.filter((file) => !before.has(file));
}
