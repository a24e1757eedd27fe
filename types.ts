/**
 * The types the package's classes and functions name: runtime and node states, the events
 * `rt.on()` delivers, connection and add options, graph descriptions, manifest parts, decorator
 * options, error codes and details; the contracts an isolate backend or transport implements
 * (`IsolateHost`, `CrossIsolateTransport`, rings, frame pools); and the generated types of the
 * built-in processors (`GainHandle` is what `rt.add(Gain)` returns, `GainTypes` what `Gain` names in
 * `extends Processor<GainTypes>`). Type-only: importing it loads no code.
 *
 * @example Narrow a runtime event and name its code
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ErrorCode, NodeErrorEvent, RuntimeState } from "@streamlib/streamlib/types";
 *
 * const state: RuntimeState = "stopped";
 * const code: ErrorCode = "invalid_config";
 * const seen: NodeErrorEvent[] = [];
 * assert.equal(state, "stopped");
 * assert.equal(code, "invalid_config");
 * assert.equal(seen.length, 0);
 * ```
 *
 * @example Name the handle `rt.add()` returns for a built-in
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GainHandle } from "@streamlib/streamlib/types";
 * import { createRuntime, Gain } from "@streamlib/streamlib/processors";
 *
 * const rt = createRuntime();
 * const gain: GainHandle = rt.add(Gain, { gain: 0.5 }, { id: "gain" });
 * assert.equal(gain.name, "gain");
 * assert.equal(gain.processor, "Gain");
 * ```
 *
 * @module
 */

export type { ConfigIssue } from "./core/config/validation.ts";
export type { ConnectionStats } from "./core/transport/connection.ts";
export type { ConnectionOptions } from "./core/graph/connection_defaults.ts";
export type { HandProcessContext } from "./core/processor/create_context.ts";
export type {
  InputOptions,
  OutputOptions,
  PortDecorator,
  ProcessorDecorator,
  ProcessorOptions,
} from "./core/processor/decorators.ts";
export type { VideoCodec } from "./core/frames/encoded_video_frame.ts";
export type { AudioCodec } from "./core/frames/encoded_audio_frame.ts";
export type {
  EncodedAudioStream,
  OwnedEncodedAudioFrame,
} from "./core/frames/owned_encoded_audio_frame.ts";
export type { CodedError, ErrorCode, ErrorCodeInfo, ErrorDetails } from "./core/errors/codes.ts";
export type { FrameLeak } from "./core/frames/ledger.ts";
export type {
  FrameMemory,
  FrameMemorySource,
  FrameMemoryStats,
  FramePayload,
} from "./core/frames/memory.ts";
export type { IsolateBackend, IsolateHost } from "./core/isolates/host.ts";
export type { JsonSchema, JsonValue } from "./core/schema/json_schema.ts";
export type { ConfigChange } from "./core/lifecycle/live_config.ts";
export type { ManifestConnection, ManifestNode } from "./core/manifest/manifest.ts";
export type { DeclaresFootprint, FrameFootprint } from "./core/admission/footprint.ts";
export type { ManifestIssue } from "./core/manifest/issue.ts";
export type { NodeSpec } from "./core/registry/node_definition.ts";
export type { Frames } from "./core/frames/node_frames.ts";
export type { ProcessorSummary } from "./core/registry/node_registry.ts";
export type { LoopControl } from "./core/processor/context.ts";
export type {
  FrameSummary,
  Probe,
  ProbeCallback,
  ProbeOptions,
  ProbeSample,
  ProbeTransform,
} from "./core/probes/probe.ts";
export type { PortDirection, ProcessorDescriptor } from "./core/schema/descriptor.ts";
export type { RequiredIsolate } from "./core/isolates/required_isolate.ts";
export type { DeliveryPolicy } from "./core/transport/ring.ts";
export type { ConnectionDescription, ConnectionInfo, NodeDescription } from "./core/description.ts";
export type {
  ConnectionEvent,
  EndOfStreamEvent,
  NodeConfigEvent,
  NodeEndOfStreamEvent,
  NodeErrorEvent,
  NodeLogEvent,
  NodeMembershipEvent,
  NodeStateEvent,
  NodeWarningEvent,
  RuntimeEventListener,
  RuntimeStateEvent,
  WorkerExitEvent,
} from "./core/lifecycle/events.ts";
export type { AddOptions, ConfigInput, ProcessorClass } from "./core/options.ts";
export type { NodeState, NodeStats, RuntimeState } from "./core/lifecycle/stats.ts";

