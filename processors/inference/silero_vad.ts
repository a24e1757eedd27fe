/**
 * The Silero VAD v5 model: the speech probability of each 32 ms window of 16 kHz mono audio.
 *
 * @module
 */

import { type ModelSpec, OnnxSession, type OnnxTensor, packagedModelPath } from "./onnx_session.ts";

/** The sample rate the model runs at. */
export const SILERO_SAMPLE_RATE = 16_000;

/** Samples in one window (32 ms at 16 kHz). */
export const SILERO_WINDOW = 512;

/** Samples of the previous window the model sees before each window (v5's context). */
const CONTEXT = 64;

/** The model's inputs and outputs. */
export const SILERO_VAD_SPEC: ModelSpec = {
  name: "Silero VAD",
  inputs: ["input", "state", "sr"],
  outputs: ["output", "stateN"],
};

/**
 * The packaged model file: Silero VAD v5 (MIT) as `@ricky0123/vad-web` ships it on npm. Its
 * version is the one `deno.json` maps `@ricky0123/vad-web/` to and `package.json` installs.
 */
export const SILERO_VAD_MODEL = "npm:@ricky0123/vad-web@0.0.31/dist/silero_vad_v5.onnx";

/**
 * Silero VAD v5 over an {@linkcode OnnxSession}: feed 512-sample windows of 16 kHz mono audio in
 * order, get each one's speech probability. The model's recurrent state and the 64 samples of
 * context it sees before each window carry from one call to the next; `reset()` starts a new
 * stream.
 *
 * @example The probability of one window of silence
 * ```ts
 * import assert from "node:assert/strict";
 * import { SileroVad, SILERO_WINDOW } from "./silero_vad.ts";
 *
 * using vad = await SileroVad.open();
 * const p = await vad.probability(new Float32Array(SILERO_WINDOW));
 * assert.ok(p >= 0 && p < 0.1);
 * ```
 */
export class SileroVad implements Disposable {
  readonly #session: OnnxSession;
  /** Context then window: the model's `input` of shape [1, 576], reused by every call. */
  readonly #samples = new Float32Array(CONTEXT + SILERO_WINDOW);
  readonly #input: OnnxTensor;
  readonly #rate: OnnxTensor;
  #state: OnnxTensor;

  private constructor(session: OnnxSession) {
    this.#session = session;
    const { Tensor } = session.ort;
    this.#input = new Tensor("float32", this.#samples, [1, CONTEXT + SILERO_WINDOW]);
    this.#rate = new Tensor("int64", BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE)), []);
    this.#state = this.#zeroState();
  }

  /**
   * Loads the model.
   *
   * @param path A Silero VAD v5 `.onnx` file; the packaged one ({@linkcode SILERO_VAD_MODEL})
   *   when not given.
   * @returns The model, ready for the first window.
   * @throws {ModelNotFoundError} When the file (or the package shipping it) is missing.
   * @throws {ModelInvalidError} When the file is not an ONNX model.
   * @throws {ModelMismatchError} When it is not a Silero VAD v5 model.
   * @throws {InferenceFailedError} When `onnxruntime-web` cannot be loaded.
   */
  static async open(path?: string): Promise<SileroVad> {
    const file = path ?? packagedModelPath(SILERO_VAD_SPEC.name, SILERO_VAD_MODEL);
    return new SileroVad(await OnnxSession.open(file, SILERO_VAD_SPEC));
  }

  /** The model file. */
  get path(): string {
    return this.#session.path;
  }

  /**
   * The speech probability of the next window of the stream.
   *
   * @param window {@linkcode SILERO_WINDOW} samples of 16 kHz mono audio, -1 to 1.
   * @returns The probability, 0 to 1.
   * @throws {InferenceFailedError} When the run fails.
   */
  async probability(window: Float32Array): Promise<number> {
    const samples = this.#samples;
    samples.set(window.subarray(0, SILERO_WINDOW), CONTEXT);
    const out = await this.#session.run({ input: this.#input, state: this.#state, sr: this.#rate });
    this.#state = out.stateN;
    samples.copyWithin(0, SILERO_WINDOW, SILERO_WINDOW + CONTEXT); // the next window's context
    return (out.output.data as Float32Array)[0];
  }

  /** Forgets the stream: zero state and context. */
  reset(): void {
    this.#samples.fill(0);
    this.#state = this.#zeroState();
  }

  /** Frees the session. Idempotent. */
  close(): void {
    this.#session.close();
  }

  /** Same as {@linkcode SileroVad.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #zeroState(): OnnxTensor {
    return new this.#session.ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]);
  }
}
