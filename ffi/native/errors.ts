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

/**
 * A failure reported by the native library, with its status code.
 *
 * @example Catch any native failure and read its status code
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, NativeError } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * const slot = pool.acquire();
 * pool.release(slot);
 * assert.throws(
 *   () => pool.release(slot), // already free
 *   (error) => {
 *     assert.ok(error instanceof NativeError);
 *     assert.equal(error.name, "InvalidHandleError");
 *     assert.equal(error.code, -2);
 *     assert.ok(error.operation.startsWith("release frame pool slot"));
 *     return true;
 *   },
 * );
 * ```
 */
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

/**
 * A handle that is closed, freed, stale or was never issued.
 *
 * @example Use a pool after closing it
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, InvalidHandleError } from "@streamlib/streamlib/ffi";
 *
 * const pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * pool.close();
 * try {
 *   pool.acquire();
 * } catch (error) {
 *   if (!(error instanceof InvalidHandleError)) throw error;
 *   assert.equal(error.message, "Cannot acquire a frame pool slot: this frame pool is closed");
 * }
 * ```
 */
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

/**
 * An endpoint used for the other side's operation (a push on a consumer, ...).
 *
 * @example Push through a consumer's handle
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameMessageBatch } from "../../core/frames/message.ts";
 * import { createNativeRing, NativeRingProducer, WrongEndpointError } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 2 });
 * // A consumer posted to another isolate with the wrong label, adopted there as a producer:
 * using mislabelled = NativeRingProducer.adopt({ ...consumer.transfer(), kind: "producer" });
 * try {
 *   mislabelled.push(new FrameMessageBatch(1));
 * } catch (error) {
 *   assert.ok(error instanceof WrongEndpointError);
 * }
 * producer.close();
 * ```
 */
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

/**
 * Every slot of a frame pool is in use.
 *
 * @example Acquire more slots than the pool has
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, PoolExhaustedError } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 1 });
 * const slot = pool.acquire();
 * try {
 *   pool.acquire();
 * } catch (error) {
 *   assert.ok(error instanceof PoolExhaustedError);
 * }
 * assert.equal(pool.tryAcquire(), undefined); // the hot-path variant does not throw
 * pool.release(slot);
 * ```
 */
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

/**
 * The native allocation was refused.
 *
 * @example Fall back to a smaller pool when memory is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, NativeError, NativeOutOfMemoryError } from "@streamlib/streamlib/ffi";
 *
 * function createPool(slotBytes: number, slotCount: number): FramePool {
 *   try {
 *     return FramePool.create({ slotBytes, slotCount });
 *   } catch (error) {
 *     if (!(error instanceof NativeOutOfMemoryError) || slotCount === 1) throw error;
 *     return createPool(slotBytes, Math.ceil(slotCount / 2));
 *   }
 * }
 *
 * using pool = createPool(4096, 8);
 * assert.equal(pool.slotCount, 8);
 * const refused = new NativeOutOfMemoryError("create a frame pool", "the OS refused 64 GiB");
 * assert.ok(refused instanceof NativeError);
 * assert.equal(refused.code, -4);
 * ```
 */
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

/**
 * A caller's buffer was too small for a native result; nothing was lost, retry with `needed`.
 *
 * @example Retry with the size the error names
 * ```ts
 * import assert from "node:assert/strict";
 * import { BufferTooSmallError, H264Encoder } from "@streamlib/streamlib/ffi";
 *
 * using encoder = H264Encoder.create({ width: 64, height: 48, backend: "openh264" });
 * const frame = { format: "I420" as const, data: new Uint8Array(64 * 48 * 3 / 2), timestampNs: 0 };
 * let unit: Uint8Array;
 * try {
 *   const out = new Uint8Array(16); // too small for a keyframe
 *   unit = out.subarray(0, encoder.encode(frame, out));
 * } catch (error) {
 *   if (!(error instanceof BufferTooSmallError)) throw error;
 *   const out = new Uint8Array(error.needed);
 *   unit = out.subarray(0, encoder.readPending(out));
 * }
 * assert.ok(unit.length > 16);
 * assert.deepEqual(unit.subarray(0, 4), new Uint8Array([0, 0, 0, 1]));
 * ```
 */
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

/**
 * A feature this OS, build or machine does not have (VideoToolbox off macOS, ...).
 *
 * @example List microphones where the OS has them
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CaptureDevice, listCaptureDevices, UnsupportedError } from "@streamlib/streamlib/ffi";
 *
 * let microphones: CaptureDevice[] = [];
 * try {
 *   microphones = listCaptureDevices("microphone");
 * } catch (error) {
 *   if (!(error instanceof UnsupportedError)) throw error;
 *   // Off macOS: microphones are captured with AVFoundation only.
 *   assert.equal(error.code, -9);
 *   assert.ok(Deno.build.os !== "darwin");
 * }
 * assert.ok(Array.isArray(microphones));
 * ```
 */
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

