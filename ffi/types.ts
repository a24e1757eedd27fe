/**
 * The types `./ffi`'s classes name: transport contracts (connection ends, rings, cross-isolate
 * channels), frame pool contracts, native capture and codec options. Type-only.
 *
 * @module
 */

export type { ConnectionReader, ConnectionWriter } from "../core/transport/connection.ts";
export type {
  CrossIsolateChannel,
  CrossIsolateChannelSpec,
  CrossIsolateTransport,
  TransportEndpoint,
} from "../core/transport/cross_isolate.ts";
export type { FrameMessage } from "../core/frames/message.ts";
export type { LocalConnection, LocalConnectionOptions } from "../core/ports/local_connection.ts";
export type { FramePoolContract, FramePoolStats } from "../core/transport/pool.ts";
export type { FrameRingConsumer, FrameRingProducer } from "../core/transport/ring.ts";
export type { CaptureDeviceMode, ListCaptureDevicesOptions } from "./media/capture_devices.ts";
export type { ConnectionSharedState } from "./transport/connection_shared_state.ts";
export type { TransferredConnectionEnd } from "./transport/connection_transfer.ts";
export type { SharedFramePool } from "./transport/frame_pool.ts";
export type { EncoderInput, H264Backend, H264Level, H264Profile } from "./media/h264_encoder.ts";
export type { CapturedFrame, CaptureKind, NativeCaptureStats } from "./media/native_capture.ts";
export type { NativeConnectionOptions } from "./transport/native_connection.ts";
export type { NativeRingOptions } from "./transport/native_ring.ts";
export type { CrateSource } from "./native/native_source.ts";
export type { OpusApplication } from "./media/opus_encoder.ts";
export type { RingEndpoint, RingEndpointKind } from "./transport/ring_endpoint.ts";
export type { NativeLibrary } from "./native/symbols.ts";
export type { WorkerHost } from "./workers/host.ts";
