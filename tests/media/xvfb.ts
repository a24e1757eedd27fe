/**
 * Helpers for the X11 screen-capture tests: a private Xvfb server per test and a known image shown
 * on it with `xwud`. Needs the Debian packages `xvfb` and `x11-apps`. Not a test module itself.
 *
 * @module
 */

import { listCaptureDevices } from "../../ffi/media/capture_devices.ts";

/** A running Xvfb server. */
export interface Xvfb {
  /** Its display name, e.g. `":93"`. */
  display: string;
  /** Stops the server now (the display goes away under any client). */
  kill(): Promise<void>;
}

async function waitFor(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function readDisplayNumber(stdout: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = setTimeout(() => reader.cancel(), 10_000);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  const n = Number.parseInt(text, 10);
  if (!Number.isInteger(n)) throw new Error(`Xvfb did not report a display number (got '${text}')`);
  return n;
}

function socketExists(n: number): boolean {
  try {
    Deno.statSync(`/tmp/.X11-unix/X${n}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` with a fresh Xvfb server of `width` x `height` at depth 24, then stops it.
 *
 * @param width Screen width.
 * @param height Screen height.
 * @param fn The test body.
 */
export async function withXvfb(
  width: number,
  height: number,
  fn: (x: Xvfb) => Promise<void> | void,
): Promise<void> {
  // -displayfd: Xvfb picks a free display itself and writes its number to stdout once it is
  // listening, so concurrent servers on one machine never race for a display number. -noreset:
  // otherwise the server resets when its last client (our readiness probe) disconnects, and a
  // connection made during that reset is dropped.
  const child = new Deno.Command("Xvfb", {
    args: [
      "-displayfd",
      "1",
      "-noreset",
      "-screen",
      "0",
      `${width}x${height}x24`,
      "-nolisten",
      "tcp",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let alive = true;
  const kill = async () => {
    if (!alive) return;
    alive = false;
    child.kill("SIGTERM");
    await child.status;
  };
  const n = await readDisplayNumber(child.stdout).catch(async (error) => {
    await kill();
    throw error;
  });
  try {
    await waitFor(() => socketExists(n), `Xvfb :${n}`);
    // The socket appears before the server accepts clients: wait until one can connect.
    await waitFor(() => {
      try {
        listCaptureDevices("screen", { display: `:${n}` });
        return true;
      } catch {
        return false;
      }
    }, `Xvfb :${n} to accept connections`);
    await fn({ display: `:${n}`, kill });
  } finally {
    await kill();
  }
}

/**
 * Shows an XWD image in a window at the top-left corner of `display` (there is no window manager
 * on Xvfb, so nothing decorates or moves it) until `fn` returns.
 *
 * @param display The X display.
 * @param xwdPath The image, in XWD form (`ffmpeg ... out.xwd` writes one).
 * @param fn Runs while the image is on screen.
 */
export async function withImageShown(
  display: string,
  xwdPath: string,
  fn: () => Promise<void>,
): Promise<void> {
  const child = new Deno.Command("xwud", {
    args: ["-in", xwdPath, "-geometry", "+0+0"],
    env: { DISPLAY: display },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // xwud maps its window and draws within a few ms; give it time on a busy machine.
    await new Promise((r) => setTimeout(r, 500));
    await fn();
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}
