import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { localBuildPath } from "./load.ts";
import { symbols } from "./symbols.ts";

const ffiRs = fileURLToPath(new URL("../../crates/streamlib_native/src/ffi.rs", import.meta.url));

/**
 * Maps a Rust parameter or result type of ffi.rs to the Deno FFI type it must be declared as. A
 * pointer parameter may be declared `buffer` (a typed array per call) or `pointer` (a cached
 * pointer, as the ring hot paths do); both are `buffer|pointer` here.
 */
function denoType(rust: string): string {
  const t = rust.replace(/\s+/g, " ").trim();
  if (/^\*(const|mut) /.test(t)) return "buffer|pointer";
  return t;
}

/** Every Rust source of the crate: the C ABI is `ffi.rs` plus subsystems' own (`webrtc/ffi.rs`). */
function crateSources(dir = dirname(ffiRs)): string {
  let text = "";
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) text += crateSources(path);
    else if (entry.name.endsWith(".rs")) text += Deno.readTextFileSync(path) + "\n";
  }
  return text;
}

function parseFfiRs(): Map<string, { parameters: string[]; result: string }> {
  const source = crateSources();
  const found = new Map<string, { parameters: string[]; result: string }>();
  const pattern = /pub (?:unsafe )?extern "C" fn (sl_\w+)\s*\(([^)]*)\)\s*(?:->\s*([^{]+?))?\s*\{/g;
  for (const [, name, params, result] of source.matchAll(pattern)) {
    const parameters = params.split(",").map((p) => p.trim()).filter(Boolean).map((p) =>
      denoType(p.slice(p.indexOf(":") + 1))
    );
    found.set(name, { parameters, result: result ? result.trim() : "void" });
  }
  return found;
}

Deno.test('symbols matches the extern "C" functions of ffi.rs, name by name and type by type', () => {
  const rust = parseFfiRs();
  assert.deepEqual([...rust.keys()].sort(), Object.keys(symbols).sort());
  for (const [name, declared] of Object.entries(symbols)) {
    const { parameters, result } = rust.get(name)!;
    const kinds = declared.parameters.map((p, i) =>
      parameters[i] === "buffer|pointer" && (p === "buffer" || p === "pointer") ? parameters[i] : p
    );
    assert.deepEqual(kinds, parameters, `${name} parameters`);
    const expected = result.startsWith("*") ? "pointer" : result;
    assert.equal(declared.result, expected, `${name} result`);
  }
});

Deno.test("symbols matches the sl_* exports of the built library", async () => {
  const out = await new Deno.Command("nm", { args: ["-D", "--defined-only", localBuildPath()!] })
    .output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const exported = new TextDecoder().decode(out.stdout).split("\n")
    .map((line) => line.trim().split(/\s+/).at(-1) ?? "")
    .filter((name) => name.startsWith("sl_"));
  assert.deepEqual(exported.sort(), Object.keys(symbols).sort());
});
