/**
 * The typed error of audio out: an output device that cannot be opened or goes away.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../../core/errors/codes.ts";
import {
  SL_ERR_DEVICE_NOT_FOUND,
  SL_ERR_PERMISSION_DENIED,
  SL_ERR_UNSUPPORTED,
} from "../native/status.ts";

/** Why a speaker has no device. */
export type SpeakerDeviceReason =
  | "not_found"
  | "permission_denied"
  | "unsupported"
  | "failed"
  | "vanished";

function reasonOf(status: number, whilePlaying: boolean): SpeakerDeviceReason {
  if (whilePlaying) return "vanished";
  switch (status) {
    case SL_ERR_DEVICE_NOT_FOUND:
      return "not_found";
    case SL_ERR_PERMISSION_DENIED:
      return "permission_denied";
    case SL_ERR_UNSUPPORTED:
      return "unsupported";
    default:
      return "failed";
  }
}

/**
 * An audio output device that cannot be opened (none, no such ID, refused, no playable format,
 * busy, or it did not open within 5 s), or that failed while playing (unplugged, its sound
 * server gone). The native error is the `cause`.
 *
 * @example What it names
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceNotFoundError, SpeakerDeviceError } from "@streamlib/streamlib/ffi";
 *
 * const cause = new DeviceNotFoundError("open the audio output", "No such audio output: 'alsa:hw:9,0'");
 * const error = new SpeakerDeviceError("alsa:hw:9,0", cause, false);
 * assert.equal(error.code, "speaker_device_unavailable");
 * assert.equal(error.reason, "not_found");
 * assert.equal(
 *   error.message,
 *   "Cannot play to the audio output 'alsa:hw:9,0': Cannot open the audio output: No such audio output: 'alsa:hw:9,0'",
 * );
 * ```
 */
export class SpeakerDeviceError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "speaker_device_unavailable";
  /** The device asked for; empty for the default output. */
  readonly device: string;
  /** Why: not there, refused, no playable format, failed to open, or went away while playing. */
  readonly reason: SpeakerDeviceReason;

  /** The device and the reason. */
  get details(): ErrorDetails {
    return { device: this.device, reason: this.reason };
  }

  /**
   * Wraps the native error.
   *
   * @param device The device asked for (empty: the default output).
   * @param cause The native error (its `code` is the native status).
   * @param whilePlaying Whether the device was playing when it failed.
   */
  constructor(device: string, cause: Error, whilePlaying: boolean) {
    super(
      `Cannot play to the audio output ${
        device ? `'${device}'` : "(the default)"
      }: ${cause.message}`,
      { cause },
    );
    this.name = "SpeakerDeviceError";
    this.device = device;
    const status = (cause as { code?: unknown }).code;
    this.reason = reasonOf(typeof status === "number" ? status : 0, whilePlaying);
  }
}
