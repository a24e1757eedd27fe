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
