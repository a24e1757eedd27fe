/**
 * Typed errors of the FFI layer. Each names what was wrong and what would be valid.
 *
 * @module
 */

import {
  SL_ERR_BUFFER_TOO_SMALL,
  SL_ERR_CODEC,
  SL_ERR_DEVICE,
  SL_ERR_DEVICE_NOT_FOUND,
  SL_ERR_INVALID_HANDLE,
  SL_ERR_OUT_OF_MEMORY,
  SL_ERR_PERMISSION_DENIED,
  SL_ERR_POOL_EXHAUSTED,
  SL_ERR_UNSUPPORTED,
  SL_ERR_WRONG_ENDPOINT,
  STATUS_NAMES,
} from "./status.ts";
import type { NativeLibrary } from "./symbols.ts";

/** A failure reported by the native library, with its status code. */
export class NativeError extends Error {
  /** The native status code (negative). */
  readonly code: number;
  /** What was being done, e.g. `"ring push"`. */
  readonly operation: string;

  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param code The native status code.
   * @param detail The native library's message.
   */
  constructor(operation: string, code: number, detail: string) {
    super(`Cannot ${operation}: ${detail || (STATUS_NAMES[code] ?? `status ${code}`)}`);
    this.name = "NativeError";
    this.code = code;
    this.operation = operation;
  }
}

/** A handle that is closed, freed, stale or was never issued. */
export class InvalidHandleError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail What was wrong with the handle.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_INVALID_HANDLE, detail);
    this.name = "InvalidHandleError";
  }
}

/** An endpoint used for the other side's operation (a push on a consumer, ...). */
export class WrongEndpointError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_WRONG_ENDPOINT, detail);
    this.name = "WrongEndpointError";
  }
}

/** Every slot of a frame pool is in use. */
export class PoolExhaustedError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_POOL_EXHAUSTED, detail);
    this.name = "PoolExhaustedError";
  }
}

/** The native allocation was refused. */
export class NativeOutOfMemoryError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_OUT_OF_MEMORY, detail);
    this.name = "NativeOutOfMemoryError";
  }
}

/** A caller's buffer was too small for a native result; nothing was lost, retry with `needed`. */
export class BufferTooSmallError extends NativeError {
  /** Bytes the result needs (parsed from the native message; `NaN` if it had none). */
  readonly needed: number;

  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message (`... it needs N bytes ...`).
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_BUFFER_TOO_SMALL, detail);
    this.name = "BufferTooSmallError";
    this.needed = Number(/needs (\d+) bytes/.exec(detail)?.[1] ?? NaN);
  }
}

/** A feature this OS, build or machine does not have (VideoToolbox off macOS, ...). */
export class UnsupportedError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message, naming the feature and what would work instead.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_UNSUPPORTED, detail);
    this.name = "UnsupportedError";
  }
}

/** No camera, microphone or display of the requested name. */
export class DeviceNotFoundError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message, naming the device asked for.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_DEVICE_NOT_FOUND, detail);
    this.name = "DeviceNotFoundError";
  }
}

/** The OS or the user refused access to a camera, microphone or device file. */
export class PermissionDeniedError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The native message, with how to grant access.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_PERMISSION_DENIED, detail);
    this.name = "PermissionDeniedError";
  }
}

/** The codec library refused the input (a corrupt stream, no keyframe yet) or failed. */
export class CodecError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail The library's report.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_CODEC, detail);
    this.name = "CodecError";
  }
}

/** An open device failed: busy, unplugged, or its display went away. */
export class DeviceError extends NativeError {
  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param detail What the OS or the device reported.
   */
  constructor(operation: string, detail: string) {
    super(operation, SL_ERR_DEVICE, detail);
    this.name = "DeviceError";
  }
}

/** An argument outside its valid range; names the argument, the value and what is valid. */
export class InvalidArgumentError extends RangeError {
  /** The argument's name. */
  readonly argument: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What would be valid, in words. */
  readonly valid: string;

