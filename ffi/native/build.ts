/**
 * Building the native library from the package's own crate sources with cargo, when it is
 * missing: what makes `@streamlib/streamlib` usable from JSR, which cannot ship binaries.
 *
 * The build is synchronous (the loader is) and happens once per source tree: the library is
 * copied to `<cache>/native/<key>/` ({@linkcode nativeCacheDir}; the key names the ABI, the
 * platform and the sources) and found there next time. One progress line goes to stderr.
 *
 * @module
 */

import { basename, join } from "node:path";
import { AudioLibraryMissingError, mentionsMissingAlsa } from "./audio_library_error.ts";
import { NativeLibraryNotFoundError } from "./errors.ts";
import { CargoNotFoundError, NativeBuildError } from "./build_errors.ts";
import {
  localSourceKey,
  nativeCacheDir,
  nativeLibraryFileName,
  readEnv,
  remoteSourceKey,
} from "./cache.ts";
import { type CrateSource, crateSource } from "./source.ts";

/**
 * Options of {@linkcode buildNativeLibrary}.
 *
 * @example Build into a cache of your own, quietly
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BuildNativeOptions } from "@streamlib/streamlib/ffi";
 *
 * const options: BuildNativeOptions = { cacheDir: "/tmp/streamlib-cache", progress: () => {} };
 * assert.equal(options.cacheDir, "/tmp/streamlib-cache");
 * ```
 */
export interface BuildNativeOptions {
  /**
   * The crate sources; `null` when there are none. Default: those beside this package
   * ({@linkcode crateSource}).
   */
  readonly source?: CrateSource | null;
  /** The cache directory. Default {@linkcode nativeCacheDir}. */
  readonly cacheDir?: string;
  /** Where the progress line goes. Default: stderr. */
  readonly progress?: (text: string) => void;
  /** Paths the loader already tried, for error messages. */
  readonly tried?: readonly string[];
}

/**
 * Where a build of `source` is (or would be) cached.
 *
 * @param source The crate sources.
 * @param cacheDir The cache directory.
 * @returns The library's path.
 *
 * @example The cached build of this checkout
 * ```ts
 * import assert from "node:assert/strict";
 * import { cachedLibraryPath } from "./build.ts";
 * import { nativeCacheDir } from "./cache.ts";
 * import { crateSource } from "./source.ts";
 *
 * assert.match(
 *   cachedLibraryPath(crateSource()!, nativeCacheDir()!),
 *   /\/streamlib\/native\/abi\d+-[^/]+\/libstreamlib_native\.so$/, // Linux
 * );
 * ```
 */
export function cachedLibraryPath(source: CrateSource, cacheDir: string): string {
  const key = source.kind === "local"
    ? localSourceKey(source.crates)
    : remoteSourceKey(source.packageRoot);
  return join(cacheDir, "native", key, nativeLibraryFileName());
}

/**
 * Returns the cached build of the crate sources, building it first with
 * `cargo build --release` when there is none. Remote sources (a JSR install) are fetched into
 * the cache first, by a `deno` subprocess. Cargo keeps its compiled dependencies in
 * `CARGO_BUILD_BUILD_DIR`, else `CARGO_TARGET_DIR` (share one to reuse them), else
 * `<cache>/target`; the built library itself goes to a folder of this build's own, so a shared
 * folder's `release/` library (another checkout's, or another version's) is never replaced, and
 * two builds at once never copy each other's library.
 *
 * Needs `--allow-run` (cargo, and deno for remote sources), `--allow-read`, `--allow-write` and
 * `--allow-env`; `-A` covers it.
 *
 * @param options Sources, cache directory, progress output.
 * @returns The library's path.
 * @throws {NativeLibraryNotFoundError} When there are no crate sources beside this package.
 * @throws {CargoNotFoundError} When cargo is not installed or may not be run.
 * @throws {AudioLibraryMissingError} When the build fails because ALSA's headers
 *   (`libasound2-dev`) are not installed (Linux; code `audio_library_missing`).
 * @throws {NativeBuildError} When there is no cache directory, the sources cannot be fetched,
 * or cargo fails (its last lines are in `output`).
 *
 * @example A build that fails says why
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildNativeLibrary, NativeBuildError } from "@streamlib/streamlib/ffi";
 *
 * const crates = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${crates}/Cargo.toml`, "this is not a cargo manifest");
 * try {
 *   buildNativeLibrary({ source: { kind: "local", crates }, cacheDir: crates, progress: () => {} });
 * } catch (error) {
 *   assert.ok(error instanceof NativeBuildError); // a CargoNotFoundError without cargo
 * }
 * ```
 */
