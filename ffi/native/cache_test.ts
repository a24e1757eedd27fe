/**
 * The macOS and Windows branches of the loader's naming, checked on any OS (issue 12: the Deno
 * code paths that branch on `Deno.build.os === "darwin"` run in tests, not only type-check).
 */

import assert from "node:assert/strict";
import { CACHE_DIR_ENV, nativeCacheDir, nativeLibraryFileName } from "./cache.ts";

Deno.test("nativeLibraryFileName() names the library as each OS's loader expects", () => {
  assert.equal(nativeLibraryFileName("darwin"), "libstreamlib_native.dylib");
  assert.equal(nativeLibraryFileName("linux"), "libstreamlib_native.so");
  assert.equal(nativeLibraryFileName("windows"), "streamlib_native.dll");
  assert.equal(nativeLibraryFileName("freebsd"), "libstreamlib_native.so");
});

Deno.test("nativeCacheDir() follows each OS's cache folder convention", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(
    nativeCacheDir("darwin", env({ HOME: "/Users/me" })),
    "/Users/me/Library/Caches/streamlib",
  );
  assert.equal(nativeCacheDir("linux", env({ HOME: "/home/me" })), "/home/me/.cache/streamlib");
  assert.equal(
    nativeCacheDir("linux", env({ HOME: "/home/me", XDG_CACHE_HOME: "/var/cache/me" })),
    "/var/cache/me/streamlib",
  );
  assert.equal(nativeCacheDir("darwin", env({ HOME: "/Users/me", [CACHE_DIR_ENV]: "/c" })), "/c");
  assert.equal(nativeCacheDir("darwin", env({})), undefined);
});
