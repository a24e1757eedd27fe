/**
 * The built-in processors (annotated classes; `deno task codegen` generated their descriptors and
 * config schemas), the registry that lists them and `createRuntime()`, a runtime that knows them.
 *
 * @example Build a tone → gain → sink graph from the built-ins
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, Gain, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * const tone = rt.add(TestToneGenerator, { frequency: 220 }, { id: "tone" });
 * const gain = rt.add(Gain, { gain: 0.5 }, { id: "gain" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(tone.outputs.audio, gain.inputs.in);
 * rt.connect(gain.outputs.out, sink.inputs.in);
 * assert.equal(rt.describe().connections.length, 2);
 * ```
 *
 * @module
 */

// Every class's generated definition, so `rt.add(Gain)` works on any runtime (`new Runtime()`
// included) once this module is imported; `createRuntime()` alone (`./runtime.ts`) loads a
// processor's class and definition only when a node of it is first set up.
import "./transforms/audio_mixer.gen.ts";
import "./transforms/audio_resampler.gen.ts";
import "./sources/camera.gen.ts";
import "./transforms/channel_converter.gen.ts";
import "./transforms/color_convert.gen.ts";
import "./transforms/gain.gen.ts";
import "./transforms/gpu_blur.gen.ts";
import "./transforms/gpu_lut.gen.ts";
import "./transforms/gpu_scale.gen.ts";
import "./transforms/gpu_to_yuv.gen.ts";
import "./transforms/h264_decoder.gen.ts";
import "./transforms/h264_encoder.gen.ts";
import "./sources/microphone.gen.ts";
import "./sources/mp4_file_source.gen.ts";
import "./sinks/mp4_writer.gen.ts";
import "./sinks/null_sink.gen.ts";
import "./transforms/reverb.gen.ts";
import "./transforms/text_overlay.gen.ts";
import "./transforms/image_overlay.gen.ts";
import "./sinks/rtmp_sink.gen.ts";
import "./sources/screen_capture.gen.ts";
import "./sinks/srt_sink.gen.ts";
import "./sources/srt_source.gen.ts";
import "./sources/rtsp_source.gen.ts";
import "./sources/test_pattern.gen.ts";
import "./sources/test_tone_generator.gen.ts";
import "./transforms/video_compositor.gen.ts";
import "./transforms/video_scale.gen.ts";
import "./sources/wav_file_source.gen.ts";
import "./sinks/wav_writer.gen.ts";
import "./sinks/whep_sink.gen.ts";
import "./sinks/whip_sink.gen.ts";
import "./sources/whip_source.gen.ts";
import "./sources/y4m_file_source.gen.ts";
import "./transforms/voice_activity.gen.ts";
import "./transforms/wgsl_effect.gen.ts";
import "./transforms/yuv_to_gpu.gen.ts";
import "./sinks/y4m_writer.gen.ts";
import "./sinks/speaker.gen.ts";
import "./sinks/video_window.gen.ts";
import "./transforms/aac_encoder.gen.ts";

