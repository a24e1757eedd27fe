/**
 * The one base of every class that owns a native handle: the handle in a private field, one
 * `FinalizationRegistry` as a backstop, an idempotent `close()`, `[Symbol.dispose]` and the typed
 * error a call through a closed handle throws.
 *
 * @module
 */

import { InvalidHandleError, statusError } from "./errors.ts";
import { CLOSED_HANDLE } from "./status.ts";
import type { NativeLibrary } from "./symbols.ts";

/**
 * Frees a native handle. It must not capture the wrapper object (the backstop runs once that
 * object is collected), only what it needs: the library and the handle, passed in.
 */
export type NativeFree = (lib: NativeLibrary, handle: number) => void;

interface Held {
  lib: NativeLibrary;
  handle: number;
  free: NativeFree;
}

/** The backstop for every wrapper: frees a handle whose object was collected unclosed. */
const registry = new FinalizationRegistry<Held>(({ lib, handle, free }) => free(lib, handle));

/**
 * Base of the classes that wrap one native handle (GStreamer's `GstMiniObject`). The handle lives
 * in a private field; subclasses read it through {@linkcode NativeHandle.nativeHandle} (which is
 * {@linkcode CLOSED_HANDLE} once closed, so a hot-path call through it fails in native code with
 * an invalid-handle status and needs no check) and never replace it.
 *
 * `close()` is idempotent and frees the handle through {@linkcode NativeHandle.free}, which a
 * subclass overrides when closing takes more than the free function (stopping a thread, draining
 * a ring); a collected, unclosed object is freed by a `FinalizationRegistry`, a backstop and not
 * the plan.
 *
 * @example Wrap a handle: `close()` frees it once, then calls fail with a typed error
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidHandleError } from "./errors.ts";
 * import { NativeHandle } from "./handle.ts";
 * import type { NativeLibrary } from "./symbols.ts";
 *
 * const freed: number[] = [];
 * class Thing extends NativeHandle {
 *   constructor(handle: number) {
 *     super({} as NativeLibrary, handle, (_lib, h) => void freed.push(h));
 *   }
 *   use(): never {
 *     return this.fail(-2, "use a thing");
 *   }
 * }
 *
 * const thing = new Thing(7);
 * thing.close();
 * thing.close();
 * assert.deepEqual(freed, [7]);
 * assert.ok(thing.closed);
 * assert.throws(() => thing.use(), InvalidHandleError);
 * ```
 */
export abstract class NativeHandle implements Disposable {
  readonly #lib: NativeLibrary;
  #handle: number;
  readonly #free: NativeFree | undefined;
  readonly #token = {};

  /**
   * Takes ownership of a live handle.
   *
   * @param lib The library that issued it.
   * @param handle The handle, now owned by this object.
   * @param free What frees it (also the backstop's); `undefined` for a borrowed handle that
   *   `close()` only forgets.
   */
  protected constructor(lib: NativeLibrary, handle: number, free: NativeFree | undefined) {
    this.#lib = lib;
    this.#handle = handle;
    this.#free = free;
    if (free !== undefined) registry.register(this, { lib, handle, free }, this.#token);
  }

  /** The library that issued the handle. */
  protected get lib(): NativeLibrary {
    return this.#lib;
  }

  /** The library's symbols, for the subclasses' calls. */
  protected get symbols(): NativeLibrary["symbols"] {
    return this.#lib.symbols;
  }

  /** The handle, or {@linkcode CLOSED_HANDLE} once closed or detached (read-only). */
  protected get nativeHandle(): number {
    return this.#handle;
  }

  /** Whether `close()` has been called (or the handle was given away). */
  get closed(): boolean {
    return this.#handle === CLOSED_HANDLE;
  }

  /**
   * What is wrong with a closed handle, for {@linkcode InvalidHandleError}'s message; subclasses
   * name themselves ("this decoder is closed").
   *
   * @returns The detail.
   */
  protected closedDetail(): string {
    return "it is closed";
  }

  /**
   * Throws {@linkcode InvalidHandleError} when closed.
   *
   * @param operation What was being done.
   * @throws {InvalidHandleError} When closed.
   */
  protected checkOpen(operation: string): void {
    if (this.#handle === CLOSED_HANDLE) {
      throw new InvalidHandleError(operation, this.closedDetail());
    }
  }

  /**
   * Throws the typed error for a negative status: {@linkcode InvalidHandleError} once closed, the
   * status's error otherwise.
   *
   * @param status The negative status.
   * @param operation What was being done.
   * @throws {NativeError} Always.
   */
  protected fail(status: number, operation: string): never {
    this.checkOpen(operation);
    throw statusError(this.#lib, status, operation);
  }

  /**
   * Gives the handle up without freeing it (to post it to another isolate, or hand it to native
   * code that takes it over): this object is closed from now on.
   *
   * @returns The handle, or `undefined` when already closed.
   */
  protected detach(): number | undefined {
    if (this.#handle === CLOSED_HANDLE) return undefined;
    const handle = this.#handle;
    this.#handle = CLOSED_HANDLE;
    registry.unregister(this.#token);
    return handle;
  }

  /**
   * Frees a handle `close()` detached. The default calls the free function given to the
   * constructor; a subclass overrides it when closing takes more.
   *
   * @param handle The handle, already detached.
   */
  protected free(handle: number): void {
    this.#free?.(this.#lib, handle);
  }

  /** Frees the handle. Idempotent. */
  close(): void {
    const handle = this.detach();
    if (handle !== undefined) this.free(handle);
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