/**
 * No camera, microphone or display of the requested name.
 *
 * @example Open a camera that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceNotFoundError, FramePool, NativeCapture } from "@streamlib/streamlib/ffi";
 *
 * using pool = FramePool.create({ slotBytes: 1024, slotCount: 2 });
 * try {
 *   NativeCapture.open({ kind: "camera", device: "/dev/video99", pool }).close();
 * } catch (error) {
 *   assert.ok(error instanceof DeviceNotFoundError);
 * }
 * ```
 */
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

/**
 * The OS or the user refused access to a camera, microphone or device file.
 *
 * @example Tell the user how to grant access
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativeError, PermissionDeniedError } from "@streamlib/streamlib/ffi";
 *
 * function explain(error: unknown): string {
 *   return error instanceof PermissionDeniedError
 *     ? `Allow camera access in the system settings, then retry. (${error.message})`
 *     : String(error);
 * }
 *
 * const denied = new PermissionDeniedError("open camera capture", "camera access was denied");
 * assert.ok(denied instanceof NativeError);
 * assert.equal(denied.code, -11);
 * assert.equal(
 *   explain(denied),
 *   "Allow camera access in the system settings, then retry. (Cannot open camera capture: camera access was denied)",
 * );
 * ```
 */
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

/**
 * The codec library refused the input (a corrupt stream, no keyframe yet) or failed.
 *
 * @example Decode bytes that are not H.264
 * ```ts
 * import assert from "node:assert/strict";
 * import { CodecError, H264Decoder } from "@streamlib/streamlib/ffi";
 *
 * using decoder = H264Decoder.create();
 * assert.throws(
 *   () => decoder.decode(new Uint8Array(64).fill(0xff), 0),
 *   (error) => {
 *     assert.ok(error instanceof CodecError);
 *     assert.equal(error.code, -12);
 *     assert.equal(error.operation, "decode H.264");
 *     return true;
 *   },
 * );
 * ```
 */
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

/**
 * An open device failed: busy, unplugged, or its display went away.
 *
 * @example Tell a failed device from a missing one
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeviceError, DeviceNotFoundError, NativeError } from "@streamlib/streamlib/ffi";
 *
 * function advice(error: NativeError): string {
 *   if (error instanceof DeviceNotFoundError) return "pick another device";
 *   if (error instanceof DeviceError) return "close the other program using it, or plug it back in";
 *   return error.message;
 * }
 *
 * const busy = new DeviceError("open camera capture", "/dev/video0 is busy");
 * assert.equal(busy.code, -13);
 * assert.equal(advice(busy), "close the other program using it, or plug it back in");
 * ```
 */
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

/**
 * An argument outside its valid range; names the argument, the value and what is valid.
 *
 * @example Read which argument was wrong and what is valid
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, InvalidArgumentError } from "@streamlib/streamlib/ffi";
 *
 * assert.throws(
 *   () => FramePool.create({ slotBytes: 0, slotCount: 4 }),
 *   (error) => {
 *     assert.ok(error instanceof InvalidArgumentError);
 *     assert.ok(error instanceof RangeError);
 *     assert.equal(error.argument, "slotBytes");
 *     assert.equal(error.value, 0);
 *     assert.equal(error.valid, "an integer from 1 to 268435456");
 *     return true;
 *   },
 * );
 * ```
 */
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

/**
 * The native library file was not found where the loader looked.
 *
 * @example Point the loader at a missing file
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeLibrary, NativeLibraryNotFoundError } from "@streamlib/streamlib/ffi";
 *
 * try {
 *   loadNativeLibrary({ path: "/nonexistent/libstreamlib_native.so" });
 * } catch (error) {
 *   if (!(error instanceof NativeLibraryNotFoundError)) throw error;
 *   assert.deepEqual(error.tried, [ "/nonexistent/libstreamlib_native.so" ]);
 * }
 * ```
 */
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

/**
 * The native library reports an ABI version other than the one this code was written for.
 *
 * @example Report a library built for another ABI
 * ```ts
 * import assert from "node:assert/strict";
 * import { AbiMismatchError } from "@streamlib/streamlib/ffi";
 * import { ABI_VERSION } from "./symbols.ts";
 *
 * // What loadNativeLibrary() throws for a library left over from an older build:
 * const error = new AbiMismatchError("/opt/old/libstreamlib_native.so", ABI_VERSION, 2);
 * assert.equal(error.found, 2);
 * assert.equal(error.expected, ABI_VERSION);
 * assert.ok(error.message.endsWith("rebuild it with 'deno task build:native'"));
 * ```
 */
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
 *
 * @example Read why a raw native call failed
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeLibrary } from "@streamlib/streamlib/ffi";
 * import { lastNativeError } from "./errors.ts";
 *
 * const lib = loadNativeLibrary();
 * const status = lib.symbols.sl_pool_release(12345, 0); // a pool handle never issued
 * assert.equal(status, -2);
 * assert.ok(lastNativeError(lib).startsWith("Invalid pool handle"));
 * ```
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
