/**
 * Listing the devices native capture can open.
 *
 * @module
 */

import { statusError } from "../native/errors.ts";
import { loadNativeLibrary } from "../native/load.ts";
import { CAPTURE_KINDS, type CaptureKind } from "./native_capture.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * One way a device delivers frames.
 *
 * @example Label a mode
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CaptureDeviceMode } from "./capture_devices.ts";
 *
 * function label(mode: CaptureDeviceMode): string {
 *   return mode.width > 0
 *     ? `${mode.width}x${mode.height} at ${mode.rate} fps (${mode.format})`
 *     : `${mode.rate} Hz (${mode.format})`;
 * }
 *
 * assert.equal(label({ width: 1280, height: 720, rate: 30, format: "YUYV" }), "1280x720 at 30 fps (YUYV)");
 * assert.equal(label({ width: 0, height: 0, rate: 48_000, format: "f32" }), "48000 Hz (f32)");
 * ```
 */
export interface CaptureDeviceMode {
  /** Frame width (video), 0 for audio. */
  width: number;
  /** Frame height (video), 0 for audio. */
  height: number;
  /** Frames per second (video) or sample rate (audio); 0 when unknown. */
  rate: number;
  /** The device's own format name (`"YUYV"`, `"420v"`, `"BGRX"`, `"f32"`). */
  format: string;
}

/**
 * A device native capture can open.
 *
 * @example Pick a device's largest mode
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CaptureDevice, listCaptureDevices } from "@streamlib/streamlib/ffi";
 *
 * function largestMode(device: CaptureDevice) {
 *   return device.modes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
 * }
 *
 * const webcam: CaptureDevice = {
 *   id: "/dev/video0",
 *   name: "USB Camera",
 *   modes: [
 *     { width: 640, height: 480, rate: 30, format: "YUYV" },
 *     { width: 1280, height: 720, rate: 30, format: "MJPG" },
 *   ],
 * };
 * assert.equal(largestMode(webcam).width, 1280);
 * // The cameras of this machine, each with its modes (none on a machine without a camera):
 * const cameras: CaptureDevice[] = listCaptureDevices("camera");
 * assert.ok(cameras.every((camera) => typeof camera.id === "string"));
 * ```
 */
export interface CaptureDevice {
  /** What to pass as `device` to `NativeCapture.open`. */
  id: string;
  /** A human-readable name. */
  name: string;
  /** What it offers. */
  modes: CaptureDeviceMode[];
}

/**
 * Options of {@linkcode listCaptureDevices}.
 *
 * @example List with an explicit library
 * ```ts
 * import assert from "node:assert/strict";
 * import { listCaptureDevices, loadNativeLibrary } from "@streamlib/streamlib/ffi";
 * import { type ListCaptureDevicesOptions } from "./capture_devices.ts";
 *
 * // `display` is only read for screens (X11 on Linux); cameras ignore it.
 * const options: ListCaptureDevicesOptions = { display: ":0", library: loadNativeLibrary() };
 * assert.ok(Array.isArray(listCaptureDevices("camera", options)));
 * ```
 */
export interface ListCaptureDevicesOptions {
  /** For screens: the X11 display to ask (default `$DISPLAY`). */
  display?: string;
  /** The library to use; {@linkcode loadNativeLibrary}'s default otherwise. */
  library?: NativeLibrary;
}

/**
 * The cameras, microphones or screens this machine offers.
 *
 * @param kind Which devices.
 * @param options The X display for screens, the library.
 * @returns The devices (possibly none).
 * @throws {UnsupportedError} For a kind this OS cannot capture (microphones off macOS, screens
 *   off Linux).
 * @throws {DeviceNotFoundError} For screens when no X display can be reached.
 *
 * @example List the cameras (an empty list on a machine without any)
 * ```ts
 * import assert from "node:assert/strict";
 * import { listCaptureDevices } from "@streamlib/streamlib/ffi";
 *
 * assert.ok(Array.isArray(listCaptureDevices("camera")));
 * ```
 */
export function listCaptureDevices(
  kind: CaptureKind,
  options: ListCaptureDevicesOptions = {},
): CaptureDevice[] {
  const lib = options.library ?? loadNativeLibrary();
  const display = new TextEncoder().encode(options.display ?? "");
  let buffer = new Uint8Array(4096);
  for (;;) {
    const n = lib.symbols.sl_capture_list_devices(
      CAPTURE_KINDS.indexOf(kind),
      display,
      display.length,
      buffer,
      buffer.length,
    );
    if (n < 0) throw statusError(lib, n, `list ${kind} devices`);
    if (n <= buffer.length) return JSON.parse(new TextDecoder().decode(buffer.subarray(0, n)));
    buffer = new Uint8Array(n);
  }
}