export function buildNativeLibrary(options: BuildNativeOptions = {}): string {
  const tried = options.tried ?? [];
  const source = options.source === undefined ? crateSource() : options.source;
  if (!source) throw new NativeLibraryNotFoundError(tried);
  const cacheDir = options.cacheDir ?? nativeCacheDir();
  if (!cacheDir) {
    throw new NativeBuildError(
      tried,
      "no cache directory (HOME is not set)",
      "set STREAMLIB_CACHE_DIR",
    );
  }
  const out = cachedLibraryPath(source, cacheDir);
  if (isFile(out)) return out;
  const progress = options.progress ?? writeStderr;
  const crates = source.kind === "local"
    ? source.crates
    : fetchSources(source.packageRoot, join(cacheDir, "source", basename(join(out, ".."))), tried);
  // Cargo's build dir holds what is worth sharing (compiled dependencies, fingerprints); its
  // target dir only the final library, uplifted from the build dir under cargo's lock. A target
  // dir of this build's own keeps `release/libstreamlib_native.so` of a shared folder, which a
  // running process may be about to open, untouched (cargo replaces it by unlink and link).
  const buildDir = readEnv("CARGO_BUILD_BUILD_DIR") ?? readEnv("CARGO_TARGET_DIR") ??
    join(cacheDir, "target");
  const artifacts = `${out}.${Deno.pid}.build`;
  const started = performance.now();
  progress(
    `streamlib: building the native library from ${crates} with cargo (once; a minute or two)...`,
  );
  let result: Deno.CommandOutput;
  try {
    result = new Deno.Command("cargo", {
      args: [
        "build",
        "--release",
        "--manifest-path",
        join(crates, "Cargo.toml"),
        "-p",
        "streamlib_native",
      ],
      env: {
        CARGO_BUILD_BUILD_DIR: buildDir,
        CARGO_TARGET_DIR: artifacts,
        CARGO_TERM_COLOR: "never",
      },
      // From the crates folder, so cargo reads crates/.cargo/config.toml (OpenH264's build flags:
      // AVX2 routines, -O2, -fstack-protector-strong), as `deno task build:native` does.
      cwd: crates,
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
  } catch (error) {
    removeQuietly(artifacts);
    progress(" failed\n");
    if (error instanceof Deno.errors.NotFound) {
      throw new CargoNotFoundError(tried, crates, "not installed");
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new CargoNotFoundError(tried, crates, "not allowed to run (grant --allow-run=cargo)");
    }
    throw error;
  }
  if (!result.success) {
    removeQuietly(artifacts);
    progress(" failed\n");
    const stderr = new TextDecoder().decode(result.stderr);
    if (mentionsMissingAlsa(stderr)) {
      throw new AudioLibraryMissingError("build", crates, tail(result.stderr));
    }
    throw new NativeBuildError(
      tried,
      `cargo build failed (exit ${result.code})`,
      tail(result.stderr),
    );
  }
  const built = join(artifacts, "release", nativeLibraryFileName());
  Deno.mkdirSync(join(out, ".."), { recursive: true });
  const temporary = `${out}.${Deno.pid}.tmp`;
  try {
    Deno.copyFileSync(built, temporary);
    Deno.renameSync(temporary, out);
  } finally {
    removeQuietly(artifacts);
  }
  progress(` done in ${((performance.now() - started) / 1e3).toFixed(0)} s: ${out}\n`);
  return out;
}

function fetchSources(packageRoot: string, dest: string, tried: readonly string[]): string {
  if (isFile(join(dest, "crates", "Cargo.toml"))) return join(dest, "crates");
  const host = new URL(packageRoot).host;
  const temporary = `${dest}.${Deno.pid}.tmp`;
  let result: Deno.CommandOutput;
  try {
    result = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--allow-net=${host}`,
        `--allow-import=${host}`,
        `--allow-write=${temporary}`,
        new URL("./source.ts", import.meta.url).href,
        packageRoot,
        temporary,
      ],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
  } catch (error) {
    throw new NativeBuildError(
      tried,
      `cannot fetch the crate sources from ${packageRoot}`,
      String(error),
    );
  }
  if (!result.success) {
    throw new NativeBuildError(
      tried,
      `cannot fetch the crate sources from ${packageRoot}`,
      tail(result.stderr),
    );
  }
  try {
    Deno.renameSync(temporary, dest);
  } catch (error) {
    if (!isFile(join(dest, "crates", "Cargo.toml"))) throw error; // another process won the race
  }
  return join(dest, "crates");
}

function tail(bytes: Uint8Array, lines = 20): string {
  return new TextDecoder().decode(bytes).trimEnd().split("\n").slice(-lines).join("\n");
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch {
    // Already gone, or never made (cargo did not start).
  }
}

function writeStderr(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
