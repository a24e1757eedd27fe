/**
 * The FFI layer: the native library's loader, its lock-free rings, its zero-copy frame pool, and
 * the frame codec and native connections that carry frames between isolates over them.
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
  type AdoptConnectionOptions,
  poolSlabAddress,
  type TransferredConnectionEnd,
} from "./connection_transfer.ts";
export {
  ConnectionSharedState,
  COUNTER,
  type NativeConnectionStats,
} from "./connection_shared_state.ts";
export { FrameCodec } from "./frame_codec.ts";
export { FrameTooLargeError, InvalidFrameError } from "./frame_codec_errors.ts";
export { FrameDecoder } from "./frame_decoder.ts";
export {
  ENCODE_POOL_EXHAUSTED,
  ENCODED_COPY,
  ENCODED_ZERO_COPY,
  FrameEncoder,
} from "./frame_encoder.ts";
export {
  FLAG_KEYFRAME,
  formatTag,
  FRAME_HEADER_BYTES,
  FRAME_HEADER_MAGIC,
  FRAME_KIND_TAGS,
  HEADER,
  MAX_AUDIO_CHANNELS,
  slotBytesFor,
  tagKind,
  tagValue,
  VIDEO_CODECS,
  videoSlotBytes,
} from "./frame_format.ts";
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
export { createNativeConnection, type NativeConnectionOptions } from "./native_connection.ts";
export { NativeConnectionReader } from "./native_connection_reader.ts";
export { type ConnectionEndParts, NativeConnectionWriter } from "./native_connection_writer.ts";
export {
  createNativeRing,
  NativeRingConsumer,
  type NativeRingOptions,
  NativeRingProducer,
} from "./native_ring.ts";
export { PoolFrameAllocator, type PoolFrameAllocatorOptions } from "./pool_frame_allocator.ts";
export {
  RingEndpoint,
  type RingEndpointKind,
  type TransferredRingEndpoint,
} from "./ring_endpoint.ts";
export { SlotHeaders } from "./slot_header.ts";
export { ABI_VERSION, type NativeLibrary, symbols } from "./symbols.ts";
