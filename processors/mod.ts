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
import "./audio_mixer.gen.ts";
import "./camera.gen.ts";
import "./channel_converter.gen.ts";
import "./color_convert.gen.ts";
import "./gain.gen.ts";
import "./h264_decoder.gen.ts";
import "./h264_encoder.gen.ts";
import "./microphone.gen.ts";
import "./mp4_file_source.gen.ts";
import "./mp4_writer.gen.ts";
import "./null_sink.gen.ts";
import "./reverb.gen.ts";
import "./rtmp_sink.gen.ts";
import "./screen_capture.gen.ts";
import "./srt_sink.gen.ts";
import "./srt_source.gen.ts";
import "./test_pattern.gen.ts";
import "./test_tone_generator.gen.ts";
import "./video_scale.gen.ts";
import "./wav_file_source.gen.ts";
import "./wav_writer.gen.ts";
import "./whep_sink.gen.ts";
import "./whip_sink.gen.ts";
import "./whip_source.gen.ts";
import "./y4m_file_source.gen.ts";
import "./y4m_writer.gen.ts";

export { AudioMixer, type AudioMixerConfig } from "./audio_mixer.ts";
export { Camera, type CameraConfig } from "./camera.ts";
export { describeProcessor, listProcessors } from "./catalog.ts";
export { ChannelConverter, type ChannelConverterConfig } from "./channel_converter.ts";
export { ColorConvert, type ColorConvertConfig } from "./color_convert.ts";
export { Gain, type GainConfig } from "./gain.ts";
export { H264Decoder } from "./h264_decoder.ts";
export { H264Encoder, type H264EncoderConfig } from "./h264_encoder.ts";
export { Microphone, type MicrophoneConfig } from "./microphone.ts";
export { Mp4FileSource, type Mp4FileSourceConfig } from "./mp4_file_source.ts";
export { Mp4Writer, type Mp4WriterConfig } from "./mp4_writer.ts";
export { WhepSink, type WhepSinkConfig } from "./whep_sink.ts";
export { WhipSink, type WhipSinkConfig } from "./whip_sink.ts";
export { WhipSource, type WhipSourceConfig } from "./whip_source.ts";
export type { Mp4RecordingStats } from "./formats/mp4_recording.ts";
export {
  Mp4ReadError,
  Mp4WriteError,
  TruncatedMp4Error,
  UnsupportedMp4CodecError,
} from "./formats/mp4_errors.ts";
export { NullSink } from "./null_sink.ts";
export { registry as builtinRegistry } from "./registry.gen.ts";
export { createRuntime, type CreateRuntimeOptions } from "./runtime.ts";
export { Reverb, type ReverbConfig } from "./reverb.ts";
export { RtmpSink, type RtmpSinkConfig } from "./rtmp_sink.ts";
export { ScreenCapture, type ScreenCaptureConfig } from "./screen_capture.ts";
export { SrtSink, type SrtSinkConfig } from "./srt_sink.ts";
export { SrtSource, type SrtSourceConfig } from "./srt_source.ts";
export { TestPattern, type TestPatternConfig } from "./test_pattern.ts";
export { type TestToneConfig, TestToneGenerator } from "./test_tone_generator.ts";
export { VideoScale, type VideoScaleConfig } from "./video_scale.ts";
export { WavFileSource, type WavFileSourceConfig } from "./wav_file_source.ts";
export { WavWriter, type WavWriterConfig } from "./wav_writer.ts";
export { Y4mFileSource, type Y4mFileSourceConfig } from "./y4m_file_source.ts";
export { Y4mWriter, type Y4mWriterConfig } from "./y4m_writer.ts";
