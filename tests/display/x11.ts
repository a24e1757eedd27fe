/**
 * What the video window tests do to an X11 window from outside, as a user or a window manager
 * would: find it by title (`xwininfo`, Debian `x11-utils`), take a screenshot of it (`xwd` from
 * `x11-apps`, decoded by `ffmpeg`), ask it to close (the `WM_DELETE_WINDOW` message a window
 * manager sends for the close button) and resize it, both through libX11. Not a test module.
 *
 * @module
 */

import { run } from "../media/media_tools.ts";

/** A window found on a display. */
export interface FoundWindow {
  /** Its X id. */
  id: bigint;
  /** Its size. */
  width: number;
  height: number;
}

/**
 * The window titled `title` on `display`, once it is mapped.
 *
 * @param display The X display (`":93"`).
 * @param title The window's title.
 * @returns Its id and size, or `undefined` while there is none.
 */
export async function findWindow(display: string, title: string): Promise<FoundWindow | undefined> {
  const output = await new Deno.Command("xwininfo", {
    args: ["-display", display, "-name", title],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      "'xwininfo' is not installed; this test needs it: run 'bash scripts/install_test_deps.sh' (Debian: x11-utils)",
    );
  });
  if (output.code !== 0) return undefined;
  const text = new TextDecoder().decode(output.stdout);
  const id = text.match(/Window id: (0x[0-9a-f]+)/)?.[1];
  const width = Number(text.match(/Width: (\d+)/)?.[1]);
  const height = Number(text.match(/Height: (\d+)/)?.[1]);
  if (!id || !/Map State: IsViewable/.test(text)) return undefined;
  return { id: BigInt(id), width, height };
}

/**
 * The window's pixels as RGBA (alpha 255), by `xwd -id` and `ffmpeg`.
 *
 * @param display The X display.
 * @param window The window.
 * @param dir A scratch folder.
 * @returns The pixels, `width * height * 4` bytes.
 */
export async function screenshot(
  display: string,
  window: FoundWindow,
  dir: string,
): Promise<Uint8Array> {
  const path = `${dir}/shot-${window.id}.xwd`;
  await run("xwd", [
    "-display",
    display,
    "-id",
    `0x${window.id.toString(16)}`,
    "-silent",
    "-out",
    path,
  ]);
  const { stdout } = await run("ffmpeg", [
    ...["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", "-"],
  ]);
  await Deno.remove(path);
  for (let i = 3; i < stdout.length; i += 4) stdout[i] = 255;
  return stdout;
}

const libX11 = {
  XOpenDisplay: { parameters: ["buffer"], result: "pointer" },
  XCloseDisplay: { parameters: ["pointer"], result: "i32" },
  XInternAtom: { parameters: ["pointer", "buffer", "i32"], result: "u64" },
  XSendEvent: { parameters: ["pointer", "u64", "i32", "i64", "buffer"], result: "i32" },
  XResizeWindow: { parameters: ["pointer", "u64", "u32", "u32"], result: "i32" },
  XFlush: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

function withX11<T>(
  display: string,
  fn: (x: Deno.DynamicLibrary<typeof libX11>["symbols"], d: Deno.PointerObject) => T,
): T {
  const lib = Deno.dlopen("libX11.so.6", libX11);
  try {
    const d = lib.symbols.XOpenDisplay(new TextEncoder().encode(`${display}\0`));
    if (d === null) throw new Error(`XOpenDisplay(${display}) failed`);
    try {
      const result = fn(lib.symbols, d);
      lib.symbols.XFlush(d);
      return result;
    } finally {
      lib.symbols.XCloseDisplay(d);
    }
  } finally {
    lib.close();
  }
}

/**
 * Sends the window `WM_PROTOCOLS` / `WM_DELETE_WINDOW`: what a window manager sends when its close
 * button is pressed.
 *
 * @param display The X display.
 * @param window The window's id.
 */
export function closeWindow(display: string, window: bigint): void {
  withX11(display, (x, d) => {
    const atom = (name: string) => x.XInternAtom(d, new TextEncoder().encode(`${name}\0`), 0);
    // XClientMessageEvent (x86-64): type, serial, send_event, display, window, message_type,
    // format, data.l[5]; the XEvent union is 192 bytes.
    const event = new Uint8Array(192);
    const view = new DataView(event.buffer);
    view.setInt32(0, 33, true); // ClientMessage
    view.setBigUint64(32, window, true);
    view.setBigUint64(40, BigInt(atom("WM_PROTOCOLS")), true);
    view.setInt32(48, 32, true);
    view.setBigUint64(56, BigInt(atom("WM_DELETE_WINDOW")), true);
    if (x.XSendEvent(d, window, 0, 0n, event) === 0) throw new Error("XSendEvent failed");
  });
}

/**
 * Resizes the window, as a user dragging its border would.
 *
 * @param display The X display.
 * @param window The window's id.
 * @param width The new width.
 * @param height The new height.
 */
export function resizeWindow(display: string, window: bigint, width: number, height: number): void {
  withX11(display, (x, d) => void x.XResizeWindow(d, window, width, height));
}