  /**
   * Creates the error.
   *
   * @param operation What was being done.
   * @param argument The argument's name.
   * @param value The offending value.
   * @param valid What would be valid.
   */
  constructor(operation: string, argument: string, value: unknown, valid: string) {
    super(`Cannot ${operation}: ${argument} ${String(value)} is invalid, expected ${valid}`);
    this.name = "InvalidArgumentError";
    this.argument = argument;
    this.value = value;
    this.valid = valid;
  }
}

/** The native library file was not found where the loader looked. */
export class NativeLibraryNotFoundError extends Error {
  /** Paths that were tried, in order. */
  readonly tried: readonly string[];

  /**
   * Creates the error.
   *
   * @param tried Paths that were tried.
   */
  constructor(tried: readonly string[]) {
    super(
      `Cannot load the streamlib native library: not found at ${
        tried.join(", ")
      }; build it with 'deno task build:native' or set STREAMLIB_NATIVE_LIB`,
    );
    this.name = "NativeLibraryNotFoundError";
    this.tried = tried;
  }
}

/** The native library reports an ABI version other than the one this code was written for. */
export class AbiMismatchError extends Error {
  /** The library file. */
  readonly path: string;
  /** The ABI version this code expects. */
  readonly expected: number;
  /** The ABI version the library reports (`undefined` if it has no version symbol). */
  readonly found: number | undefined;

  /**
   * Creates the error.
   *
   * @param path The library file.
   * @param expected The expected ABI version.
   * @param found The version the library reports.
   */
  constructor(path: string, expected: number, found: number | undefined) {
    super(
      `Cannot use the native library at ${path}: it has ABI version ${
        found ?? "(none)"
      }, this streamlib needs ABI version ${expected}; rebuild it with 'deno task build:native'`,
    );
    this.name = "AbiMismatchError";
    this.path = path;
    this.expected = expected;
    this.found = found;
  }
}

const messageBuffer = new Uint8Array(1024);
const decoder = new TextDecoder();

/**
 * Reads the calling thread's last native error message.
 *
 * @param lib The opened library.
 * @returns The message, or `""` when there is none.
 */
export function lastNativeError(lib: NativeLibrary): string {
  const length = lib.symbols.sl_last_error(messageBuffer, messageBuffer.length);
  return decoder.decode(messageBuffer.subarray(0, Math.min(length, messageBuffer.length)));
}

/**
 * Turns a negative native status into the matching typed error.
 *
 * @param lib The opened library, to read the last error message.
 * @param status The negative status code.
 * @param operation What was being done, e.g. `"create a ring"`.
 * @returns The typed error (not thrown).
 */
export function statusError(lib: NativeLibrary, status: number, operation: string): Error {
  const detail = lastNativeError(lib);
  switch (status) {
    case SL_ERR_INVALID_HANDLE:
      return new InvalidHandleError(operation, detail);
    case SL_ERR_WRONG_ENDPOINT:
      return new WrongEndpointError(operation, detail);
    case SL_ERR_POOL_EXHAUSTED:
      return new PoolExhaustedError(operation, detail);
    case SL_ERR_OUT_OF_MEMORY:
      return new NativeOutOfMemoryError(operation, detail);
    case SL_ERR_BUFFER_TOO_SMALL:
      return new BufferTooSmallError(operation, detail);
    case SL_ERR_UNSUPPORTED:
      return new UnsupportedError(operation, detail);
    case SL_ERR_DEVICE_NOT_FOUND:
      return new DeviceNotFoundError(operation, detail);
    case SL_ERR_PERMISSION_DENIED:
      return new PermissionDeniedError(operation, detail);
    case SL_ERR_CODEC:
      return new CodecError(operation, detail);
    case SL_ERR_DEVICE:
      return new DeviceError(operation, detail);
    default:
      return new NativeError(operation, status, detail);
  }
}