// -- Parts of the types above -----------------------------------------------------------------
export type { NodeWarningCode, RuntimeEventBase } from "./core/lifecycle/events.ts";
export type { SchedulingMode } from "./core/schema/descriptor.ts";
export type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  HostedPort,
  HostGraph,
  HostLifecycle,
  HostReadout,
  NodeFailure,
} from "./core/isolates/host.ts";
export type {
  ConfigurableHost,
  EndingHost,
  FrameLeakReportingHost,
  HostCapabilities,
  KeyframeRequestingHost,
  ProbedHost,
} from "./core/isolates/capabilities.ts";
export type { HostedProbeSample, HostedProbeSpec } from "./core/probes/probe.ts";
export type { ConfigApplied } from "./core/lifecycle/live_config.ts";
export type {
  AudioShape,
  BindablePorts,
  EncodedAudioShape,
  EncodedShape,
  FrameReturn,
  KeptFrame,
  NodeFrames,
  VideoShape,
} from "./core/frames/node_frames.ts";
export type { ProcessorInit } from "./core/processor/processor.ts";
export type { PortSummary } from "./core/registry/node_registry.ts";
export type { PortDescriptor } from "./core/schema/descriptor.ts";
export type {
  FrameLedger,
  OwnedAudioFrame,
  OwnedEncodedVideoFrame,
  OwnedFrame,
  OwnedVideoFrame,
} from "./core/frames/owned_frame.ts";
export type { InputDescription, OutputDescription } from "./core/description.ts";
export type { OperationIssue, OperationIssueCode } from "./core/operations/check.ts";
export type { NodeFootprint } from "./core/admission/footprint.ts";
export type { LazyNodeSpec } from "./core/registry/lazy_node.ts";
export type { LatencySummary } from "./core/time/latency_histogram.ts";
export type { JsonSchemaType } from "./core/schema/json_schema.ts";
export type { InputOwner } from "./core/ports/input_binding.ts";
export type { FilePathConflict } from "./core/graph/file_path_conflicts.ts";
export type { ManifestIssueCode } from "./core/manifest/issue.ts";
export type { LocalConnection, LocalConnectionOptions } from "./core/ports/local_connection.ts";
export type { ConnectionReader, ConnectionWriter } from "./core/transport/connection.ts";
export type {
  CrossIsolateChannel,
  CrossIsolateChannelSpec,
  CrossIsolateTransport,
  TransportEndpoint,
} from "./core/transport/cross_isolate.ts";
export type { FrameMessage } from "./core/frames/message.ts";
export type { FramePoolContract, FramePoolStats } from "./core/transport/pool.ts";
export type { FrameRingConsumer, FrameRingProducer, RingStats } from "./core/transport/ring.ts";

