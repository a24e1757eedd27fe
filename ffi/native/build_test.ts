import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { NativeLibraryNotFoundError } from "./errors.ts";
import { buildNativeLibrary, cachedLibraryPath } from "./build.ts";
import { CargoNotFoundError, NativeBuildError } from "./build_errors.ts";
import { localSourceKey, nativeCacheDir } from "./cache.ts";
import { crateSource, fetchCrateSources } from "./source.ts";

async function fakeCrates(cargoToml: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_crates_" });
  await Deno.writeTextFile(join(dir, "Cargo.toml"), cargoToml);
  return dir;
}

Deno.test("crateSource() finds crates/ beside a file: module and names the package URL of a remote one", () => {
  const local = crateSource();
  assert.equal(local?.kind, "local");
  assert.ok(local?.kind === "local" && local.crates.endsWith("crates"));
  assert.deepEqual(crateSource("https://jsr.io/@streamlib/streamlib/0.1.0/ffi/native/load.ts"), {
    kind: "remote",
    packageRoot: "https://jsr.io/@streamlib/streamlib/0.1.0/",
  });
  assert.equal(crateSource("file:///nonexistent/pkg/ffi/native/load.ts"), undefined);
});

Deno.test("localSourceKey() changes with the sources and ignores target/", async () => {
  const crates = await fakeCrates("[workspace]\n");
  const before = localSourceKey(crates);
  assert.match(before, /^abi\d+-\w+-\w+-[0-9a-f]{16}$/);
  await Deno.mkdir(join(crates, "target"));
  await Deno.writeTextFile(join(crates, "target", "junk"), "x");
  assert.equal(localSourceKey(crates), before);
  await Deno.writeTextFile(join(crates, "Cargo.toml"), "[workspace]\nmembers = []\n");
  assert.notEqual(localSourceKey(crates), before);
  await Deno.remove(crates, { recursive: true });
});

Deno.test("nativeCacheDir() honours STREAMLIB_CACHE_DIR, then the OS cache directory", () => {
  const saved = Deno.env.get("STREAMLIB_CACHE_DIR");
  Deno.env.set("STREAMLIB_CACHE_DIR", "/tmp/explicit");
  assert.equal(nativeCacheDir(), "/tmp/explicit");
  if (saved === undefined) Deno.env.delete("STREAMLIB_CACHE_DIR");
  else Deno.env.set("STREAMLIB_CACHE_DIR", saved);
  if (Deno.build.os === "linux" && saved === undefined) {
    assert.match(nativeCacheDir() ?? "", /streamlib$/);
  }
});

Deno.test("buildNativeLibrary() returns a cached build without running cargo", async () => {
  const crates = await fakeCrates("not toml at all");
  const cacheDir = await Deno.makeTempDir();
  const source = { kind: "local" as const, crates };
  const cached = cachedLibraryPath(source, cacheDir);
  await Deno.mkdir(join(cached, ".."), { recursive: true });
  await Deno.writeTextFile(cached, "");
  assert.equal(buildNativeLibrary({ source, cacheDir, progress: () => {} }), cached);
  await Deno.remove(crates, { recursive: true });
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("buildNativeLibrary() names cargo and STREAMLIB_NATIVE_LIB when cargo is absent", async () => {
  const crates = await fakeCrates("[workspace]\n");
  const cacheDir = await Deno.makeTempDir();
  const path = Deno.env.get("PATH") ?? "";
  const progress: string[] = [];
  Deno.env.set("PATH", cacheDir); // an empty folder: no cargo on PATH
  try {
    assert.throws(
      () =>
        buildNativeLibrary({
          source: { kind: "local", crates },
          cacheDir,
          tried: ["/x/libstreamlib_native.so"],
          progress: (t) => progress.push(t),
        }),
      (e: unknown) =>
        e instanceof CargoNotFoundError && e instanceof NativeLibraryNotFoundError &&
        e.crates === crates &&
        /cargo is not installed to build it from .*; install Rust with cargo .*STREAMLIB_NATIVE_LIB/
          .test(e.message) &&
        e.message.includes("`deno task build:native` builds it"),
    );
  } finally {
    Deno.env.set("PATH", path);
  }
  assert.match(progress.join(""), /^streamlib: building the native library .* failed\n$/);
  await Deno.remove(crates, { recursive: true });
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("buildNativeLibrary() reports a failed cargo build with cargo's last lines", async () => {
  const crates = await fakeCrates("[package\nname = ");
  const cacheDir = await Deno.makeTempDir();
  assert.throws(
    () => buildNativeLibrary({ source: { kind: "local", crates }, cacheDir, progress: () => {} }),
    (e: unknown) =>
      e instanceof NativeBuildError && /cargo build failed \(exit \d+\)/.test(e.message) &&
      e.message.includes("`deno task build:native` runs the same cargo build") &&
      /Cargo\.toml/.test(e.output),
  );
  await Deno.remove(crates, { recursive: true });
  await Deno.remove(cacheDir, { recursive: true });
});

Deno.test("buildNativeLibrary() without crate sources is a plain NativeLibraryNotFoundError", () => {
  assert.throws(
    () => buildNativeLibrary({ source: null, tried: ["/a.so"], cacheDir: "/nonexistent" }),
    (e: unknown) => e instanceof NativeLibraryNotFoundError && !(e instanceof NativeBuildError),
  );
});

Deno.test("fetchCrateSources() fetches crates/ listed by a JSR version manifest and checks checksums", async () => {
  const files: Record<string, string> = {
    "/crates/Cargo.toml": "[workspace]\n",
    "/crates/a/src/lib.rs": "//! a\n",
    "/mod.ts": "export {};\n",
  };
  const sha = (text: string) => `sha256-${createHash("sha256").update(text).digest("hex")}`;
  let tamper = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/@s/n/1.0.0_meta.json") {
      const manifest = Object.fromEntries(
        Object.entries(files).map(([p, text]) => [p, { size: text.length, checksum: sha(text) }]),
      );
      return Response.json({ manifest });
    }
    const file = files[path.replace("/@s/n/1.0.0", "")];
    if (file === undefined) return new Response("not found", { status: 404 });
    return new Response(tamper && path.endsWith("lib.rs") ? "evil" : file);
  });
  const root = `http://127.0.0.1:${server.addr.port}/@s/n/1.0.0/`;
  const dest = await Deno.makeTempDir();
  try {
    const crates = await fetchCrateSources(root, dest);
    assert.equal(crates, join(dest, "crates"));
    assert.equal(await Deno.readTextFile(join(crates, "a", "src", "lib.rs")), "//! a\n");
    await assert.rejects(() => Deno.stat(join(dest, "mod.ts")));
    tamper = true;
    await assert.rejects(() => fetchCrateSources(root, `${dest}/again`), /checksum is sha256-/);
  } finally {
    await server.shutdown();
    await Deno.remove(dest, { recursive: true });
  }
});
