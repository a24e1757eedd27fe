/**
 * SDL 2's video subsystem, opened once per process through FFI, and its event pump: the one place
 * that calls `SDL_PollEvent`, routing each window's events to it by window id.
 *
 * @module
 */

import { DisplayUnavailableError, SdlUnavailableError } from "./display_errors.ts";
import {
  SDL_EVENT,
  SDL_EVENT_BYTES,
  SDL_INIT_VIDEO,
  SDL_QUIT,
  SDL_WINDOWEVENT,
  SDL_WINDOWEVENT_CLOSE,
  SDL_WINDOWEVENT_SIZE_CHANGED,
  type SdlLibrary,
  sdlSymbols,
} from "./sdl_symbols.ts";

/** The environment variable that names the SDL 2 library file, over the system's. */
export const SDL_LIB_ENV = "STREAMLIB_SDL2_LIB";

/** What a window hears from the pump. */
export interface SdlWindowEvents {
  /** The window manager asked the window to close (its close button), or SDL to quit. */
  closeRequested(): void;
  /** The window's drawable size changed. */
  resized(width: number, height: number): void;
}

/** The default library file of SDL 2 on this OS. */
function defaultLibraryName(): string {
  switch (Deno.build.os) {
    case "darwin":
      return "libSDL2-2.0.0.dylib";
    case "windows":
      return "SDL2.dll";
    default:
      return "libSDL2-2.0.so.0";
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: the default applies
  }
}

const encoder = new TextEncoder();

/** SDL's video drivers that show nothing on a screen. */
const HEADLESS_DRIVERS = new Set(["offscreen", "dummy", "evdev"]);

/**
 * A NUL-terminated UTF-8 copy of `text`, for a `const char *` parameter.
 *
 * @param text The string.
 * @returns Its bytes and a trailing 0.
 */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(text).length + 1);
  encoder.encodeInto(text, bytes);
  return bytes;
}

/**
 * SDL 2's video subsystem in this process. {@linkcode SdlVideo.open} loads the library and starts
 * the subsystem on first use and returns the same object after; it stays open until the process
 * exits (the WebGPU surfaces made on its windows keep its X connection, and Deno gives no way to
 * drop a surface at a known time). SDL's signal handlers are turned off before it starts
 * (`SDL_NO_SIGNAL_HANDLERS`), so Ctrl-C stays the program's.
 *
 * @example Open the video subsystem where a display is
 * ```ts ignore
 * // Needs a display and SDL 2: tests/display/video_window_test.ts runs it under Xvfb.
 * import assert from "node:assert/strict";
 * import { SdlVideo } from "./sdl_video.ts";
 *
 * const video = SdlVideo.open();
 * assert.equal(video.driver, "x11");
 * ```
 */
export class SdlVideo {
  static #opened: SdlVideo | undefined;
  static #library: SdlLibrary | undefined;
  readonly #lib: SdlLibrary;
  readonly #driver: string;
  readonly #event = new Uint8Array(SDL_EVENT_BYTES);
  readonly #eventView = new DataView(this.#event.buffer);
  readonly #windows = new Map<number, SdlWindowEvents>();

  private constructor(lib: SdlLibrary, driver: string) {
    this.#lib = lib;
    this.#driver = driver;
  }