export { AacEncoder, type AacEncoderConfig } from "./transforms/aac_encoder.ts";
export {
  AacEncoderConfigError,
  AacEncoderUnavailableError,
} from "../ffi/media/aac_encoder_errors.ts";
export { AudioMixer, type AudioMixerConfig } from "./transforms/audio_mixer.ts";
export { AudioResampler, type AudioResamplerConfig } from "./transforms/audio_resampler.ts";
export { Camera, type CameraConfig } from "./sources/camera.ts";
export { describeProcessor, listProcessors, packageRegistry } from "./catalog.ts";
export { ChannelConverter, type ChannelConverterConfig } from "./transforms/channel_converter.ts";
export { ColorConvert, type ColorConvertConfig } from "./transforms/color_convert.ts";
export { Gain, type GainConfig } from "./transforms/gain.ts";
export { GpuBlur, type GpuBlurConfig } from "./transforms/gpu_blur.ts";
export { GpuLut, type GpuLutConfig } from "./transforms/gpu_lut.ts";
export { GpuScale, type GpuScaleConfig } from "./transforms/gpu_scale.ts";
export { GpuToYuv, type GpuToYuvConfig } from "./transforms/gpu_to_yuv.ts";
export { H264Decoder } from "./transforms/h264_decoder.ts";
export { H264Encoder, type H264EncoderConfig } from "./transforms/h264_encoder.ts";
export { Microphone, type MicrophoneConfig } from "./sources/microphone.ts";
export { Mp4FileSource, type Mp4FileSourceConfig } from "./sources/mp4_file_source.ts";
export { Mp4Writer, type Mp4WriterConfig } from "./sinks/mp4_writer.ts";
export { WhepSink, type WhepSinkConfig } from "./sinks/whep_sink.ts";
export { WhipSink, type WhipSinkConfig } from "./sinks/whip_sink.ts";
export { WhipSource, type WhipSourceConfig } from "./sources/whip_source.ts";
export type { Mp4RecordingStats } from "./formats/mp4_recording.ts";
export {
  Mp4ReadError,
  type Mp4ReadErrorCode,
  Mp4WriteError,
  TruncatedMp4Error,
  UnsupportedMp4CodecError,
} from "./formats/mp4_errors.ts";
export { AdtsError } from "./formats/adts.ts";
export {
  NotWavError,
  TruncatedWavError,
  UnsupportedWavFormatError,
  type WavErrorCode,
  WavHeaderTooLargeError,
  WavNotFoundError,
  WavNotRegularFileError,
  WavReadError,
  WavSizeLimitError,
} from "./formats/wav_errors.ts";
export {
  NotRegularFileTargetError,
  RecordingWriteError,
  SampleRateMismatchError,
  UnconvertibleFrameError,
} from "./formats/writer_errors.ts";
export { NullSink } from "./sinks/null_sink.ts";
export { SrtAudioFormatError } from "./base/srt_audio_error.ts";
export { EncodedAudioCodecError } from "./formats/encoded_audio_codec_error.ts";
export { registry as builtinRegistry } from "./registry.gen.ts";
export { createRuntime, type CreateRuntimeOptions } from "./runtime.ts";
export { Reverb, type ReverbConfig } from "./transforms/reverb.ts";
export {
  ImageOverlay,
  type ImageOverlayConfig,
  overlayPlacement,
} from "./transforms/image_overlay.ts";
export {
  ImageLoadError,
  type ImageLoadErrorCode,
  type ImageLoadErrorDetails,
} from "./video/image/error.ts";
export { TextOverlay, type TextOverlayConfig } from "./transforms/text_overlay.ts";
export { RtmpSink, type RtmpSinkConfig } from "./sinks/rtmp_sink.ts";
export { RtspSource, type RtspSourceConfig } from "./sources/rtsp_source.ts";
export { ScreenCapture, type ScreenCaptureConfig } from "./sources/screen_capture.ts";
export { Speaker, type SpeakerConfig, type SpeakerStats } from "./sinks/speaker.ts";
export { SrtSink, type SrtSinkConfig } from "./sinks/srt_sink.ts";
export { SrtSource, type SrtSourceConfig } from "./sources/srt_source.ts";
export { TestPattern, type TestPatternConfig } from "./sources/test_pattern.ts";
export { type TestToneConfig, TestToneGenerator } from "./sources/test_tone_generator.ts";
export {
  type CompositorLayer,
  VideoCompositor,
  type VideoCompositorConfig,
} from "./transforms/video_compositor.ts";
export { VideoScale, type VideoScaleConfig } from "./transforms/video_scale.ts";
export { VideoWindow, type VideoWindowConfig } from "./sinks/video_window.ts";
export {
  VoiceActivity,
  type VoiceActivityConfig,
  type VoiceActivityEvent,
} from "./transforms/voice_activity.ts";
export { WgslEffect, type WgslEffectConfig } from "./transforms/wgsl_effect.ts";
export { YuvToGpu } from "./transforms/yuv_to_gpu.ts";
export {
  InferenceFailedError,
  ModelError,
  type ModelErrorCode,
  ModelInvalidError,
  ModelMismatchError,
  ModelNotFoundError,
} from "./inference/model_errors.ts";
export { WavFileSource, type WavFileSourceConfig } from "./sources/wav_file_source.ts";
export { WavWriter, type WavWriterConfig } from "./sinks/wav_writer.ts";
export { Y4mFileSource, type Y4mFileSourceConfig } from "./sources/y4m_file_source.ts";
export { Y4mWriter, type Y4mWriterConfig } from "./sinks/y4m_writer.ts";
