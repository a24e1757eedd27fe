/**
 * {@linkcode nativeBuildInfo}: what the loaded native library was built with.
 *
 * @module
 */

import { loadNativeLibrary, type LoadNativeOptions } from "./load.ts";

/**
 * What `libstreamlib_native` contains, as it reports it (`sl_build_info`, ABI 6).
 *
 * @example Read it
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeBuildInfo, type NativeBuildInfo } from "@streamlib/streamlib/ffi";
 *
 * const info: NativeBuildInfo = nativeBuildInfo();
 * assert.match(info.openh264.version, /^2\.\d+\.\d+$/);
 * ```
 */
export interface NativeBuildInfo {
  /** The ABI version the library implements. */
  readonly abi: number;
  /** The Rust target triple it was built for, e.g. `x86_64-unknown-linux-gnu`. */
  readonly target: string;
  /** The OpenH264 encoder and decoder built into it. */
  readonly openh264: {
    /** OpenH264's version, e.g. `2.7.0`. */
    readonly version: string;
    /**
     * Whether OpenH264's SIMD assembly is linked in (x86 needs `nasm` at build time; without it
     * encoding runs about half as fast). Asked from OpenH264 itself at run time.
     */
    readonly asm: boolean;
    /** The CPU features its assembly uses on this machine (`sse2` ... `avx2`, or `neon`). */
    readonly simd: readonly string[];
  };
}

/**
 * Reads the loaded native library's build information.
 *
 * @param options Which library (default: the one {@linkcode loadNativeLibrary} finds).
 * @returns What the library was built with.
 *
 * @example Check that OpenH264's assembly is in
 * ```ts
 * import assert from "node:assert/strict";
 * import { nativeBuildInfo } from "@streamlib/streamlib/ffi";
 *
 * const { openh264 } = nativeBuildInfo();
 * assert.equal(openh264.asm, openh264.simd.length > 0);
 * ```
 */
export function nativeBuildInfo(options: LoadNativeOptions = {}): NativeBuildInfo {
  const lib = loadNativeLibrary(options);
  let buffer = new Uint8Array(512);
  let length = lib.symbols.sl_build_info(buffer, buffer.length);
  if (length > buffer.length) {
    buffer = new Uint8Array(length);
    length = lib.symbols.sl_build_info(buffer, buffer.length);
  }
  return JSON.parse(new TextDecoder().decode(buffer.subarray(0, length))) as NativeBuildInfo;
}
