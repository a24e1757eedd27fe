/**
 * Typed errors of the video window: what is missing to open one (a display, SDL 2, Deno's window
 * surface, a WebGPU adapter), each naming what to install or set.
 *
 * @module
 */

import type { ErrorDetails } from "../../core/errors/codes.ts";

/** The machine code of each window error. */
export type WindowErrorCode =
  | "display_unavailable"
  | "sdl_unavailable"
  | "window_surface_unavailable"
  | "window_gpu_unavailable";

/**
 * A video window could not be opened; the subclasses say what was missing, `code` says which, and
 * `remedy` what to install or set.
 *
 * @example Catch every window failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { DisplayUnavailableError, WindowError } from "@streamlib/streamlib/ffi";
 *
 * const error: unknown = new DisplayUnavailableError("", "No available video device");
 * assert.ok(error instanceof WindowError);
 * assert.equal(error.code, "display_unavailable");
 * assert.match(error.message, /set DISPLAY/);
 * ```
 */
export class WindowError extends Error {
  /** Stable machine code naming what was missing. */
  readonly code: WindowErrorCode;
  /** What was wrong, in words (SDL's or WebGPU's own message where there is one). */
  readonly reason: string;
  /** What to install or set to fix it. */
  readonly remedy: string;

  /**
   * Creates the error.
   *
   * @param code The code.
   * @param reason What was wrong.
   * @param remedy What to install or set.
   */
  constructor(code: WindowErrorCode, reason: string, remedy: string) {
    super(`Cannot open a video window: ${reason}; ${remedy}`);
    this.name = "WindowError";
    this.code = code;
    this.reason = reason;
    this.remedy = remedy;
  }

  /** Structured details: the reason and the remedy. */
  get details(): ErrorDetails {
    return { reason: this.reason, remedy: this.remedy };
  }
}

/**
 * SDL could not reach a display: `DISPLAY` is unset or names no running X server (or
 * `WAYLAND_DISPLAY` no compositor). Code `display_unavailable`.
 *
 * @example Name the display that failed
 * ```ts
 * import assert from "node:assert/strict";
 * import { DisplayUnavailableError } from "@streamlib/streamlib/ffi";
 *
 * const error = new DisplayUnavailableError(":9", "No available video device");
 * assert.equal(error.display, ":9");
 * assert.equal(error.details.display, ":9");
 * ```
 */
export class DisplayUnavailableError extends WindowError {
  /** `$DISPLAY` when SDL tried it (`""` when unset). */
  readonly display: string;

  /**
   * Creates the error.
   *
   * @param display `$DISPLAY` (`""` when unset).
   * @param sdlError SDL's message.
   */
  constructor(display: string, sdlError: string) {
    super(
      "display_unavailable",
      display === ""
        ? `no display: DISPLAY is not set (SDL: ${sdlError})`
        : `display '${display}' cannot be opened (SDL: ${sdlError})`,
      "set DISPLAY to a running X server (a desktop session, or `Xvfb :99 &` then DISPLAY=:99)",
    );
    this.name = "DisplayUnavailableError";
    this.display = display;
  }

  /** Structured details: the display, the reason and the remedy. */
  override get details(): ErrorDetails {
    return { display: this.display, reason: this.reason, remedy: this.remedy };
  }
}

/**
 * The SDL 2 library could not be loaded. Code `sdl_unavailable`.
 *
 * @example Name the library looked for
 * ```ts
 * import assert from "node:assert/strict";
 * import { SdlUnavailableError } from "@streamlib/streamlib/ffi";
 *
 * const error = new SdlUnavailableError("libSDL2-2.0.so.0", "cannot open shared object file");
 * assert.equal(error.code, "sdl_unavailable");
 * assert.match(error.remedy, /libsdl2-2.0-0/);
 * ```
 */
export class SdlUnavailableError extends WindowError {
  /** The library file looked for. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The library file looked for.
   * @param loadError Why it did not load.
   */
  constructor(path: string, loadError: string) {
    super(
      "sdl_unavailable",
      `SDL 2 ('${path}') does not load: ${loadError}`,
      "install SDL 2 (Debian/Ubuntu: apt-get install libsdl2-2.0-0; Fedora: dnf install SDL2; macOS: brew install sdl2) or set STREAMLIB_SDL2_LIB to its path",
    );
    this.name = "SdlUnavailableError";
    this.path = path;
  }

  /** Structured details: the path, the reason and the remedy. */
  override get details(): ErrorDetails {
    return { path: this.path, reason: this.reason, remedy: this.remedy };
  }
}

/**
 * WebGPU cannot present to the window: Deno was started without `--unstable-webgpu` (so
 * `Deno.UnsafeWindowSurface` is missing), or SDL's window is on a windowing system other than X11.
 * Code `window_surface_unavailable`.
 *
 * @example Without the flag
 * ```ts
 * import assert from "node:assert/strict";
 * import { WindowSurfaceUnavailableError } from "@streamlib/streamlib/ffi";
 *
 * const error = new WindowSurfaceUnavailableError(
 *   "Deno.UnsafeWindowSurface is missing",
 *   "run deno with --unstable-webgpu",
 * );
 * assert.equal(error.code, "window_surface_unavailable");
 * ```
 */
export class WindowSurfaceUnavailableError extends WindowError {
  /**
   * Creates the error.
   *
   * @param reason What was missing.
   * @param remedy What to do.
   */
  constructor(reason: string, remedy: string) {
    super("window_surface_unavailable", reason, remedy);
    this.name = "WindowSurfaceUnavailableError";
  }
}

/**
 * No WebGPU adapter or device: no Vulkan driver, or the driver refused. Code
 * `window_gpu_unavailable`.
 *
 * @example No adapter
 * ```ts
 * import assert from "node:assert/strict";
 * import { WindowGpuUnavailableError } from "@streamlib/streamlib/ffi";
 *
 * const error = new WindowGpuUnavailableError("navigator.gpu.requestAdapter() found no adapter");
 * assert.equal(error.code, "window_gpu_unavailable");
 * assert.match(error.remedy, /mesa-vulkan-drivers/);
 * ```
 */
export class WindowGpuUnavailableError extends WindowError {
  /**
   * Creates the error.
   *
   * @param reason What failed.
   * @param options The underlying error, if any.
   */
  constructor(reason: string, options?: ErrorOptions) {
    super(
      "window_gpu_unavailable",
      reason,
      "install a Vulkan driver (Debian/Ubuntu: apt-get install mesa-vulkan-drivers, whose lavapipe runs on the CPU)",
    );
    this.name = "WindowGpuUnavailableError";
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
