/**
 * Inference for processors: an ONNX model in `onnxruntime-web`'s WebAssembly backend
 * ({@linkcode OnnxSession}), a model file shipped in an npm package ({@linkcode packagedModelPath}),
 * typed model errors, and the models the built-ins run: {@linkcode SileroVad} with
 * {@linkcode SpeechSegmenter} and {@linkcode StopRefiner} (`VoiceActivity`). A processor of your own imports this module in its
 * `setup()`, opens its session there and closes it in `teardown()` (docs/writing_processors.md,
 * "Inference processors").
 *
 * @example Score one window of silence with Silero VAD
 * ```ts
 * import assert from "node:assert/strict";
 * import { SILERO_WINDOW, SileroVad } from "@streamlib/streamlib/processors/inference";
 *
 * using vad = await SileroVad.open(); // the model packaged on npm
 * const probability = await vad.probability(new Float32Array(SILERO_WINDOW));
 * assert.ok(probability < 0.1);
 * ```
 *
 * @module
 */

export {
  InferenceFailedError,
  ModelError,
  type ModelErrorCode,
  ModelInvalidError,
  ModelMismatchError,
  ModelNotFoundError,
} from "./model_errors.ts";
export {
  type ModelSpec,
  type OnnxRuntime,
  OnnxSession,
  type OnnxTensor,
  packagedModelPath,
} from "./onnx_session.ts";
export {
  SILERO_SAMPLE_RATE,
  SILERO_VAD_MODEL,
  SILERO_VAD_SPEC,
  SILERO_WINDOW,
  SileroVad,
} from "./silero_vad.ts";
export {
  type Segment,
  type SegmentBoundary,
  type SegmenterOptions,
  SpeechSegmenter,
  type StopRefinement,
} from "./speech_segmenter.ts";
export { LEVEL_BLOCK, StopRefiner, type StopRefinerOptions } from "./stop_refiner.ts";
