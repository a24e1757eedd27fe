/**
 * Content hashes of sources together with everything they import locally: the cache key that
 * lets `--check` skip parsing when nothing changed. Local means relative imports, and bare
 * specifiers the nearest `deno.json` maps to a local file (a user project's
 * `"@streamlib/streamlib": "../streamlib/mod.ts"`); that `deno.json` is part of the hash too.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ImportMapResolver } from "./import_map.ts";

/** Strings (kept) and comments (dropped), so imports in doc examples are not followed. */
const COMMENT =
  /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
const SCRIPT = /\.[cm]?[jt]sx?$/;
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;

/**
 * Hashes files with their transitive local imports (relative ones, and bare ones the import map
 * sends to a local file), leaving out generated `*.gen.ts` modules (they are outputs, and a
 * processor imports its own). One instance per run memoizes every read.
 *
 * @example Hash a processor source
 * ```ts
 * import assert from "node:assert/strict";
 * import { SourceHasher } from "@streamlib/streamlib/codegen";
 *
 * const hasher = new SourceHasher(".");
 * assert.equal(hasher.hash("processors/transforms/gain.ts").length, 64);
 * ```
 */
export class SourceHasher {
  readonly #root: string;
  readonly #maps: ImportMapResolver;
  readonly #text = new Map<string, string | undefined>();
  readonly #digest = new Map<string, string>();
  readonly #imports = new Map<string, string[]>();

  /**
   * Creates a hasher with empty memo tables.
   *
   * @param root The project root paths are relative to.
   * @param maps How bare specifiers resolve; a fresh resolver by default.
   */
  constructor(root: string, maps: ImportMapResolver = new ImportMapResolver()) {
    this.#root = resolve(root);
    this.#maps = maps;
  }

  /**
   * The text of a file, read once per run.
   *
   * @param path A path relative to the root.
   * @returns The text, or `undefined` when the file does not exist.
   */
  text(path: string): string | undefined {
    if (!this.#text.has(path)) {
      const abs = join(this.#root, path);
      this.#text.set(path, existsSync(abs) ? readFileSync(abs, "utf8") : undefined);
    }
    return this.#text.get(path);
  }

  /**
   * The hash of `path` and every file it reaches through local imports.
   *
   * @param path A path relative to the root.
   * @returns A hex SHA-256.
   */
  hash(path: string): string {
    const hash = createHash("sha256");
    for (const file of this.closure(path)) hash.update(`${file}\0${this.#fileDigest(file)}\0`);
    return hash.digest("hex");
  }

  /**
   * `path` and every file it reaches through local imports (generated modules left out), with
   * the `deno.json` files that resolved bare specifiers on the way.
   *
   * @param path A path relative to the root.
   * @returns The paths relative to the root (`../` for files outside it), sorted.
   */
  closure(path: string): string[] {
    const closure = new Set<string>();
    const visit = (file: string) => {
      if (closure.has(file)) return;
      closure.add(file);
      for (const dep of this.#localImports(file)) visit(dep);
    };
    visit(path);
    return [...closure].sort();
  }

  #fileDigest(path: string): string {
    let digest = this.#digest.get(path);
    if (digest === undefined) {
      digest = createHash("sha256").update(this.text(path) ?? "\0missing").digest("hex");
      this.#digest.set(path, digest);
    }
    return digest;
  }

  #localImports(path: string): string[] {
    let deps = this.#imports.get(path);
    if (deps === undefined) {
      deps = [];
      const text = SCRIPT.test(path)
        ? (this.text(path) ?? "").replace(COMMENT, (_, string) => string ?? " ")
        : "";
      const from = join(this.#root, path);
      const add = (abs: string) => {
        const dep = relative(this.#root, abs).replaceAll("\\", "/");
        const output = dep.endsWith(".gen.ts") && !dep.startsWith("../");
        if (!output && !deps!.includes(dep)) deps!.push(dep);
      };
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2];
        if (specifier.startsWith("./") || specifier.startsWith("../")) {
          add(join(dirname(from), specifier));
        } else if (specifier.startsWith("file:")) {
          add(fileURLToPath(specifier));
        } else if (ImportMapResolver.isBare(specifier)) {
          const mapped = this.#maps.resolve(specifier, from);
          if (mapped.configFile !== undefined) add(mapped.configFile);
          if (mapped.path !== undefined) add(mapped.path);
        }
      }
      this.#imports.set(path, deps);
    }
    return deps;
  }
}
