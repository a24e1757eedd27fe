/**
 * Typed errors of building the native library from source. Both extend
 * {@linkcode NativeLibraryNotFoundError}: the library was not there and could not be made, so
 * code that catches "not found" catches these too.
 *
 * @module
 */

import { NativeLibraryNotFoundError } from "./errors.ts";
import { NATIVE_LIB_ENV } from "./cache.ts";

/**
 * The library is missing and `cargo` is not installed (or may not be run) to build it.
 *
 * @example The message names both ways out
 * ```ts
 * import assert from "node:assert/strict";
 * import { CargoNotFoundError } from "@streamlib/streamlib/ffi";
 *
 * const error = new CargoNotFoundError(["/x/libstreamlib_native.so"], "/pkg/crates", "not installed");
 * assert.ok(error.message.includes("STREAMLIB_NATIVE_LIB"));
 * assert.ok(error.message.includes("deno task build:native"));
 * ```
 */
export class CargoNotFoundError extends NativeLibraryNotFoundError {
  /** The crate sources it would have built. */
  readonly crates: string;

  /**
   * Creates the error.
   *
   * @param tried Where the loader looked for a built library.
   * @param crates The crate sources it would have built.
   * @param why `not installed`, or the permission that is missing.
   */
  constructor(tried: readonly string[], crates: string, why: string) {
    super(tried);
    this.name = "CargoNotFoundError";
    this.crates = crates;
    this.message = `Cannot load the streamlib native library: it is not built and cargo is ${why}` +
      ` to build it from ${crates}; install Rust with cargo (https://rustup.rs) and run again` +
      ` (in a streamlib checkout, \`deno task build:native\` builds it), or set ${NATIVE_LIB_ENV}` +
      ` to a built ${tried[0]?.split(/[\\/]/).pop() ?? "library"}`;
  }
}

/**
 * `cargo build` ran and failed, or the crate sources could not be fetched or found.
 *
 * @example The message carries cargo's last lines
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativeBuildError } from "@streamlib/streamlib/ffi";
 *
 * const error = new NativeBuildError(["/x/libstreamlib_native.so"], "cargo build failed (exit 101)", "error[E0432]: ...");
 * assert.equal(error.output, "error[E0432]: ...");
 * assert.ok(error.message.includes("deno task build:native"));
 * ```
 */
export class NativeBuildError extends NativeLibraryNotFoundError {
  /** The last lines cargo (or the fetch) printed. */
  readonly output: string;

  /**
   * Creates the error.
   *
   * @param tried Where the loader looked for a built library.
   * @param what What failed, e.g. `cargo build failed (exit 101)`.
   * @param output The last lines printed.
   */
  constructor(tried: readonly string[], what: string, output: string) {
    super(tried);
    this.name = "NativeBuildError";
    this.output = output;
    this.message = `Cannot build the streamlib native library: ${what}; fix the cause and run` +
      ` again (in a streamlib checkout, \`deno task build:native\` runs the same cargo build with` +
      ` its full output), or set ${NATIVE_LIB_ENV} to a built library to skip the build` +
      `${output ? `\n${output}` : ""}`;
  }
}
