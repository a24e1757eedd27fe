/**
 * Where the examples in generated files import from. A generated name that one of the package's
 * entry points re-exports is imported from that entry point (`@streamlib/streamlib/processors`),
 * under the name it has there (`builtinRegistry`); any other from the generated module itself
 * (`./gain.gen.ts`), which `deno test --doc` resolves beside the file. streamlib's runtime API is
 * imported the way the sources import it, through the package's own name when that is a relative
 * path to one of its entry points.
 *
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";

/** An import: a module specifier and the name exported there. */
export interface PublicName {
  /** The module specifier. */
  readonly from: string;
  /** The exported name. */
  readonly name: string;
}

/** What examples need to know about the package's entry points. */
export interface PackageExports {
  /** Entry modules, relative to the root (`processors/mod.ts`), to their public specifier. */
  readonly entries: Readonly<Record<string, string>>;
  /**
   * Generated modules, relative to the root, to the names entry points re-export from them
   * (`"*"` for `export * from`).
   */
  readonly reexports: Readonly<Record<string, Readonly<Record<string, PublicName>>>>;
}

/** A project that is not a package: examples import generated modules directly. */
export const NO_PACKAGE: PackageExports = { entries: {}, reexports: {} };

/**
 * Reads which generated names the package's entry points re-export, from the text of each entry
 * module's `export { ... } from "./x.gen.ts"` and `export * from "./x.gen.ts"` statements.
 *
 * @param root The project root.
 * @param name The package name, `undefined` when the project is not a package.
 * @param exports The `deno.json` `exports`, subpath to module.
 * @returns The entry points; {@linkcode NO_PACKAGE} without a name.
 */
export function loadPackageExports(
  root: string,
  name: string | undefined,
  exports: Readonly<Record<string, string>>,
): PackageExports {
  if (name === undefined) return NO_PACKAGE;
  const entries: Record<string, string> = {};
  const reexports: Record<string, Record<string, PublicName>> = {};
  for (const [subpath, target] of Object.entries(exports)) {
    const module = posix.normalize(target);
    const from = subpath === "." ? name : `${name}/${subpath.replace(/^\.\//, "")}`;
    entries[module] ??= from;
    const path = join(root, module);
    if (!module.endsWith(".ts") || !existsSync(path)) continue;
    const text = readFileSync(path, "utf8");
    for (const match of text.matchAll(EXPORT_FROM)) {
      const [, list, specifier] = match;
      if (!specifier.startsWith(".") || !specifier.endsWith(".gen.ts")) continue;
      const generated = posix.normalize(posix.join(posix.dirname(module), specifier));
      const names = reexports[generated] ??= {};
      if (list === "*") {
        names["*"] ??= { from, name: "*" };
        continue;
      }
      for (const item of list.slice(1, -1).split(",")) {
        const parts = item.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
        if (!parts[0]) continue;
        names[parts[0]] ??= { from, name: parts[1] ?? parts[0] };
      }
    }
  }
  return { entries, reexports };
}

const EXPORT_FROM = /export\s+(?:type\s+)?(\{[^}]*\}|\*)\s*from\s*["']([^"']+)["']/g;

/**
 * Where an example imports one name of a generated module.
 *
 * @param pkg The package's entry points.
 * @param generated The generated module, relative to the root.
 * @param name The name it exports.
 * @returns The entry point that re-exports it, else the generated module by its file name.
 */
export function publicName(pkg: PackageExports, generated: string, name: string): PublicName {
  const names = pkg.reexports[generated];
  const entry = names?.[name];
  if (entry) return entry;
  if (names?.["*"]) return { from: names["*"].from, name };
  return { from: `./${posix.basename(generated)}`, name };
}

/**
 * How an example imports a module a generated file imports by `specifier`: a relative path to
 * one of the package's entry points becomes the package's specifier, anything else stays.
 *
 * @param pkg The package's entry points.
 * @param file The generated file, relative to the root.
 * @param specifier The specifier in that file.
 * @returns The specifier for examples.
 */
export function publicSpecifier(pkg: PackageExports, file: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  return pkg.entries[target] ?? specifier;
}

/**
 * The built-in processors beside streamlib's runtime API: `@streamlib/streamlib/processors` for
 * `@streamlib/streamlib`, `../processors/mod.ts` for `../mod.ts`.
 *
 * @param core The specifier of the runtime API.
 * @returns The specifier of the built-in processors.
 */
export function builtinsSpecifier(core: string): string {
  return /(^|\/)mod\.ts$/.test(core)
    ? core.replace(/mod\.ts$/, "processors/mod.ts")
    : `${core}/processors`;
}

/** The `import` statements of an example, with names made unique. */
export class ImportSet {
  readonly #modules = new Map<string, Map<string, { local: string; type: boolean }>>();
  readonly #locals = new Map<string, string>();

  /**
   * Adds an import.
   *
   * @param from The module specifier.
   * @param name The exported name.
   * @param options `type` for a type-only import; `alias`, the local name to use when `name` is
   * taken by another import.
   * @returns The local name to write in the example.
   */
  add(from: string, name: string, options: { type?: boolean; alias?: string } = {}): string {
    const names = this.#modules.get(from) ?? new Map();
    this.#modules.set(from, names);
    const existing = names.get(name);
    if (existing) {
      if (!options.type) existing.type = false;
      return existing.local;
    }
    const key = `${from}\0${name}`;
    let local = name;
    if (this.#locals.has(local)) local = options.alias ?? name;
    for (let i = 2; this.#locals.has(local); i++) local = `${options.alias ?? name}${i}`;
    this.#locals.set(local, key);
    names.set(name, { local, type: options.type ?? false });
    return local;
  }

  /** Whether `name` is taken by an import. */
  has(name: string): boolean {
    return this.#locals.has(name);
  }

  /**
   * The statements, package imports first, names sorted, each on one line when it fits.
   *
   * @param width The widest line.
   * @returns One string per line.
   */
  lines(width = 96): string[] {
    const relative = (s: string) => s.startsWith(".") ? 1 : 0;
    const modules = [...this.#modules].sort(([a], [b]) =>
      relative(a) - relative(b) || (a < b ? -1 : a > b ? 1 : 0)
    );
    const out: string[] = [];
    for (const [from, names] of modules) {
      const entries = [...names].sort(([a], [b]) =>
        a.localeCompare(b, "en", { sensitivity: "base" })
      );
      const allTypes = entries.every(([, n]) => n.type);
      const specifiers = entries.map(([name, { local, type }]) =>
        `${type && !allTypes ? "type " : ""}${name}${local === name ? "" : ` as ${local}`}`
      );
      const head = `import ${allTypes ? "type " : ""}`;
      const tail = ` from ${JSON.stringify(from)};`;
      const line = `${head}{ ${specifiers.join(", ")} }${tail}`;
      if (line.length <= width) out.push(line);
      else out.push(`${head}{`, ...specifiers.map((s) => `  ${s},`), `}${tail}`);
    }
    return out;
  }
}
