/**
 * The FFI layer's public surface: the native library's loader, its lock-free rings, its frame
 * pool, the native codecs and capture, Worker placement (`WorkerBackend`) and native plugins. It is
 * split by subsystem: `native/` (loader, symbol table, errors), `transport/` (rings, pool, frame
 * codec, the cross-isolate connections and their ends), `workers/`, `plugins/`, `media/` (codecs,
 * capture), `net/` (SRT, RTMP, WebRTC endpoints) and `display/` (the video window: SDL 2 and a
 * WebGPU window surface). The types its classes name are exported
 * beside them (the contracts they implement, from `core/`, are in `./types`). The transport's
 * connections, memory source and channel ends are the runtime's internals and are not exported.
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
export {
  libraryPath,
  loadNativeLibrary,
  type LoadNativeOptions,
  NATIVE_LIB_ENV,
} from "./native/load.ts";
export { type NativeBuildInfo, nativeBuildInfo } from "./native/build_info.ts";
export { buildNativeLibrary, type BuildNativeOptions } from "./native/build.ts";
export { CargoNotFoundError, NativeBuildError } from "./native/build_errors.ts";

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
} from "./native/errors.ts";
export {
  UnsupportedPixelFormatError,
  UnsupportedPlatformError,
  UnsupportedVideoSizeError,
} from "./media/media_errors.ts";
export { NetEndpointError } from "./net/net_errors.ts";
export { WebRtcError, type WebRtcErrorCode } from "./net/webrtc_errors.ts";

// -- Capture and codecs ----------------------------------------------------------------------
export { type CaptureDevice, listCaptureDevices } from "./media/capture_devices.ts";
export { NativeCapture, type NativeCaptureOptions } from "./media/native_capture.ts";
export { AAC_FRAME_SAMPLES, AacDecoder, type AacDecoderOptions } from "./media/aac_decoder.ts";
export { H264Decoder, type H264DecoderOptions } from "./media/h264_decoder.ts";
export { H264Encoder, type H264EncoderOptions } from "./media/h264_encoder.ts";
export {
  FREEVERB_MAX_RATE,
  FREEVERB_MIN_RATE,
  NativeFreeverb,
  type NativeFreeverbOptions,
  type NativeFreeverbSettings,
} from "./media/native_freeverb.ts";
export { OpusDecoder, type OpusDecoderOptions } from "./media/opus_decoder.ts";
export { OPUS_APPLICATIONS, OpusEncoder, type OpusEncoderOptions } from "./media/opus_encoder.ts";
export {
  Resampler,
  RESAMPLER_QUALITIES,
  type ResamplerOptions,
  type ResamplerQuality,
  type ResamplerStats,
} from "./media/resampler.ts";
export {
  RESAMPLER_MAX_CHANNELS,
  RESAMPLER_MAX_RATE,
  RESAMPLER_MIN_RATE,
  ResamplerChannelsError,
  ResamplerRateError,
} from "./media/resampler_errors.ts";
export {
  NativeSpeaker,
  type NativeSpeakerOptions,
  type NativeSpeakerStats,
  SPEAKER_FORMATS,
  type SpeakerFormat,
} from "./media/speaker.ts";
export { SpeakerDeviceError, type SpeakerDeviceReason } from "./media/speaker_errors.ts";
export {
  ALSA_PACKAGES,
  AudioLibraryMissingError,
  mentionsMissingAlsa,
} from "./native/audio_library_error.ts";

// -- The video window ------------------------------------------------------------------------
export { SdlWindow, type SdlWindowOptions, type X11Handles } from "./display/sdl_window.ts";
export { SDL_LIB_ENV } from "./display/sdl_video.ts";
export { FramePresenter } from "./display/frame_presenter.ts";
export {
  DisplayUnavailableError,
  SdlUnavailableError,
  WindowError,
  type WindowErrorCode,
  WindowGpuUnavailableError,
  WindowSurfaceUnavailableError,
} from "./display/display_errors.ts";

// -- Rings and the frame pool ---------------------------------------------------------------
export { FrameMessageBatch, MessageSizeError } from "../core/frames/message.ts";
export { FramePool, type FramePoolOptions } from "./transport/frame_pool.ts";
export { slotBytesFor, videoSlotBytes } from "./transport/frame_format.ts";
export {
  createNativeRing,
  NativeRingConsumer,
  NativeRingProducer,
} from "./transport/native_ring.ts";
export type { TransferredRingEndpoint } from "./transport/ring_endpoint.ts";

// -- Workers and native plugins --------------------------------------------------------------
export { WorkerBackend, type WorkerBackendOptions } from "./workers/backend.ts";
export { WorkerDefinitionError, WorkerExitedError } from "./workers/errors.ts";
export { NativePlugin } from "./plugins/native_plugin.ts";
export {
  NativePluginError,
  PluginAbiMismatchError,
  PluginPlacementError,
} from "./plugins/native_plugin_errors.ts";

export { type NativeFree, NativeHandle } from "./native/handle.ts";

// -- Types the classes above name ------------------------------------------------------------
export type { NativeLibrary, symbols } from "./native/symbols.ts";
export type { CrateSource } from "./native/source.ts";
export type { CaptureDeviceMode, ListCaptureDevicesOptions } from "./media/capture_devices.ts";
export type { CapturedFrame, CaptureKind, NativeCaptureStats } from "./media/native_capture.ts";
export type { EncoderInput, H264Backend, H264Level, H264Profile } from "./media/h264_encoder.ts";
export type { OpusApplication } from "./media/opus_encoder.ts";
export type { NetKind, NetStats } from "./net/net_endpoint.ts";
export type {
  ReceivedFrame,
  WebRtcEndpoint,
  WebRtcEndpointStats,
  WebRtcMode,
  WebRtcPeerEvent,
  WebRtcPeerStats,
} from "./net/webrtc_endpoint.ts";
export type { NativeRingOptions } from "./transport/native_ring.ts";
export type { RingEndpoint, RingEndpointKind } from "./transport/ring_endpoint.ts";
export type { SharedFramePool } from "./transport/frame_pool.ts";
export type { WorkerHost } from "./workers/host.ts";
export type { WorkerWaitCounts } from "./workers/protocol.ts";
