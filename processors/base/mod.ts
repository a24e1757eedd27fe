/**
 * Base classes for processor authors, beside the built-in processors as GStreamer keeps
 * `GstBaseSink` and `GstBaseTransform` out of its core:
 *
 * - {@linkcode FileWriter}: a take per `setup()`, its path, open and finish (`Mp4Writer`), and
 *   {@linkcode FrameWriter}, one input written a frame at a time (`WavWriter`, `Y4mWriter`);
 * - {@linkcode NetworkSink}: H.264 handed to a native SRT or RTMP sender (`SrtSink`, `RtmpSink`),
 *   and {@linkcode PeerWatch}, the peer events (connected, disconnected, ...) of network nodes;
 * - {@linkcode WebRtcSink}: video and Opus audio sent from a native WebRTC endpoint (`WhepSink`,
 *   `WhipSink`);
 * - {@linkcode SrtConfig}: the SRT settings `SrtSink` and `SrtSource` share.
 * - {@linkcode GpuFilter}: one GPU frame in, one out (`GpuBlur`, `GpuLut`, `GpuScale`), and
 *   {@linkcode GpuOverlay}, a picture drawn over each frame (`TextOverlay`, `ImageOverlay`).
 *
 * @example Extend FrameWriter: a writer of numbers, one per line
 * ```ts
 * import assert from "node:assert/strict";
 * import { config, input, type InputPort, processor, type DataFrame, type ProcessorTypes } from "@streamlib/streamlib";
 * import { FrameWriter } from "./mod.ts";
 *
 * interface NumbersTypes extends ProcessorTypes {
 *   readonly config: { path: string };
 * }
 * type Lines = { framesWritten: number; file: Deno.FsFile; close(): Promise<void> };
 *
 * @processor({ mode: "push" })
 * class NumberWriter extends FrameWriter<NumbersTypes, Lines, DataFrame<number>, Uint8Array> {
 *   @input() in!: InputPort<DataFrame<number>>;
 *   @config() config!: { path: string };
 *
 *   protected async open(path: string): Promise<Lines> {
 *     const file = await Deno.open(path, { write: true, create: true, truncate: true });
 *     return { framesWritten: 0, file, close: () => Promise.resolve(file.close()) };
 *   }
 *   protected read() {
 *     return this.in.read();
 *   }
 *   protected encode(frame: DataFrame<number>): Uint8Array {
 *     return new TextEncoder().encode(`${frame.value}\n`);
 *   }
 *   protected async write(lines: Lines, bytes: Uint8Array): Promise<void> {
 *     await lines.file.write(bytes);
 *     lines.framesWritten++;
 *   }
 * }
 *
 * assert.equal(new NumberWriter().framesWritten, 0);
 * ```
 *
 * @module
 */

export { FileWriter, type FileWriterConfig } from "./file_writer.ts";
export { type FrameFile, FrameWriter } from "./frame_writer.ts";
export { GpuFilter } from "./gpu_filter.ts";
export { GpuOverlay } from "./gpu_overlay.ts";
export { NetworkSink, type NetworkSinkEndpoint } from "./network_sink.ts";
export {
  logPeer,
  PEER_CHANGES,
  type PeerChange,
  type PeerCounters,
  PeerWatch,
} from "./peer_events.ts";
export { WebRtcSink, type WebRtcSinkConfig } from "./webrtc_sink.ts";
export {
  socketAddress,
  type SrtConfig,
  type SrtEndpointSettings,
  srtEndpointSettings,
} from "./srt_config.ts";
// The file writers the built-in sinks hand frames to, named by the bases' type parameters.
export type { Mp4Recording, Mp4RecordingStats } from "../formats/mp4_recording.ts";
export type { WavWriter as WavFileWriter } from "../formats/wav_writer.ts";
export type { Y4mWriter as Y4mFileWriter } from "../formats/y4m_writer.ts";