// -- The generated types of the built-in processors (`processors/`, `plugins/`) --------------
export type {
  AacEncoderHandle,
  AacEncoderInputs,
  AacEncoderOutputs,
  AacEncoderTypes,
} from "./processors/transforms/aac_encoder.gen.ts";
export type {
  AudioMixerHandle,
  AudioMixerInputs,
  AudioMixerOutputs,
  AudioMixerTypes,
} from "./processors/transforms/audio_mixer.gen.ts";
export type {
  AudioResamplerHandle,
  AudioResamplerInputs,
  AudioResamplerOutputs,
  AudioResamplerTypes,
} from "./processors/transforms/audio_resampler.gen.ts";
export type {
  CameraHandle,
  CameraInputs,
  CameraOutputs,
  CameraTypes,
} from "./processors/sources/camera.gen.ts";
export type {
  ChannelConverterHandle,
  ChannelConverterInputs,
  ChannelConverterOutputs,
  ChannelConverterTypes,
} from "./processors/transforms/channel_converter.gen.ts";
export type {
  ColorConvertHandle,
  ColorConvertInputs,
  ColorConvertOutputs,
  ColorConvertTypes,
} from "./processors/transforms/color_convert.gen.ts";
export type {
  GainHandle,
  GainInputs,
  GainOutputs,
  GainTypes,
} from "./processors/transforms/gain.gen.ts";
export type {
  H264DecoderHandle,
  H264DecoderInputs,
  H264DecoderOutputs,
  H264DecoderTypes,
} from "./processors/transforms/h264_decoder.gen.ts";
export type {
  H264EncoderHandle,
  H264EncoderInputs,
  H264EncoderOutputs,
  H264EncoderTypes,
} from "./processors/transforms/h264_encoder.gen.ts";
export type {
  MicrophoneHandle,
  MicrophoneInputs,
  MicrophoneOutputs,
  MicrophoneTypes,
} from "./processors/sources/microphone.gen.ts";
export type {
  Mp4FileSourceHandle,
  Mp4FileSourceInputs,
  Mp4FileSourceOutputs,
  Mp4FileSourceTypes,
} from "./processors/sources/mp4_file_source.gen.ts";
export type {
  Mp4WriterHandle,
  Mp4WriterInputs,
  Mp4WriterOutputs,
  Mp4WriterTypes,
} from "./processors/sinks/mp4_writer.gen.ts";
export type {
  NullSinkHandle,
  NullSinkInputs,
  NullSinkOutputs,
  NullSinkTypes,
} from "./processors/sinks/null_sink.gen.ts";
export type {
  ReverbHandle,
  ReverbInputs,
  ReverbOutputs,
  ReverbTypes,
} from "./processors/transforms/reverb.gen.ts";
export type {
  RtmpSinkHandle,
  RtmpSinkInputs,
  RtmpSinkOutputs,
  RtmpSinkTypes,
} from "./processors/sinks/rtmp_sink.gen.ts";
export type {
  ScreenCaptureHandle,
  ScreenCaptureInputs,
  ScreenCaptureOutputs,
  ScreenCaptureTypes,
} from "./processors/sources/screen_capture.gen.ts";
export type {
  SpeakerHandle,
  SpeakerInputs,
  SpeakerOutputs,
  SpeakerTypes,
} from "./processors/sinks/speaker.gen.ts";
export type {
  SrtSinkHandle,
  SrtSinkInputs,
  SrtSinkOutputs,
  SrtSinkTypes,
} from "./processors/sinks/srt_sink.gen.ts";
export type {
  SrtSourceHandle,
  SrtSourceInputs,
  SrtSourceOutputs,
  SrtSourceTypes,
} from "./processors/sources/srt_source.gen.ts";
export type {
  RtspSourceHandle,
  RtspSourceInputs,
  RtspSourceOutputs,
  RtspSourceTypes,
} from "./processors/sources/rtsp_source.gen.ts";
export type {
  SubprocessProcessorHandle,
  SubprocessProcessorInputs,
  SubprocessProcessorOutputs,
  SubprocessProcessorTypes,
} from "./plugins/subprocess_processor.gen.ts";
export type {
  TestPatternHandle,
  TestPatternInputs,
  TestPatternOutputs,
  TestPatternTypes,
} from "./processors/sources/test_pattern.gen.ts";
export type {
  TestToneGeneratorHandle,
  TestToneGeneratorInputs,
  TestToneGeneratorOutputs,
  TestToneGeneratorTypes,
} from "./processors/sources/test_tone_generator.gen.ts";
export type {
  VideoScaleHandle,
  VideoScaleInputs,
  VideoScaleOutputs,
  VideoScaleTypes,
} from "./processors/transforms/video_scale.gen.ts";
export type {
  VideoWindowHandle,
  VideoWindowInputs,
  VideoWindowOutputs,
  VideoWindowTypes,
} from "./processors/sinks/video_window.gen.ts";
export type {
  VoiceActivityHandle,
  VoiceActivityInputs,
  VoiceActivityOutputs,
  VoiceActivityTypes,
} from "./processors/transforms/voice_activity.gen.ts";
export type {
  WavFileSourceHandle,
  WavFileSourceInputs,
  WavFileSourceOutputs,
  WavFileSourceTypes,
} from "./processors/sources/wav_file_source.gen.ts";
export type {
  WavWriterHandle,
  WavWriterInputs,
  WavWriterOutputs,
  WavWriterTypes,
} from "./processors/sinks/wav_writer.gen.ts";
export type {
  WhepSinkHandle,
  WhepSinkInputs,
  WhepSinkOutputs,
  WhepSinkTypes,
} from "./processors/sinks/whep_sink.gen.ts";
export type {
  WhipSinkHandle,
  WhipSinkInputs,
  WhipSinkOutputs,
  WhipSinkTypes,
} from "./processors/sinks/whip_sink.gen.ts";
export type {
  WhipSourceHandle,
  WhipSourceInputs,
  WhipSourceOutputs,
  WhipSourceTypes,
} from "./processors/sources/whip_source.gen.ts";
export type {
  Y4mFileSourceHandle,
  Y4mFileSourceInputs,
  Y4mFileSourceOutputs,
  Y4mFileSourceTypes,
} from "./processors/sources/y4m_file_source.gen.ts";
export type {
  Y4mWriterHandle,
  Y4mWriterInputs,
  Y4mWriterOutputs,
  Y4mWriterTypes,
} from "./processors/sinks/y4m_writer.gen.ts";
export type {
  GpuBlurHandle,
  GpuBlurInputs,
  GpuBlurOutputs,
  GpuBlurTypes,
} from "./processors/transforms/gpu_blur.gen.ts";
export type {
  GpuLutHandle,
  GpuLutInputs,
  GpuLutOutputs,
  GpuLutTypes,
} from "./processors/transforms/gpu_lut.gen.ts";
export type {
  GpuScaleHandle,
  GpuScaleInputs,
  GpuScaleOutputs,
  GpuScaleTypes,
} from "./processors/transforms/gpu_scale.gen.ts";
export type {
  GpuToYuvHandle,
  GpuToYuvInputs,
  GpuToYuvOutputs,
  GpuToYuvTypes,
} from "./processors/transforms/gpu_to_yuv.gen.ts";
export type {
  TextOverlayHandle,
  TextOverlayInputs,
  TextOverlayOutputs,
  TextOverlayTypes,
} from "./processors/transforms/text_overlay.gen.ts";
export type {
  VideoCompositorHandle,
  VideoCompositorInputs,
  VideoCompositorOutputs,
  VideoCompositorTypes,
} from "./processors/transforms/video_compositor.gen.ts";
export type {
  WgslEffectHandle,
  WgslEffectInputs,
  WgslEffectOutputs,
  WgslEffectTypes,
} from "./processors/transforms/wgsl_effect.gen.ts";
export type {
  YuvToGpuHandle,
  YuvToGpuInputs,
  YuvToGpuOutputs,
  YuvToGpuTypes,
} from "./processors/transforms/yuv_to_gpu.gen.ts";
export type {
  ImageOverlayHandle,
  ImageOverlayInputs,
  ImageOverlayOutputs,
  ImageOverlayTypes,
} from "./processors/transforms/image_overlay.gen.ts";
