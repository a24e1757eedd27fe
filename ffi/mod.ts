/**
 * The FFI layer: the native library's loader, its lock-free rings and its zero-copy frame pool.
 *
 * Everything here needs `--allow-ffi` (and `--allow-read`/`--allow-env` to find the library).
 *
 * @example Move one frame message through a native ring
 * ```ts
 * import { FrameMessageBatch } from "@streamlib/streamlib";
 * import { createNativeRing } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 8, policy: "latest" });
 * const batch = new FrameMessageBatch(1);
 * batch.write(0, 0, 0, 0, 0, 42, 1);
 * producer.push(batch);
 * console.log(consumer.popLatest(batch), batch.timestampNs(0)); // true 42
 * producer.close();
 * consumer.close();
 * ```
 *
 * @module
 */

export {
  AbiMismatchError,
  InvalidArgumentError,
  InvalidHandleError,
  lastNativeError,
  NativeError,
  NativeLibraryNotFoundError,
  NativeOutOfMemoryError,
  PoolExhaustedError,
  WrongEndpointError,
} from "./errors.ts";
export {
  FramePool,
  type FramePoolOptions,
  MAX_POOL_BYTES,
  MAX_SLOT_BYTES,
  MAX_SLOT_COUNT,
  type SharedFramePool,
} from "./frame_pool.ts";
export {
  libraryPath,
  loadNativeLibrary,
  type LoadNativeOptions,
  localBuildPath,
  NATIVE_LIB_ENV,
  nativeLibraryFileName,
} from "./load.ts";
export {
  createNativeRing,
  NativeRingConsumer,
  type NativeRingOptions,
  NativeRingProducer,
} from "./native_ring.ts";
export {
  RingEndpoint,
  type RingEndpointKind,
  type TransferredRingEndpoint,
} from "./ring_endpoint.ts";
export { ABI_VERSION, type NativeLibrary, symbols } from "./symbols.ts";
