import assert from "node:assert/strict";
import { AbiMismatchError, NativeLibraryNotFoundError } from "./errors.ts";
import { libraryPath, loadNativeLibrary, localBuildPath, NATIVE_LIB_ENV } from "./load.ts";
import { ABI_VERSION } from "./symbols.ts";

Deno.test("loadNativeLibrary() opens the local build once per isolate and checks its ABI", () => {
  const lib = loadNativeLibrary();
  assert.equal(lib.symbols.sl_abi_version(), ABI_VERSION);
  assert.equal(loadNativeLibrary(), lib);
  assert.equal(libraryPath(lib), localBuildPath());
});

Deno.test("loadNativeLibrary() names the missing file and the command that builds it", () => {
  assert.throws(
    () => loadNativeLibrary({ path: "/nonexistent/libstreamlib_native.so" }),
    (e: unknown) =>
      e instanceof NativeLibraryNotFoundError &&
      e.tried[0] === "/nonexistent/libstreamlib_native.so" &&
      e.message.includes("deno task build:native"),
  );
});

Deno.test("loadNativeLibrary() prefers STREAMLIB_NATIVE_LIB over the local build", () => {
  Deno.env.set(NATIVE_LIB_ENV, "/nonexistent/from-env.so");
  try {
    assert.throws(() => loadNativeLibrary(), /from-env\.so/);
  } finally {
    Deno.env.delete(NATIVE_LIB_ENV);
  }
});

Deno.test("loadNativeLibrary() prefers the path option over STREAMLIB_NATIVE_LIB", () => {
  const built = localBuildPath()!;
  Deno.env.set(NATIVE_LIB_ENV, "/nonexistent/from-env.so");
  try {
    assert.equal(libraryPath(loadNativeLibrary({ path: built })), built, "a valid path wins");
    assert.throws(
      () => loadNativeLibrary({ path: "/nonexistent/from-option.so" }),
      (e: unknown) =>
        e instanceof NativeLibraryNotFoundError &&
        e.tried.length === 1 && e.tried[0] === "/nonexistent/from-option.so",
      "a missing path fails by itself, without falling back to the variable",
    );
  } finally {
    Deno.env.delete(NATIVE_LIB_ENV);
  }
});

Deno.test("loadNativeLibrary() refuses a library with another ABI version, naming both", () => {
  const fixture = localBuildPath()!.replace("libstreamlib_native", "libabi_mismatch_fixture");
  assert.throws(
    () => loadNativeLibrary({ path: fixture }),
    (e: unknown) =>
      e instanceof AbiMismatchError && e.found === 999 && e.expected === ABI_VERSION &&
      e.message.includes(`ABI version 999, this streamlib needs ABI version ${ABI_VERSION}`),
  );
});

Deno.test("loadNativeLibrary() refuses a library that is not a streamlib library", () => {
  const notOurs = Deno.build.os === "linux" ? "/lib/x86_64-linux-gnu/libm.so.6" : undefined;
  if (notOurs === undefined || !exists(notOurs)) return;
  assert.throws(
    () => loadNativeLibrary({ path: notOurs }),
    (e: unknown) => e instanceof AbiMismatchError && e.found === undefined,
  );
});

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "the library stays mapped after the only isolate that opened it ended",
  // /proc/self/maps is Linux's; the mechanism (RTLD_NODELETE) is the C library's on macOS too.
  ignore: Deno.build.os !== "linux",
  async fn() {
    // A process of its own, so no other isolate (another test file) holds the library open.
    const worker = `
      import { loadNativeLibrary } from ${
      JSON.stringify(new URL("./load.ts", import.meta.url).href)
    };
      loadNativeLibrary().symbols.sl_abi_version();
      self.postMessage("opened");
    `;
    const main = `
      const path = ${JSON.stringify(localBuildPath())};
      const mapped = () => Deno.readTextFileSync("/proc/self/maps").includes(path);
      const url = "data:application/typescript," + encodeURIComponent(${JSON.stringify(worker)});
      const w = new Worker(url, { type: "module" });
      await new Promise((resolve) => (w.onmessage = resolve));
      const before = mapped();
      w.terminate();
      // The worker's resources (its library handle among them) are dropped as its thread ends.
      await new Promise((resolve) => setTimeout(resolve, 500));
      console.log(JSON.stringify({ before, after: mapped() }));
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", main],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
      before: true,
      after: true,
    });
  },
});
