/**
 * Bare specifiers the way Deno resolves them for a file on disk: through the `imports` map of the
 * nearest `deno.json` (or `deno.jsonc`) above the file, or through that package's own `name` and
 * `exports` (a package importing itself by name). Codegen follows only what lands on a local file:
 * relative and absolute paths and `file:` URLs. `jsr:`, `npm:`, `https:` and `node:` targets stay
 * unresolved, and so do `scopes`.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stripJsonComments } from "./project_config.ts";

/** The parts of one `deno.json` that decide how bare specifiers resolve. */
export interface DenoImports {
  /** The configuration file (absolute). */
  readonly file: string;
  /** `imports`: specifier or prefix (ending in `/`) to target. */
  readonly imports: Readonly<Record<string, string>>;
  /** `name`, when the configuration is a package. */
  readonly name: string | undefined;
  /** `exports`, subpath (`"."`, `"./processors"`) to module. */
  readonly exports: Readonly<Record<string, string>>;
}

/** What a bare specifier resolved to. */
export interface MappedSpecifier {
  /** The local file (absolute), or `undefined` when the target is not a local file. */
  readonly path: string | undefined;
  /** The configuration file that decided it, or `undefined` when no configuration applies. */
  readonly configFile: string | undefined;
}

/**
 * Resolves bare specifiers through `deno.json` import maps, reading each configuration once.
 * Create one per codegen run so edits to a `deno.json` are seen by the next run.
 */
export class ImportMapResolver {
  readonly #byDir = new Map<string, DenoImports | undefined>();
  readonly #byFile = new Map<string, DenoImports | undefined>();
  readonly #texts = new Map<string, string>();

  /**
   * Whether a specifier is bare: not relative, not absolute and not a URL.
   *
   * @param specifier The specifier.
   * @returns Whether the import map decides it.
   */
  static isBare(specifier: string): boolean {
    return !specifier.startsWith("./") && !specifier.startsWith("../") &&
      !specifier.startsWith("/") && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
  }

  /**
   * The configuration that applies to files in `dir`: the nearest `deno.json` or `deno.jsonc` at
   * or above it.
   *
   * @param dir An absolute folder.
   * @returns The configuration's import facts, or `undefined` when there is none.
   */
  configFor(dir: string): DenoImports | undefined {
    if (this.#byDir.has(dir)) return this.#byDir.get(dir);
    let found: DenoImports | undefined;
    const file = ["deno.json", "deno.jsonc"].map((name) => join(dir, name)).find(existsSync);
    if (file) found = this.#read(file);
    else if (dirname(dir) !== dir) found = this.configFor(dirname(dir));
    this.#byDir.set(dir, found);
    return found;
  }

  /**
   * Resolves a bare specifier imported by `fromFile`.
   *
   * @param specifier A bare specifier such as `@streamlib/streamlib` or `lib/util.ts`.
   * @param fromFile The importing file (absolute).
   * @returns The local file it names (if any) and the configuration that decided it.
   */
  resolve(specifier: string, fromFile: string): MappedSpecifier {
    const config = this.configFor(dirname(fromFile));
    if (!config) return { path: undefined, configFile: undefined };
    const dir = dirname(config.file);
    const mapped = mapSpecifier(config.imports, specifier);
    if (mapped !== undefined) return { path: localPath(mapped, dir), configFile: config.file };
    if (config.name !== undefined) {
      const subpath = specifier === config.name
        ? "."
        : specifier.startsWith(`${config.name}/`)
        ? `./${specifier.slice(config.name.length + 1)}`
        : undefined;
      const target = subpath === undefined ? undefined : config.exports[subpath];
      if (target !== undefined) return { path: localPath(target, dir), configFile: config.file };
    }
    return { path: undefined, configFile: config.file };
  }

  /**
   * Whether a configuration this resolver read has changed on disk since (or is gone), so
   * resolutions made with it are out of date.
   *
   * @returns Whether one has.
   */
  changedOnDisk(): boolean {
    for (const [file, text] of this.#texts) {
      if (!existsSync(file) || readFileSync(file, "utf8") !== text) return true;
    }
    return false;
  }

  #read(file: string): DenoImports | undefined {
    if (this.#byFile.has(file)) return this.#byFile.get(file);
    let json: Record<string, unknown> = {};
    try {
      const text = readFileSync(file, "utf8");
      this.#texts.set(file, text);
      json = JSON.parse(stripJsonComments(text));
    } catch {
      // An unreadable configuration maps nothing; `loadCodegenConfig` reports the project's own.
    }
    const config: DenoImports = {
      file,
      imports: stringEntries(json.imports),
      name: typeof json.name === "string" ? json.name : undefined,
      exports: typeof json.exports === "string"
        ? { ".": json.exports }
        : stringEntries(json.exports),
    };
    this.#byFile.set(file, config);
    return config;
  }
}

function mapSpecifier(imports: Readonly<Record<string, string>>, specifier: string) {
  if (Object.hasOwn(imports, specifier)) return imports[specifier];
  let best: string | undefined;
  for (const key of Object.keys(imports)) {
    if (key.endsWith("/") && specifier.startsWith(key) && key.length > (best?.length ?? 0)) {
      best = key;
    }
  }
  return best === undefined ? undefined : imports[best] + specifier.slice(best.length);
}

function localPath(target: string, dir: string): string | undefined {
  if (target.startsWith("file:")) return fileURLToPath(target);
  if (target.startsWith("./") || target.startsWith("../")) return resolve(dir, target);
  if (isAbsolute(target)) return target;
  return undefined;
}

function stringEntries(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] =>
      typeof entry[1] === "string"
    ),
  );
}
