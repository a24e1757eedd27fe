/**
 * Binds the native library's symbols a group at a time, when one of the group is first called.
 *
 * Deno binds each symbol of a `Deno.dlopen` table when the table is opened, about 0.3 ms a symbol
 * on this machine, in every isolate that opens it: all 104 of `libstreamlib_native` took 32 ms in
 * each Worker, however few of them its nodes call (`deno run -A bench/native_bind.ts`, 2026-11-26,
 * load 4: 32.2 ms and 0.61 MB resident per Worker; 7.4 ms and 0.45 MB binding the ring and pool
 * groups this way, 1.7 ms and 0.31 MB the reverb group). A group is the symbols of one concern
 * (`sl_ring_*`, `sl_pool_*`, `sl_h264_*`, ...): the first call of any of them opens the same file
 * again with that group's table (the file is mapped once per process, so this is the binding
 * alone) and puts the bound functions in place of the stand-ins, so every later
 * `lib.symbols.sl_x(...)` is the bound function itself, on Deno's fast-call path where the symbol
 * has one. A function taken from `lib.symbols` before its group's first call stays the stand-in,
 * which forwards every call: read the symbol from `lib.symbols` at the call, as the wrappers do
 * (decision 0058).
 *
 * @module
 */

import { type NativeLibrary, symbols } from "./symbols.ts";

type SymbolName = keyof typeof symbols;

/**
 * The group a symbol is bound with: the word after `sl_` (`sl_ring_push` → `ring`); the few
 * symbols alone in their word (`sl_abi_version`, `sl_last_error`, ...) form one group, `base`.
 *
 * @param name A symbol of the table.
 * @returns Its group's name.
 *
 * @example Group names
 * ```ts
 * import assert from "node:assert/strict";
 * import { symbolGroup } from "./lazy_symbols.ts";
 *
 * assert.equal(symbolGroup("sl_ring_push"), "ring");
 * assert.equal(symbolGroup("sl_abi_version"), "base");
 * ```
 */
export function symbolGroup(name: SymbolName): string {
  return GROUP_OF.get(name) ?? "base";
}

const GROUP_OF: Map<SymbolName, string> = (() => {
  const byWord = new Map<string, SymbolName[]>();
  for (const name of Object.keys(symbols) as SymbolName[]) {
    const word = name.split("_")[1];
    byWord.set(word, [...byWord.get(word) ?? [], name]);
  }
  const groups = new Map<SymbolName, string>();
  for (const [word, names] of byWord) {
    for (const name of names) groups.set(name, names.length > 1 ? word : "base");
  }
  return groups;
})();

/**
 * Opens `path` (already checked for its ABI version) with every symbol of the table as a
 * stand-in that binds its group on its first call.
 *
 * @param path The library file.
 * @returns The library: `symbols` as `Deno.dlopen(path, symbols)` would give them, `close()`
 *   closing every group bound so far.
 *
 * @example Only the groups called are bound
 * ```ts
 * import assert from "node:assert/strict";
 * import { libraryPath, loadNativeLibrary } from "@streamlib/streamlib/ffi";
 * import { openLazily } from "./lazy_symbols.ts";
 *
 * const lib = openLazily(libraryPath(loadNativeLibrary()));
 * assert.equal(lib.symbols.sl_abi_version(), 9); // binds the `base` group alone
 * lib.close();
 * ```
 */
export function openLazily(path: string): NativeLibrary {
  const table: Record<string, unknown> = {};
  const bound: Deno.DynamicLibrary<Deno.ForeignLibraryInterface>[] = [];
  const members = new Map<string, SymbolName[]>();
  for (const name of Object.keys(symbols) as SymbolName[]) {
    const group = symbolGroup(name);
    members.set(group, [...members.get(group) ?? [], name]);
  }
  for (const names of members.values()) {
    let lib: Deno.DynamicLibrary<Deno.ForeignLibraryInterface> | undefined;
    const bind = () => {
      if (lib) return;
      const subset: Deno.ForeignLibraryInterface = {};
      for (const name of names) subset[name] = symbols[name];
      lib = Deno.dlopen(path, subset);
      bound.push(lib);
      for (const name of names) table[name] = lib.symbols[name];
    };
    for (const name of names) {
      table[name] = (...args: unknown[]) => {
        bind();
        return (table[name] as (...a: unknown[]) => unknown)(...args);
      };
    }
  }
  return {
    symbols: table as NativeLibrary["symbols"],
    close() {
      for (const lib of bound.splice(0)) lib.close();
    },
  };
}
