/**
 * Content hashes of sources together with everything they import locally: the cache key that
 * lets `--check` skip parsing when nothing changed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s(?:[^'"`;]*?\sfrom\s*)?["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;

/**
 * Hashes files with their transitive relative imports, leaving out generated `*.gen.ts` modules
 * (they are outputs, and a processor imports its own). One instance per run memoizes every read.
 *
 * @example Hash a processor source
 * ```ts
 * import { SourceHasher } from "@streamlib/streamlib/codegen";
 *
 * const hasher = new SourceHasher(".");
 * console.log(hasher.hash("processors/gain.ts").length); // 64
 * ```
 */
export class SourceHasher {
  readonly #root: string;
  readonly #text = new Map<string, string | undefined>();
  readonly #digest = new Map<string, string>();
  readonly #imports = new Map<string, string[]>();

  /**
   * Creates a hasher with empty memo tables.
   *
   * @param root The project root paths are relative to.
   */
  constructor(root: string) {
    this.#root = root;
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
   * The hash of `path` and every file it reaches through relative imports.
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
   * `path` and every file it reaches through relative imports (generated modules left out).
   *
   * @param path A path relative to the root.
   * @returns The paths, sorted.
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
      const text = this.text(path) ?? "";
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2];
        if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
        const dep = relative(this.#root, join(this.#root, dirname(path), specifier))
          .replaceAll("\\", "/");
        if (!dep.startsWith("..") && !dep.endsWith(".gen.ts")) deps.push(dep);
      }
      this.#imports.set(path, deps);
    }
    return deps;
  }
}
