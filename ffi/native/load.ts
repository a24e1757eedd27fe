/**
 * The one loader of `libstreamlib_native`.
 *
 * Resolution order: the explicit `path` option, then the `STREAMLIB_NATIVE_LIB` environment
 * variable, then the local cargo build (`crates/target/release`, in a checkout), then a build
 * cached by {@linkcode buildNativeLibrary}; when there is none, the library is built from the
 * package's own crate sources with cargo (see `ffi/native/build.ts`). The library must report
 * the ABI version {@linkcode ABI_VERSION}; any other is refused.
 *
 * @module
 */

import { AudioLibraryMissingError, mentionsMissingAlsa } from "./audio_library_error.ts";
import { AbiMismatchError, NativeLibraryNotFoundError } from "./errors.ts";
import { buildNativeLibrary } from "./build.ts";
import { NATIVE_LIB_ENV, nativeLibraryFileName, readEnv } from "./cache.ts";
import { ABI_VERSION, type NativeLibrary } from "./symbols.ts";
import { openLazily } from "./lazy_symbols.ts";

export { NATIVE_LIB_ENV, nativeLibraryFileName };

/**
 * Options for {@linkcode loadNativeLibrary}.
 *
 * @example Never build: fail at once when the library is missing
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LoadNativeOptions, loadNativeLibrary } from "@streamlib/streamlib/ffi";
 *
 * const options: LoadNativeOptions = { build: false };
 * assert.ok(loadNativeLibrary(options).symbols.sl_abi_version() > 0); // in a built checkout
 * ```
 */
export interface LoadNativeOptions {
  /** Path of the library file; overrides `STREAMLIB_NATIVE_LIB` and the local build. */
  path?: string;
  /**
   * Whether a missing library is built from the package's crate sources with cargo. Default
   * `true`; with `false` a missing library is a {@linkcode NativeLibraryNotFoundError}.
   */
  build?: boolean;
}

const opened = new Map<string, NativeLibrary>();
const paths = new WeakMap<NativeLibrary, string>();

/**
 * Where the local cargo build puts the library, or `undefined` when this module was not loaded
 * from a file (for example from a registry URL).
 *
 * @returns An absolute path.
 *
 * @example Where `deno task build:native` puts the library
 * ```ts
 * import assert from "node:assert/strict";
 * import { localBuildPath } from "./load.ts";
 *
 * assert.ok(localBuildPath()?.endsWith("/crates/target/release/libstreamlib_native.so")); // Linux
 * ```
 */
export function localBuildPath(): string | undefined {
  const url = new URL(`../../crates/target/release/${nativeLibraryFileName()}`, import.meta.url);
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : undefined;
}

function resolvePath(options: LoadNativeOptions): string {
  // Without --allow-env the variable cannot be read; fall through to the local build.
  const candidate = options.path ?? readEnv(NATIVE_LIB_ENV);
  const tried = candidate === undefined ? [localBuildPath()].filter((p) => p !== undefined) : [
    candidate,
  ];
  for (const path of tried) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not there; try the next candidate.
    }
  }
  if (candidate !== undefined || options.build === false) {
    throw new NativeLibraryNotFoundError(tried);
  }
  return buildNativeLibrary({ tried });
}

function checkAbi(path: string): void {
  let probe: Deno.DynamicLibrary<{ sl_abi_version: { parameters: []; result: "u32" } }>;
  try {
    probe = Deno.dlopen(path, { sl_abi_version: { parameters: [], result: "u32" } });
  } catch (error) {
    if (String(error).includes("sl_abi_version")) {
      throw new AbiMismatchError(path, ABI_VERSION, undefined);
    }
    if (mentionsMissingAlsa(String(error))) {
      throw new AudioLibraryMissingError("load", path, String(error));
    }
    throw error;
  }
  try {
    const found = probe.symbols.sl_abi_version();
    if (found !== ABI_VERSION) throw new AbiMismatchError(path, ABI_VERSION, found);
  } finally {
    probe.close();
  }
}

/**
 * Opens `libstreamlib_native` once per isolate and path, after checking its ABI version. Its
 * symbols are bound a group at a time (`sl_ring_*`, `sl_pool_*`, ...) when one of the group is
 * first called, so an isolate pays only for what its nodes use.
 *
 * @param options Where to find the library.
 * @returns The opened library, shared by every caller in this isolate.
 * @throws {NativeLibraryNotFoundError} When no library file exists where the loader looked and
 * none could be built (its subclasses {@linkcode CargoNotFoundError} and
 * {@linkcode NativeBuildError} say why).
 * @throws {AbiMismatchError} When the library reports another ABI version.
 * @throws {AudioLibraryMissingError} When the library cannot be opened because ALSA's
 *   `libasound.so.2` is not installed (Linux; code `audio_library_missing`).
 *
 * @example Open the locally built library
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeLibrary } from "@streamlib/streamlib/ffi";
 *
 * const lib = loadNativeLibrary();
 * assert.equal(lib.symbols.sl_abi_version(), 9); // the ABI version
 * ```
 */
export function loadNativeLibrary(options: LoadNativeOptions = {}): NativeLibrary {
  const path = resolvePath(options);
  const cached = opened.get(path);
  if (cached) return cached;
  checkAbi(path);
  // Each group of symbols is bound on its first call (lazy_symbols.ts): binding all of them took
  // 30-43 ms and about 1 MB in every isolate that opened the library.
  const lib = openLazily(path);
  opened.set(path, lib);
  paths.set(lib, path);
  return lib;
}

/**
 * The file a library opened by {@linkcode loadNativeLibrary} came from, so that a Worker can open
 * the same one.
 *
 * @param lib An opened library.
 * @returns Its path.
 *
 * @example Hand the path to a Worker
 * ```ts
 * import assert from "node:assert/strict";
 * import { libraryPath, loadNativeLibrary } from "@streamlib/streamlib/ffi";
 *
 * assert.ok(libraryPath(loadNativeLibrary()).endsWith("streamlib_native.so")); // Linux
 * ```
 */
export function libraryPath(lib: NativeLibrary): string {
  const path = paths.get(lib);
  if (path === undefined) {
    throw new TypeError("Cannot name the library file: it was not opened by loadNativeLibrary()");
  }
  return path;
}
