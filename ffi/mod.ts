/**
 * The FFI layer: the native library's loader, its lock-free rings, its zero-copy frame pool, the
 * frame codec and native connections that carry frames between isolates over them, and Worker
 * placement (`WorkerBackend`: Worker hosts and the native transport the runtime uses).
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
  BufferTooSmallError,
  CodecError,
  DeviceError,
  DeviceNotFoundError,
  InvalidArgumentError,
  InvalidHandleError,
  lastNativeError,
  NativeError,
  NativeLibraryNotFoundError,
  NativeOutOfMemoryError,
  PermissionDeniedError,
  PoolExhaustedError,
  UnsupportedError,
  WrongEndpointError,
} from "./errors.ts";
export {
  type CaptureDevice,
  type CaptureDeviceMode,
  listCaptureDevices,
  type ListCaptureDevicesOptions,
} from "./capture_devices.ts";
export { H264Decoder, type H264DecoderOptions } from "./h264_decoder.ts";
export {
  type EncoderInput,
  H264_BACKENDS,
  H264_PROFILES,
  type H264Backend,
  H264Encoder,
  type H264EncoderOptions,
  type H264Level,
  type H264Profile,
} from "./h264_encoder.ts";
export {
  UnsupportedPixelFormatError,
  UnsupportedPlatformError,
  UnsupportedVideoSizeError,
} from "./media_errors.ts";
export {
  AUDIO_F32_FORMAT,
  CAPTURE_KINDS,
  type CapturedFrame,
  type CaptureKind,
  NativeCapture,
  type NativeCaptureOptions,
  type NativeCaptureStats,
  nativeNowNs,
} from "./native_capture.ts";
export { OpusDecoder, type OpusDecoderOptions } from "./opus_decoder.ts";
export {
  OPUS_APPLICATIONS,
  OPUS_MAX_PACKET_BYTES,
  OPUS_SAMPLE_RATES,
  type OpusApplication,
  OpusEncoder,
  type OpusEncoderOptions,
} from "./opus_encoder.ts";
export {
  type AdoptConnectionOptions,
  type ConnectionEndParts,
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
export { buildNativeLibrary, type BuildNativeOptions, cachedLibraryPath } from "./native_build.ts";
export { CargoNotFoundError, NativeBuildError } from "./native_build_errors.ts";
export { CACHE_DIR_ENV, nativeCacheDir } from "./native_cache.ts";
export { type CrateSource, crateSource, fetchCrateSources } from "./native_source.ts";
export { createNativeConnection, type NativeConnectionOptions } from "./native_connection.ts";
export {
  NativePlugin,
  type NativePluginLoadOptions,
  NativeProcessor,
  nativeProcessorIndex,
} from "./native_plugin.ts";
export {
  NativePluginError,
  PLUGIN_ABI_VERSION,
  PluginAbiMismatchError,
  pluginStatusError,
} from "./native_plugin_errors.ts";
export { SL_ERR_PLUGIN, SL_ERR_PLUGIN_ABI } from "./status.ts";
export { NATIVE_POLL_MS, NativePluginHost } from "./native_plugin_host.ts";
export {
  NativeTransport,
  type NativeTransportEndpoint,
  type NativeTransportOptions,
} from "./native_transport.ts";
export {
  READER_HOLD,
  SIGNAL_BELL,
  SIGNAL_BYTES,
  SIGNAL_SPACE,
  SIGNAL_TORN,
  SIGNAL_WRITER_WAITING,
  SignalledReader,
  SignalledWriter,
} from "./native_transport_ends.ts";
export { NativeConnectionReader } from "./native_connection_reader.ts";
export { NativeConnectionWriter } from "./native_connection_writer.ts";
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
export { DEFAULT_WORKER_POOL, WorkerBackend, type WorkerBackendOptions } from "./worker_backend.ts";
export { WorkerDefinitions } from "./worker_definitions.ts";
export { WorkerDefinitionError, WorkerExitedError } from "./worker_errors.ts";
export { WorkerHost, type WorkerHostOptions } from "./worker_host.ts";
export { type MirroredConnection, type MirroredNode, WorkerMirror } from "./worker_mirror.ts";
export type {
  WorkerCallName,
  WorkerCommand,
  WorkerInit,
  WorkerNodeSnapshot,
  WorkerNodeSpec,
  WorkerReport,
  WorkerSnapshot,
} from "./worker_protocol.ts";
export { WorkerServer, type WorkerServerOptions } from "./worker_server.ts";
