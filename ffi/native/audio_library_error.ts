/**
 * The typed error of a native library that needs ALSA's `libasound` where it is not installed.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";
import { NativeLibraryNotFoundError } from "./errors.ts";

/** The Debian packages of ALSA: the run-time library, and the headers a build needs. */
export const ALSA_PACKAGES = { load: "libasound2", build: "libasound2-dev" } as const;

/**
 * The native library needs ALSA's `libasound.so.2` (for audio out on Linux) and it is not
 * installed: at load time the library cannot be opened, at build time the headers
 * (`alsa.pc`) are missing. Names the package to install.
 *
 * @example The package to install
 * ```ts
 * import assert from "node:assert/strict";
 * import { AudioLibraryMissingError, NativeLibraryNotFoundError } from "@streamlib/streamlib/ffi";
 *
 * const error = new AudioLibraryMissingError("build", "/x/libstreamlib_native.so", "alsa.pc not found");
 * assert.equal(error.code, "audio_library_missing");
 * assert.equal(error.install, "libasound2-dev");
 * assert.ok(error instanceof NativeLibraryNotFoundError);
 * assert.match(error.message, /apt-get install libasound2-dev/);
 * ```
 */
export class AudioLibraryMissingError extends NativeLibraryNotFoundError {
  /** Stable machine code. */
  readonly code: ErrorCode = "audio_library_missing";
  /** When it was missed: opening the built library, or building it. */
  readonly phase: "load" | "build";
  /** The Debian/Ubuntu package that provides it. */
  readonly install: string;
  /** What the loader or cargo said. */
  readonly output: string;

  /** The phase and the package. */
  get details(): ErrorDetails {
    return { phase: this.phase, install: this.install };
  }

  /**
   * Names the package.
   *
   * @param phase Opening the library (`load`) or building it (`build`).
   * @param path The library, or the crates folder built.
   * @param output What `dlopen` or cargo said.
   */
  constructor(phase: "load" | "build", path: string, output: string) {
    super([path]);
    this.name = "AudioLibraryMissingError";
    this.phase = phase;
    this.install = ALSA_PACKAGES[phase];
    this.output = output;
    const fedora = phase === "build" ? "alsa-lib-devel" : "alsa-lib";
    this.message =
      `Cannot ${
        phase === "build" ? "build" : "load"
      } the streamlib native library: it needs ALSA's libasound (audio out on Linux), which is not` +
      ` installed; install it (Debian/Ubuntu: apt-get install ${this.install}; Fedora: dnf` +
      ` install ${fedora}) and run again${output ? `\n${output}` : ""}`;
  }
}

/**
 * Whether a `dlopen` error names libasound (missing, or not a usable library), or cargo's output
 * says ALSA's headers (`alsa.pc`) or `pkg-config` are missing for `alsa-sys`.
 *
 * @param text The error text or cargo's output.
 *
 * @example Tell a missing libasound from another load error
 * ```ts
 * import assert from "node:assert/strict";
 * import { mentionsMissingAlsa } from "./audio_library_error.ts";
 *
 * assert.ok(mentionsMissingAlsa("libasound.so.2: cannot open shared object file"));
 * assert.ok(!mentionsMissingAlsa("libfoo.so: cannot open shared object file"));
 * ```
 * @returns Whether ALSA is what is missing.
 */
export function mentionsMissingAlsa(text: string): boolean {
  return /libasound\.so\.2: |alsa\.pc|`alsa` required by crate `alsa-sys`|pkg-config --libs --cflags alsa/
    .test(text);
}
