/**
 * The FFI layer: the native library's loader, its lock-free rings, its zero-copy frame pool, the
 * frame codec and native connections that carry frames between isolates over them, and Worker
 * placement (`WorkerBackend`: Worker hosts and the native transport the runtime uses).
 *
 * Everything here needs `--allow-ffi` (and `--allow-read`/`--allow-env` to find the library).
 *
 * @example Move one frame message through a native ring
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNativeRing, FrameMessageBatch } from "@streamlib/streamlib/ffi";
 *
 * const [producer, consumer] = createNativeRing({ capacity: 8, policy: "latest" });
 * const batch = new FrameMessageBatch(1);
 * batch.write(0, 0, 0, 0, 0, 42, 1);
 * producer.push(batch);
 * assert.equal(consumer.popLatest(batch), true);
 * assert.equal(batch.timestampNs(0), 42);
 * producer.close();
 * consumer.close();
 * ```
 *
 * @module
 */

// -- Loading the native library --------------------------------------------------------------
export { libraryPath, loadNativeLibrary, type LoadNativeOptions, NATIVE_LIB_ENV } from "./load.ts";
export { type NativeBuildInfo, nativeBuildInfo } from "./build_info.ts";
export { buildNativeLibrary, type BuildNativeOptions } from "./native_build.ts";
export { CargoNotFoundError, NativeBuildError } from "./native_build_errors.ts";

// -- Errors ----------------------------------------------------------------------------------
export {
  AbiMismatchError,
  BufferTooSmallError,
  CodecError,
  DeviceError,
  DeviceNotFoundError,
  InvalidArgumentError,
  InvalidHandleError,
  NativeError,
  NativeLibraryNotFoundError,
  NativeOutOfMemoryError,
  PermissionDeniedError,
  PoolExhaustedError,
  UnsupportedError,
  WrongEndpointError,
} from "./errors.ts";
export {
  UnsupportedPixelFormatError,
  UnsupportedPlatformError,
  UnsupportedVideoSizeError,
} from "./media_errors.ts";

// -- Capture and codecs ----------------------------------------------------------------------
export { type CaptureDevice, listCaptureDevices } from "./capture_devices.ts";
export { NativeCapture, type NativeCaptureOptions } from "./native_capture.ts";
export { H264Decoder, type H264DecoderOptions } from "./h264_decoder.ts";
export { H264Encoder, type H264EncoderOptions } from "./h264_encoder.ts";
export { OpusDecoder, type OpusDecoderOptions } from "./opus_decoder.ts";
export { OpusEncoder, type OpusEncoderOptions } from "./opus_encoder.ts";

// -- Rings, the frame pool and connections ---------------------------------------------------
export { FrameMessageBatch } from "../core/frame_message.ts";
export { FramePool, type FramePoolOptions } from "./frame_pool.ts";
export { slotBytesFor, videoSlotBytes } from "./frame_format.ts";
export { createNativeRing, NativeRingConsumer, NativeRingProducer } from "./native_ring.ts";
export type { TransferredRingEndpoint } from "./ring_endpoint.ts";
export { createNativeConnection } from "./native_connection.ts";
export { NativeConnectionReader } from "./native_connection_reader.ts";
export { NativeConnectionWriter } from "./native_connection_writer.ts";
export type { NativeConnectionStats } from "./connection_shared_state.ts";
export { SlotMemorySource } from "./slot_memory.ts";

// -- Workers and native plugins --------------------------------------------------------------
export { NativeTransport } from "./native_transport.ts";
export { WorkerBackend, type WorkerBackendOptions } from "./worker_backend.ts";
export { NativePlugin } from "./native_plugin.ts";
export { NativePluginError, PluginAbiMismatchError } from "./native_plugin_errors.ts";
