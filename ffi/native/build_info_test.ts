import assert from "node:assert/strict";
import { nativeBuildInfo } from "./build_info.ts";
import { ABI_VERSION } from "./symbols.ts";

Deno.test("nativeBuildInfo() reports the ABI, the target and OpenH264's version", () => {
  const info = nativeBuildInfo();
  assert.equal(info.abi, ABI_VERSION);
  const arch = Deno.build.arch === "x86_64" ? "x86_64" : "aarch64";
  assert.ok(info.target.startsWith(arch), `${info.target} is not a ${arch} target`);
  assert.match(info.openh264.version, /^2\.\d+\.\d+$/);
});

// CI builds on x86_64 Linux with nasm (scripts/install_test_deps.sh installs it), so this fails
// when the library was built without OpenH264's assembly (STREAMLIB_ALLOW_NO_ASM=1, no nasm).
Deno.test("nativeBuildInfo() says OpenH264's SIMD assembly is in, with SSE2 or NEON", () => {
  const { openh264 } = nativeBuildInfo();
  assert.equal(
    openh264.asm,
    true,
    "libstreamlib_native was built without OpenH264's assembly: install nasm and rebuild " +
      "(deno task build:native)",
  );
  assert.ok(
    openh264.simd.includes(Deno.build.arch === "x86_64" ? "sse2" : "neon"),
    `simd: ${openh264.simd.join(", ")}`,
  );
});

// crates/.cargo/config.toml turns on OpenH264's AVX2 routines (HAVE_AVX2), which openh264-sys2
// leaves out; they are picked at run time only on CPUs with AVX2 (issue 19). On x86_64 Linux
// this checks the built library holds them (`nm` lists the local symbols of the release build).
Deno.test("the native library carries OpenH264's AVX2 routines on x86_64", async () => {
  if (Deno.build.arch !== "x86_64" || Deno.build.os !== "linux") return;
  const { localBuildPath } = await import("./load.ts");
  const out = await new Deno.Command("nm", { args: [localBuildPath()!], stdout: "piped" }).output();
  assert.equal(out.code, 0, "nm failed (binutils)");
  const symbols = new TextDecoder().decode(out.stdout);
  for (const name of ["VAACalcSadBgd_avx2", "IdctResAddPred_avx2"]) {
    assert.match(
      symbols,
      new RegExp(`\\b${name}\\b`),
      `${name} is missing: built without HAVE_AVX2`,
    );
  }
});
