/**
 * Where built native libraries are cached, and the key of a build: the crate sources it came
 * from and the ABI version.
 *
 * @module
 */

import { join } from "node:path";
import { Sha256 } from "./_sha256.ts";
import { ABI_VERSION } from "./symbols.ts";

/**
 * The environment variable naming the library file; when it is set, nothing is built.
 */
export const NATIVE_LIB_ENV = "STREAMLIB_NATIVE_LIB";

/**
 * The environment variable that overrides the cache directory of built libraries.
 *
 * @example Cache builds in a project folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { CACHE_DIR_ENV, nativeCacheDir } from "./cache.ts";
 *
 * Deno.env.set(CACHE_DIR_ENV, "/tmp/streamlib-cache");
 * assert.equal(nativeCacheDir(), "/tmp/streamlib-cache");
 * Deno.env.delete(CACHE_DIR_ENV);
 * ```
 */
export const CACHE_DIR_ENV = "STREAMLIB_CACHE_DIR";

/**
 * The file name of the library on this OS (`libstreamlib_native.so`, `.dylib` or
 * `streamlib_native.dll`).
 *
 * @param os The OS. Default: this one (`Deno.build.os`); tests pass others.
 * @returns The file name.
 *
 * @example On Linux
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeLibraryFileName } from "./load.ts";
 *
 * assert.equal(nativeLibraryFileName(), "libstreamlib_native.so");
 * ```
 */
export function nativeLibraryFileName(os: typeof Deno.build.os = Deno.build.os): string {
  switch (os) {
    case "darwin":
      return "libstreamlib_native.dylib";
    case "windows":
      return "streamlib_native.dll";
    default:
      return "libstreamlib_native.so";
  }
}

/**
 * Reads an environment variable, or `undefined` when it is unset, empty or not readable
 * (no `--allow-env`).
 *
 * @param name The variable.
 * @returns Its value.
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The directory streamlib caches built native libraries in: `STREAMLIB_CACHE_DIR`, else the
 * OS's user cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on
 * macOS, `%LOCALAPPDATA%` on Windows) joined with `streamlib`.
 *
 * @param os The OS. Default: this one (`Deno.build.os`); tests pass others.
 * @param env Reads an environment variable. Default: the process's (unset without `--allow-env`).
 * @returns The directory (it may not exist yet), or `undefined` when no home is known.
 *
 * @example Where builds go
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeCacheDir } from "./cache.ts";
 *
 * assert.ok(nativeCacheDir()?.endsWith("/streamlib")); // e.g. /home/me/.cache/streamlib
 * ```
 */
export function nativeCacheDir(
  os: typeof Deno.build.os = Deno.build.os,
  env: (name: string) => string | undefined = readEnv,
): string | undefined {
  const explicit = env(CACHE_DIR_ENV);
  if (explicit) return explicit;
  const home = env("HOME") ?? env("USERPROFILE");
  switch (os) {
    case "darwin":
      return home ? join(home, "Library", "Caches", "streamlib") : undefined;
    case "windows": {
      const local = env("LOCALAPPDATA");
      return local ? join(local, "streamlib") : home ? join(home, "streamlib") : undefined;
    }
    default: {
      const xdg = env("XDG_CACHE_HOME");
      return xdg ? join(xdg, "streamlib") : home ? join(home, ".cache", "streamlib") : undefined;
    }
  }
}

/**
 * The key of a build of local crate sources: the ABI version, the OS and architecture, and a
 * SHA-256 of every file under `crates` (paths and contents; `target/` folders skipped), so an
 * edited or upgraded source tree gets a build of its own.
 *
 * @param crates The crate workspace folder.
 * @returns The key, e.g. `abi3-linux-x86_64-1f2e3d4c5b6a7988`.
 */
export function localSourceKey(crates: string): string {
  const hash = new Sha256();
  for (const file of sourceFiles(crates, "")) {
    hash.update(file);
    hash.update("\0");
    hash.update(Deno.readFileSync(join(crates, file)));
    hash.update("\0");
  }
  return buildKey(hash.hex());
}

/**
 * The key of a build of a published package's crate sources. A published version never
 * changes, so its URL identifies its sources.
 *
 * @param packageRoot The package's root URL (`https://jsr.io/@streamlib/streamlib/0.1.0/`).
 * @returns The key.
 */
export function remoteSourceKey(packageRoot: string): string {
  return buildKey(new Sha256().update(packageRoot).hex());
}

function buildKey(digest: string): string {
  return `abi${ABI_VERSION}-${Deno.build.os}-${Deno.build.arch}-${digest.slice(0, 16)}`;
}

function sourceFiles(root: string, relative: string): string[] {
  const files: string[] = [];
  const entries = [...Deno.readDirSync(join(root, relative))].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  for (const entry of entries) {
    const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "target") files.push(...sourceFiles(root, path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}
