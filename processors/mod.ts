/**
 * The built-in processors, each an annotated class whose ports, descriptor, config schema and
 * factory `deno task codegen` generated, and the registry that lists them.
 *
 * @example Build a tone → gain chain by hand
 * ```ts
 * import { assertConnectable, connectLocal, monotonicClock } from "@streamlib/streamlib";
 * import { gainNode, testToneGeneratorNode } from "@streamlib/streamlib/processors";
 *
 * const toneRef = testToneGeneratorNode.handle("tone");
 * const gainRef = gainNode.handle("gain");
 * assertConnectable(toneRef.outputs.audio, gainRef.inputs.in); // a mismatch would not compile
 *
 * const tonePorts = testToneGeneratorNode.ports();
 * const gainPorts = gainNode.ports();
 * const tone = testToneGeneratorNode.create({ frequency: 220 }, tonePorts);
 * const gain = gainNode.create({ gain: 0.5 }, gainPorts);
 * connectLocal(tonePorts.output("audio"), gainPorts.input("in"));
 * const ctx = { node: "demo", clock: monotonicClock };
 * tone.setup(ctx);
 * gain.setup(ctx);
 * tone.process(ctx);
 * gain.process(ctx);
 * ```
 *
 * @module
 */

export { AudioMixer, type AudioMixerConfig } from "./audio_mixer.ts";
export {
  type AudioMixerHandle,
  AudioMixerInputs,
  audioMixerNode,
  AudioMixerOutputs,
  type AudioMixerTypes,
} from "./audio_mixer.gen.ts";
export { Camera, type CameraConfig } from "./camera.ts";
export {
  type CameraHandle,
  CameraInputs,
  cameraNode,
  CameraOutputs,
  type CameraTypes,
} from "./camera.gen.ts";
export { describeProcessor, listProcessors } from "./catalog.ts";
export { ChannelConverter, type ChannelConverterConfig } from "./channel_converter.ts";
export {
  type ChannelConverterHandle,
  ChannelConverterInputs,
  channelConverterNode,
  ChannelConverterOutputs,
  type ChannelConverterTypes,
} from "./channel_converter.gen.ts";
export { ColorConvert, type ColorConvertConfig } from "./color_convert.ts";
export {
  type ColorConvertHandle,
  ColorConvertInputs,
  colorConvertNode,
  ColorConvertOutputs,
  type ColorConvertTypes,
} from "./color_convert.gen.ts";
export { Gain, type GainConfig } from "./gain.ts";
export { type GainHandle, GainInputs, gainNode, GainOutputs, type GainTypes } from "./gain.gen.ts";
export { H264Decoder } from "./h264_decoder.ts";
export {
  type H264DecoderHandle,
  H264DecoderInputs,
  h264DecoderNode,
  H264DecoderOutputs,
  type H264DecoderTypes,
} from "./h264_decoder.gen.ts";
export { H264Encoder, type H264EncoderConfig } from "./h264_encoder.ts";
export {
  type H264EncoderHandle,
  H264EncoderInputs,
  h264EncoderNode,
  H264EncoderOutputs,
  type H264EncoderTypes,
} from "./h264_encoder.gen.ts";
export { Microphone, type MicrophoneConfig } from "./microphone.ts";
export {
  type MicrophoneHandle,
  MicrophoneInputs,
  microphoneNode,
  MicrophoneOutputs,
  type MicrophoneTypes,
} from "./microphone.gen.ts";
export { Mp4FileSource, type Mp4FileSourceConfig } from "./mp4_file_source.ts";
export {
  type Mp4FileSourceHandle,
  Mp4FileSourceInputs,
  mp4FileSourceNode,
  Mp4FileSourceOutputs,
  type Mp4FileSourceTypes,
} from "./mp4_file_source.gen.ts";
export { Mp4Writer, type Mp4WriterConfig } from "./mp4_writer.ts";
export type { Mp4RecordingStats } from "./formats/mp4_recording.ts";
export {
  Mp4ReadError,
  Mp4WriteError,
  TruncatedMp4Error,
  UnsupportedMp4CodecError,
} from "./formats/mp4_errors.ts";
export {
  type Mp4WriterHandle,
  Mp4WriterInputs,
  mp4WriterNode,
  Mp4WriterOutputs,
  type Mp4WriterTypes,
} from "./mp4_writer.gen.ts";
export { NullSink } from "./null_sink.ts";
export {
  type NullSinkHandle,
  NullSinkInputs,
  nullSinkNode,
  NullSinkOutputs,
  type NullSinkTypes,
} from "./null_sink.gen.ts";
export { registry as builtinRegistry } from "./registry.gen.ts";
export { createRuntime, type CreateRuntimeOptions } from "./runtime.ts";
export { Reverb, type ReverbConfig } from "./reverb.ts";
export {
  type ReverbHandle,
  ReverbInputs,
  reverbNode,
  ReverbOutputs,
  type ReverbTypes,
} from "./reverb.gen.ts";
export { ScreenCapture, type ScreenCaptureConfig } from "./screen_capture.ts";
export {
  type ScreenCaptureHandle,
  ScreenCaptureInputs,
  screenCaptureNode,
  ScreenCaptureOutputs,
  type ScreenCaptureTypes,
} from "./screen_capture.gen.ts";
export { TestPattern, type TestPatternConfig } from "./test_pattern.ts";
export {
  type TestPatternHandle,
  TestPatternInputs,
  testPatternNode,
  TestPatternOutputs,
  type TestPatternTypes,
} from "./test_pattern.gen.ts";
export { type TestToneConfig, TestToneGenerator } from "./test_tone_generator.ts";
export {
  type TestToneGeneratorHandle,
  TestToneGeneratorInputs,
  testToneGeneratorNode,
  TestToneGeneratorOutputs,
  type TestToneGeneratorTypes,
} from "./test_tone_generator.gen.ts";
export { VideoScale, type VideoScaleConfig } from "./video_scale.ts";
export {
  type VideoScaleHandle,
  VideoScaleInputs,
  videoScaleNode,
  VideoScaleOutputs,
  type VideoScaleTypes,
} from "./video_scale.gen.ts";
export { WavFileSource, type WavFileSourceConfig } from "./wav_file_source.ts";
export {
  type WavFileSourceHandle,
  WavFileSourceInputs,
  wavFileSourceNode,
  WavFileSourceOutputs,
  type WavFileSourceTypes,
} from "./wav_file_source.gen.ts";
export { WavWriter, type WavWriterConfig } from "./wav_writer.ts";
export {
  type WavWriterHandle,
  WavWriterInputs,
  wavWriterNode,
  WavWriterOutputs,
  type WavWriterTypes,
} from "./wav_writer.gen.ts";
export { Y4mFileSource, type Y4mFileSourceConfig } from "./y4m_file_source.ts";
export {
  type Y4mFileSourceHandle,
  Y4mFileSourceInputs,
  y4mFileSourceNode,
  Y4mFileSourceOutputs,
  type Y4mFileSourceTypes,
} from "./y4m_file_source.gen.ts";
export { Y4mWriter, type Y4mWriterConfig } from "./y4m_writer.ts";
export {
  type Y4mWriterHandle,
  Y4mWriterInputs,
  y4mWriterNode,
  Y4mWriterOutputs,
  type Y4mWriterTypes,
} from "./y4m_writer.gen.ts";
