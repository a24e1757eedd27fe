/**
 * The errors of application inputs and outputs: a name the graph does not have, a frame that
 * does not fit its input, a send after the end.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";

/**
 * Thrown by `rt.input(name)` and `rt.output(name)` when the graph has no application input or
 * output of that name.
 *
 * @example The valid names are listed
 * ```ts
 * import assert from "node:assert/strict";
 * import { AppPortNotFoundError } from "./errors.ts";
 *
 * const error = new AppPortNotFoundError("input", "audo", ["audio"]);
 * assert.equal(error.code, "app_port_not_found");
 * assert.equal(error.message, "No application input 'audo': available inputs: audio");
 * assert.deepEqual(error.details, { direction: "input", name: "audo", available: ["audio"] });
 * ```
 */
export class AppPortNotFoundError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "app_port_not_found";
  /** Which side was asked for. */
  readonly direction: "input" | "output";
  /** The name asked for. */
  readonly appPort: string;
  /** The names the graph has on that side. */
  readonly available: readonly string[];
  /** The offending name and the valid ones. */
  get details(): ErrorDetails {
    return { direction: this.direction, name: this.appPort, available: [...this.available] };
  }

  /**
   * Names what was asked for and what exists.
   *
   * @param direction `input` or `output`.
   * @param name The name asked for.
   * @param available The names on that side.
   */
  constructor(direction: "input" | "output", name: string, available: readonly string[]) {
    const list = available.length === 0 ? "(none)" : available.join(", ");
    super(`No application ${direction} '${name.slice(0, 80)}': available ${direction}s: ${list}`);
    this.name = "AppPortNotFoundError";
    this.direction = direction;
    this.appPort = name;
    this.available = available;
  }
}

/**
 * Thrown by `AppInput.send()` when a frame does not fit the input: the wrong kind, a shape that
 * no frame can have (a channel count other than the port's, a sample array of the wrong length),
 * or a frame over the input's `maxFrameBytes`. Nothing is queued.
 *
 * @example An audio input refuses a video frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { AppFrameError } from "./errors.ts";
 *
 * const error = new AppFrameError("audio", "kind", "video", "'audio' (port type AudioFrame<2>)");
 * assert.equal(error.code, "app_frame_mismatch");
 * assert.equal(
 *   error.message,
 *   "Cannot send to application input 'audio': kind must be 'audio' (port type AudioFrame<2>), got video",
 * );
 * ```
 */
export class AppFrameError extends TypeError {
  /** Stable machine code: `app_frame_mismatch`, or `frame_too_large` for a frame over the limit. */
  readonly code: ErrorCode;
  /** The application input. */
  readonly appPort: string;
  /** The offending field of the frame. */
  readonly field: string;
  /** Its value, as text. */
  readonly value: string;
  /** What the field takes. */
  readonly expected: string;
  /** The input, the field, its value and what it takes. */
  get details(): ErrorDetails {
    const { appPort, field, value, expected } = this;
    return { name: appPort, field, value, expected };
  }

  /**
   * Names the field that does not fit.
   *
   * @param name The application input.
   * @param field The offending field.
   * @param value Its value, as text.
   * @param expected What it takes, in words.
   * @param code `app_frame_mismatch` (default) or `frame_too_large`.
   */
  constructor(
    name: string,
    field: string,
    value: string,
    expected: string,
    code: "app_frame_mismatch" | "frame_too_large" = "app_frame_mismatch",
  ) {
    super(
      `Cannot send to application input '${name}': ${field} must be ${expected}, got ${
        value.slice(0, 80)
      }`,
    );
    this.name = "AppFrameError";
    this.code = code;
    this.appPort = name;
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * Thrown by `AppInput.send()` after `end()`, or once the graph stopped (a send that was waiting
 * for room is refused with it too).
 *
 * @example A send after the end
 * ```ts
 * import assert from "node:assert/strict";
 * import { AppPortEndedError } from "./errors.ts";
 *
 * const error = new AppPortEndedError("audio", "end() was called");
 * assert.equal(error.code, "app_port_ended");
 * assert.equal(error.message, "Cannot send to application input 'audio': end() was called");
 * ```
 */
export class AppPortEndedError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "app_port_ended";
  /** The application input. */
  readonly appPort: string;
  /** The input's name. */
  get details(): ErrorDetails {
    return { name: this.appPort };
  }

  /**
   * Names the input and why it takes no more frames.
   *
   * @param name The application input.
   * @param reason Why (`end() was called`, `the graph stopped`).
   */
  constructor(name: string, reason: string) {
    super(`Cannot send to application input '${name}': ${reason}`);
    this.name = "AppPortEndedError";
    this.appPort = name;
  }
}

/**
 * Thrown by `rt.addInput()` and `rt.addOutput()` when a name is malformed or already used on
 * that side.
 *
 * @example A name with a space
 * ```ts
 * import assert from "node:assert/strict";
 * import { AppPortNameError } from "./errors.ts";
 *
 * const error = new AppPortNameError("input", "a b", "a name is a letter or '_' then [A-Za-z0-9_-]");
 * assert.equal(error.code, "invalid_app_port");
 * assert.equal(error.message, "Cannot add application input 'a b': a name is a letter or '_' then [A-Za-z0-9_-]");
 * ```
 */
export class AppPortNameError extends TypeError {
  /** Stable machine code. */
  readonly code: ErrorCode = "invalid_app_port";
  /** Which side. */
  readonly direction: "input" | "output";
  /** The name given. */
  readonly appPort: string;
  /** The side and the name. */
  get details(): ErrorDetails {
    return { direction: this.direction, name: this.appPort };
  }

  /**
   * Names the side, the name and what is wrong.
   *
   * @param direction `input` or `output`.
   * @param name The name given.
   * @param reason What is wrong with it.
   */
  constructor(direction: "input" | "output", name: string, reason: string) {
    super(`Cannot add application ${direction} '${name.slice(0, 80)}': ${reason}`);
    this.name = "AppPortNameError";
    this.direction = direction;
    this.appPort = name;
  }
}
