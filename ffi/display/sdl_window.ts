/**
 * {@linkcode SdlWindow}: one native window made by SDL 2, with the X11 handles WebGPU presents to.
 *
 * @module
 */

import { WindowSurfaceUnavailableError } from "./display_errors.ts";
import {
  SDL_SYSWM_X11,
  SDL_SYSWMINFO,
  SDL_SYSWMINFO_BYTES,
  SDL_WINDOW_HIDDEN,
  SDL_WINDOW_RESIZABLE,
  SDL_WINDOWPOS_UNDEFINED,
} from "./sdl_symbols.ts";
import { cString, SdlVideo } from "./sdl_video.ts";

/** What {@linkcode SdlWindow.open} takes. */
export interface SdlWindowOptions {
  /** The title bar's text. */
  title: string;
  /** Width of the drawable area in pixels. */
  width: number;
  /** Height of the drawable area in pixels. */
  height: number;
  /** Whether the window starts hidden (shown by `show()`). Default `false`. */
  hidden?: boolean;
  /** Where on the screen; default: where the window manager puts it (top-left without one). */
  position?: { x: number; y: number };
  /** The SDL 2 library file; default `$STREAMLIB_SDL2_LIB`, then the system's. */
  sdlPath?: string;
}

/** The X11 handles of a window: what `Deno.UnsafeWindowSurface` takes with system `"x11"`. */
export interface X11Handles {
  /** The Xlib `Display *` SDL opened. */
  readonly display: Deno.PointerObject;
  /** The Xlib `Window` id. */
  readonly window: bigint;
}

/**
 * A resizable native window made by SDL 2 on X11. Its events come from the one pump of the
 * process's {@linkcode SdlVideo} (`pollEvents()` runs it): `closeRequested` turns true when the
 * window manager asks it to close (its close button) and stays true; `takeResize()` gives a new
 * size once. `close()` destroys it; it is idempotent, and `using` calls it.
 *
 * @example Open a window, ask for its handles, close it
 * ```ts ignore
 * // Needs a display and SDL 2: tests/display/video_window_test.ts runs windows under Xvfb.
 * import assert from "node:assert/strict";
 * import { SdlWindow } from "@streamlib/streamlib/ffi";
 *
 * using window = SdlWindow.open({ title: "preview", width: 320, height: 240 });
 * assert.ok(window.x11.window > 0n);
 * window.pollEvents();
 * assert.equal(window.closeRequested, false);
 * ```
 */
export class SdlWindow {
  readonly #video: SdlVideo;
  #handle: Deno.PointerObject | null;
  readonly #id: number;
  readonly #x11: X11Handles;
  #width: number;
  #height: number;
  #closeRequested = false;
  #resized = false;