  /**
   * The process's SDL video subsystem, started on the first call.
   *
   * @param options `path`: the SDL 2 library file; default `$STREAMLIB_SDL2_LIB`, then the
   *   system's (`libSDL2-2.0.so.0` on Linux).
   * @returns The subsystem.
   * @throws {SdlUnavailableError} When the library does not load (code `sdl_unavailable`).
   * @throws {DisplayUnavailableError} When SDL reaches no display (code `display_unavailable`).
   */
  static open(options: { path?: string } = {}): SdlVideo {
    if (SdlVideo.#opened) return SdlVideo.#opened;
    const path = options.path ?? readEnv(SDL_LIB_ENV) ?? defaultLibraryName();
    let lib = SdlVideo.#library;
    if (lib === undefined) {
      try {
        lib = SdlVideo.#library = Deno.dlopen(path, sdlSymbols);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new SdlUnavailableError(path, message);
      }
    }
    const sdl = lib.symbols;
    sdl.SDL_SetHint(cString("SDL_NO_SIGNAL_HANDLERS"), cString("1"));
    // X11 unless the user chose: the surface takes X11 handles, and without a display SDL would
    // otherwise fall back to its offscreen driver, whose windows show nowhere.
    if (readEnv("SDL_VIDEODRIVER") === undefined) {
      sdl.SDL_SetHint(cString("SDL_VIDEODRIVER"), cString("x11"));
    }
    if (sdl.SDL_InitSubSystem(SDL_INIT_VIDEO) !== 0) {
      // The library stays loaded: a later call, once a display is there, tries again.
      const message = readCString(sdl.SDL_GetError());
      throw new DisplayUnavailableError(readEnv("DISPLAY") ?? "", message);
    }
    const driver = readCString(sdl.SDL_GetCurrentVideoDriver());
    if (HEADLESS_DRIVERS.has(driver)) {
      // An SDL older than 2.0.22 ignores the hint; its fallback shows nothing either.
      sdl.SDL_QuitSubSystem(SDL_INIT_VIDEO);
      throw new DisplayUnavailableError(
        readEnv("DISPLAY") ?? "",
        `SDL chose its '${driver}' driver`,
      );
    }
    return SdlVideo.#opened = new SdlVideo(lib, driver);
  }

  /** The SDL library's symbols, for {@linkcode SdlWindow}. */
  get symbols(): SdlLibrary["symbols"] {
    return this.#lib.symbols;
  }

  /** SDL's video driver: `x11`, `wayland`, ... */
  get driver(): string {
    return this.#driver;
  }

  /**
   * SDL's message for the last failure.
   *
   * @returns The message (`""` when none).
   */
  lastError(): string {
    return readCString(this.#lib.symbols.SDL_GetError());
  }

  /**
   * Routes the events of window `id` to `events` until {@linkcode SdlVideo.unwatch}.
   *
   * @param id The window's `SDL_GetWindowID`.
   * @param events What to tell it.
   */
  watch(id: number, events: SdlWindowEvents): void {
    this.#windows.set(id, events);
  }

  /**
   * Stops routing events to window `id`.
   *
   * @param id The window's id.
   */
  unwatch(id: number): void {
    this.#windows.delete(id);
  }

  /**
   * Takes every event SDL has waiting (never waits) and tells each window its own: close and size
   * changes; `SDL_QUIT` asks every window to close. Other events are dropped.
   */
  pump(): void {
    const sdl = this.#lib.symbols;
    const view = this.#eventView;
    while (sdl.SDL_PollEvent(this.#event) === 1) {
      const type = view.getUint32(SDL_EVENT.type, true);
      if (type === SDL_QUIT) {
        for (const window of this.#windows.values()) window.closeRequested();
      } else if (type === SDL_WINDOWEVENT) {
        const window = this.#windows.get(view.getUint32(SDL_EVENT.windowId, true));
        const what = view.getUint8(SDL_EVENT.windowEvent);
        if (what === SDL_WINDOWEVENT_CLOSE) window?.closeRequested();
        else if (what === SDL_WINDOWEVENT_SIZE_CHANGED) {
          window?.resized(
            view.getInt32(SDL_EVENT.data1, true),
            view.getInt32(SDL_EVENT.data2, true),
          );
        }
      }
    }
  }
}

/**
 * The string at a `const char *`.
 *
 * @param pointer The pointer (`null` reads as `""`).
 * @returns The string.
 */
export function readCString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : new Deno.UnsafePointerView(pointer).getCString();
}
