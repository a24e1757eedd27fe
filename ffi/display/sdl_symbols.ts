/**
 * The part of SDL2's C API the video window uses (`libSDL2-2.0.so.0`, Debian's `libsdl2-2.0-0`),
 * as a `Deno.dlopen` symbol table, and the constants and struct offsets of the SDL 2 ABI it reads.
 * Each parameter is commented with its C type.
 *
 * @module
 */

/** The symbols, each as SDL 2 declares it (`SDL.h`, `SDL_video.h`, `SDL_events.h`, `SDL_syswm.h`). */
export const sdlSymbols = {
  /** `SDL_bool SDL_SetHint(const char *name, const char *value)` */
  SDL_SetHint: { parameters: ["buffer", "buffer"], result: "i32" },
  /** `int SDL_InitSubSystem(Uint32 flags)` */
  SDL_InitSubSystem: { parameters: ["u32"], result: "i32" },
  /** `void SDL_QuitSubSystem(Uint32 flags)` */
  SDL_QuitSubSystem: { parameters: ["u32"], result: "void" },
  /** `const char *SDL_GetError(void)` */
  SDL_GetError: { parameters: [], result: "pointer" },
  /** `void SDL_GetVersion(SDL_version *ver)` */
  SDL_GetVersion: { parameters: ["buffer"], result: "void" },
  /** `const char *SDL_GetCurrentVideoDriver(void)` */
  SDL_GetCurrentVideoDriver: { parameters: [], result: "pointer" },
  /** `SDL_Window *SDL_CreateWindow(const char *title, int x, int y, int w, int h, Uint32 flags)` */
  SDL_CreateWindow: {
    parameters: ["buffer", "i32", "i32", "i32", "i32", "u32"],
    result: "pointer",
  },
  /** `void SDL_DestroyWindow(SDL_Window *window)` */
  SDL_DestroyWindow: { parameters: ["pointer"], result: "void" },
  /** `Uint32 SDL_GetWindowID(SDL_Window *window)` */
  SDL_GetWindowID: { parameters: ["pointer"], result: "u32" },
  /** `SDL_bool SDL_GetWindowWMInfo(SDL_Window *window, SDL_SysWMinfo *info)` */
  SDL_GetWindowWMInfo: { parameters: ["pointer", "buffer"], result: "i32" },
  /** `void SDL_ShowWindow(SDL_Window *window)` */
  SDL_ShowWindow: { parameters: ["pointer"], result: "void" },
  /** `void SDL_HideWindow(SDL_Window *window)` */
  SDL_HideWindow: { parameters: ["pointer"], result: "void" },
  /** `void SDL_SetWindowSize(SDL_Window *window, int w, int h)` */
  SDL_SetWindowSize: { parameters: ["pointer", "i32", "i32"], result: "void" },
  /** `int SDL_PollEvent(SDL_Event *event)` */
  SDL_PollEvent: { parameters: ["buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library. */
export type SdlLibrary = Deno.DynamicLibrary<typeof sdlSymbols>;

/** `SDL_INIT_VIDEO`: the video subsystem (and with it the event subsystem). */
export const SDL_INIT_VIDEO = 0x20;
/** `SDL_WINDOW_HIDDEN`. */
export const SDL_WINDOW_HIDDEN = 0x8;
/** `SDL_WINDOW_RESIZABLE`. */
export const SDL_WINDOW_RESIZABLE = 0x20;
/** `SDL_WINDOWPOS_UNDEFINED`: let the window manager place the window. */
export const SDL_WINDOWPOS_UNDEFINED = 0x1fff0000;
/** `SDL_QUIT`: the application is asked to quit (the last window closed). */
export const SDL_QUIT = 0x100;
/** `SDL_WINDOWEVENT`: something happened to one window. */
export const SDL_WINDOWEVENT = 0x200;
/** `SDL_WINDOWEVENT_SIZE_CHANGED`: the window's size changed, by the user or the program. */
export const SDL_WINDOWEVENT_SIZE_CHANGED = 6;
/** `SDL_WINDOWEVENT_CLOSE`: the window manager asks the window to close. */
export const SDL_WINDOWEVENT_CLOSE = 14;
/** `SDL_SYSWM_X11` in `SDL_SysWMinfo.subsystem`. */
export const SDL_SYSWM_X11 = 2;
/** `SDL_SYSWM_WAYLAND` in `SDL_SysWMinfo.subsystem`. */
export const SDL_SYSWM_WAYLAND = 6;

/** Bytes of an `SDL_Event` (a 56-byte union), rounded up. */
export const SDL_EVENT_BYTES = 64;
/**
 * Bytes of an `SDL_SysWMinfo`: the version (3 bytes), the subsystem (`int` at 4) and a union of
 * at least 64 bytes at 8; rounded up.
 */
export const SDL_SYSWMINFO_BYTES = 128;

/** Offsets into an `SDL_Event` (x86-64 and aarch64 alike: every field is 32-bit). */
export const SDL_EVENT = {
  /** `Uint32 type`. */
  type: 0,
  /** `SDL_WindowEvent.windowID` (`Uint32`). */
  windowId: 8,
  /** `SDL_WindowEvent.event` (`Uint8`). */
  windowEvent: 12,
  /** `SDL_WindowEvent.data1` (`Sint32`): the new width on a size change. */
  data1: 16,
  /** `SDL_WindowEvent.data2` (`Sint32`): the new height on a size change. */
  data2: 20,
} as const;

/** Offsets into an `SDL_SysWMinfo` on a 64-bit OS. */
export const SDL_SYSWMINFO = {
  /** `SDL_SYSWM_TYPE subsystem` (`int`). */
  subsystem: 4,
  /** `info.x11.display` (`Display *`). */
  x11Display: 8,
  /** `info.x11.window` (`Window`, an `unsigned long`). */
  x11Window: 16,
} as const;