  private constructor(
    video: SdlVideo,
    handle: Deno.PointerObject,
    x11: X11Handles,
    width: number,
    height: number,
  ) {
    this.#video = video;
    this.#handle = handle;
    this.#id = video.symbols.SDL_GetWindowID(handle);
    this.#x11 = x11;
    this.#width = width;
    this.#height = height;
    video.watch(this.#id, {
      closeRequested: () => void (this.#closeRequested = true),
      resized: (w, h) => {
        if (w === this.#width && h === this.#height) return;
        [this.#width, this.#height, this.#resized] = [w, h, true];
      },
    });
  }

  /**
   * Opens a window.
   *
   * @param options Title, size, whether hidden, and the SDL library.
   * @returns The window.
   * @throws {SdlUnavailableError} When SDL 2 does not load (code `sdl_unavailable`).
   * @throws {DisplayUnavailableError} When there is no display (code `display_unavailable`).
   * @throws {WindowSurfaceUnavailableError} When SDL runs on another windowing system than X11, or
   *   cannot make the window (code `window_surface_unavailable`).
   */
  static open(options: SdlWindowOptions): SdlWindow {
    const video = SdlVideo.open({ path: options.sdlPath });
    const sdl = video.symbols;
    const flags = SDL_WINDOW_RESIZABLE | (options.hidden ? SDL_WINDOW_HIDDEN : 0);
    const { x, y } = options.position ?? { x: SDL_WINDOWPOS_UNDEFINED, y: SDL_WINDOWPOS_UNDEFINED };
    const handle = sdl.SDL_CreateWindow(
      cString(options.title),
      x,
      y,
      options.width,
      options.height,
      flags,
    );
    if (handle === null) {
      throw new WindowSurfaceUnavailableError(
        `SDL_CreateWindow failed: ${video.lastError()}`,
        "check the display's server (an X server with the default visual at depth 24)",
      );
    }
    const info = new Uint8Array(SDL_SYSWMINFO_BYTES);
    sdl.SDL_GetVersion(info); // SDL_VERSION(&info.version): the struct's layout is asked for by version
    const view = new DataView(info.buffer);
    const subsystem = sdl.SDL_GetWindowWMInfo(handle, info) === 1
      ? view.getInt32(SDL_SYSWMINFO.subsystem, true)
      : -1;
    const display = Deno.UnsafePointer.create(view.getBigUint64(SDL_SYSWMINFO.x11Display, true));
    if (subsystem !== SDL_SYSWM_X11 || display === null) {
      sdl.SDL_DestroyWindow(handle);
      throw new WindowSurfaceUnavailableError(
        `SDL's window is on '${video.driver}', not X11 (SDL_GetWindowWMInfo gave subsystem ${subsystem})`,
        Deno.build.os === "linux"
          ? "unset SDL_VIDEODRIVER or set it to x11 (under Wayland, XWayland serves X11 clients)"
          : `the video window runs on Linux with X11 only, not on ${Deno.build.os}`,
      );
    }
    const window = view.getBigUint64(SDL_SYSWMINFO.x11Window, true);
    return new SdlWindow(video, handle, { display, window }, options.width, options.height);
  }

  /** The X11 display and window, for `Deno.UnsafeWindowSurface`. */
  get x11(): X11Handles {
    return this.#x11;
  }

  /** SDL's id of the window. */
  get id(): number {
    return this.#id;
  }

  /** Width of the drawable area, as of the last event pumped. */
  get width(): number {
    return this.#width;
  }

  /** Height of the drawable area, as of the last event pumped. */
  get height(): number {
    return this.#height;
  }

  /** Whether the window manager asked the window to close (stays `true`). */
  get closeRequested(): boolean {
    return this.#closeRequested;
  }

  /** Whether the size changed since the last `takeResize()`. */
  get resizePending(): boolean {
    return this.#resized;
  }

  /** Whether `close()` ran. */
  get closed(): boolean {
    return this.#handle === null;
  }

  /** Takes every waiting SDL event of the process (never waits): see {@linkcode SdlVideo.pump}. */
  pollEvents(): void {
    if (this.#handle !== null) this.#video.pump();
  }

  /**
   * Whether the size changed since the last call: once per change (read `width` and `height`).
   *
   * @returns `true` once after each change.
   */
  takeResize(): boolean {
    const resized = this.#resized;
    this.#resized = false;
    return resized;
  }

  /** Maps the window. */
  show(): void {
    if (this.#handle !== null) this.#video.symbols.SDL_ShowWindow(this.#handle);
  }

  /** Unmaps the window; `show()` maps it again. */
  hide(): void {
    if (this.#handle !== null) this.#video.symbols.SDL_HideWindow(this.#handle);
  }

  /**
   * Asks for a new drawable size (the window manager may give another: see `takeResize()`).
   *
   * @param width Width in pixels.
   * @param height Height in pixels.
   */
  resize(width: number, height: number): void {
    if (this.#handle === null) return;
    this.#video.symbols.SDL_SetWindowSize(this.#handle, width, height);
    [this.#width, this.#height, this.#resized] = [width, height, false];
  }

  /** Destroys the window. Idempotent. Close the WebGPU surface on it first. */
  close(): void {
    if (this.#handle === null) return;
    this.#video.unwatch(this.#id);
    this.#video.symbols.SDL_DestroyWindow(this.#handle);
    this.#handle = null;
  }

  /** Same as {@linkcode SdlWindow.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
