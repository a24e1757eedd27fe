/**
 * The codegen cache: generated text by content hash of each source and its local imports, so an
 * unchanged tree is checked without parsing, and a change re-parses only the files it touches.
 * Stored in `.cache/streamlib_codegen.json` under the project root.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "./diagnostic.ts";
import type { RegistryEntry } from "./model.ts";

/** What one source produced. */
export interface CachedSource {
  /** The key it was produced for. */
  readonly key: string;
  /** The formatted generated module, or `null` when the source declares no processor. */
  readonly text: string | null;
  /** Its processors, for the registry. */
  readonly entries: readonly RegistryEntry[];
  /** Its diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The cache file's contents. */
export interface CacheData {
  /** Generated sources by source path. */
  sources: Record<string, CachedSource>;
  /** Formatted registries by registry path. */
  registries: Record<string, { key: string; text: string }>;
}

/** The version of the cache layout and of the generator when its sources cannot be read. */
export const CODEGEN_VERSION = "1";

const CACHE_PATH = ".cache/streamlib_codegen.json";

/**
 * Reads the cache of the project at `root`; an unreadable cache is an empty one.
 *
 * @param root The project root.
 * @returns The cache.
 */
export function loadCache(root: string): CacheData {
  const path = join(root, CACHE_PATH);
  try {
    const data = JSON.parse(readFileSync(path, "utf8"));
    if (data.version === fingerprint()) {
      return { sources: data.sources, registries: data.registries };
    }
  } catch {
    // missing or corrupt: start empty
  }
  return { sources: {}, registries: {} };
}

/**
 * Writes the cache of the project at `root`.
 *
 * @param root The project root.
 * @param cache The cache.
 */
export function saveCache(root: string, cache: CacheData): void {
  const path = join(root, CACHE_PATH);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ version: fingerprint(), ...cache }));
}

/**
 * A cache key from parts.
 *
 * @param parts Strings that together determine an output.
 * @returns A hex SHA-256.
 */
export function cacheKey(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(`${part}\0`);
  return hash.digest("hex");
}

let cachedFingerprint: string | undefined;

/**
 * Identifies this generator: a hash of its own sources when they are local files (so editing the
 * generator invalidates every cached output), else {@linkcode CODEGEN_VERSION}.
 *
 * @returns The fingerprint.
 */
export function fingerprint(): string {
  if (cachedFingerprint !== undefined) return cachedFingerprint;
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return cachedFingerprint = CODEGEN_VERSION;
  const dir = fileURLToPath(here);
  const hash = createHash("sha256").update(CODEGEN_VERSION);
  const dirs = [dir, join(dir, "..", "core")].filter(existsSync);
  for (const d of dirs) {
    // core/ is grouped in folders: every file below it counts.
    for (const name of (readdirSync(d, { recursive: true }) as string[]).sort()) {
      if (name.endsWith(".ts") && !name.endsWith("_test.ts")) {
        hash.update(name).update(readFileSync(join(d, name)));
      }
    }
  }
  return cachedFingerprint = hash.digest("hex");
}
