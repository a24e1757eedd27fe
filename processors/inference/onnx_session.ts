/**
 * An ONNX model loaded into `onnxruntime-web`'s WebAssembly backend: the one place a processor
 * gets an inference session from. It reads the model file, checks that it has the inputs and
 * outputs the processor feeds and reads ({@linkcode ModelSpec}), turns every failure into a
 * typed {@linkcode ModelError}, and frees the session with an idempotent `close()`. A processor
 * opens one in `setup()` (importing this module there, so a program that never runs the model
 * does not load the runtime) and closes it in `teardown()`; see docs/writing_processors.md,
 * "Inference processors".
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type * as Ort from "onnxruntime-web";
import {
  InferenceFailedError,
  ModelInvalidError,
  ModelMismatchError,
  ModelNotFoundError,
} from "./model_errors.ts";

/** The `onnxruntime-web` module: its `Tensor` class builds a session's inputs. */
export type OnnxRuntime = typeof Ort;

/** A tensor of `onnxruntime-web`. */
export type OnnxTensor = Ort.Tensor;

/** What a processor expects of its model file. */
export interface ModelSpec {
  /** The model's name in messages (`Silero VAD`). */
  readonly name: string;
  /** The input names the processor feeds, all of the model's. */
  readonly inputs: readonly string[];
  /** The output names the processor reads, all of the model's. */
  readonly outputs: readonly string[];
}

let runtime: Promise<OnnxRuntime> | undefined;

/**
 * Imports `onnxruntime-web` once per isolate, set to one thread (no Worker of its own: a node
 * that needs inference off the main isolate is placed on a Worker) and quiet logging.
 */
function loadRuntime(): Promise<OnnxRuntime> {
  runtime ??= import("onnxruntime-web").then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = "error";
    return ort;
  });
  return runtime;
}

/**
 * The path of a model file shipped in an npm package, from its `npm:` specifier
 * (`npm:@ricky0123/vad-web@0.0.31/dist/silero_vad_v5.onnx`).
 *
 * @param model The model's name, for the error.
 * @param specifier The file's `npm:` specifier.
 * @returns The file's path in `node_modules`.
 * @throws {ModelNotFoundError} When the package is not installed in a `node_modules` directory.
 *
 * @example Find Silero VAD in node_modules
 * ```ts
 * import assert from "node:assert/strict";
 * import { packagedModelPath } from "./onnx_session.ts";
 *
 * const path = packagedModelPath("Silero VAD", "npm:@ricky0123/vad-web@0.0.31/dist/silero_vad_v5.onnx");
 * assert.ok(path.endsWith("silero_vad_v5.onnx"));
 * ```
 */
export function packagedModelPath(model: string, specifier: string): string {
  let url: string;
  try {
    url = import.meta.resolve(specifier);
  } catch (cause) {
    throw new ModelNotFoundError(model, specifier, "its package is not installed", { cause });
  }
  if (!url.startsWith("file:")) {
    throw new ModelNotFoundError(
      model,
      specifier,
      'its package is not in a node_modules directory (list it in deno.json\'s "imports" with "nodeModulesDir": "auto" and run deno install, or in package.json and run npm install, or give the model\'s path)',
    );
  }
  return fileURLToPath(url);
}

/**
 * An inference session of one ONNX model.
 *
 * @example Open the packaged Silero VAD, run it once, close it
 * ```ts
 * import assert from "node:assert/strict";
 * import { OnnxSession, packagedModelPath } from "./onnx_session.ts";
 * import { SILERO_VAD_MODEL, SILERO_VAD_SPEC } from "./silero_vad.ts";
 *
 * using session = await OnnxSession.open(packagedModelPath("Silero VAD", SILERO_VAD_MODEL), SILERO_VAD_SPEC);
 * const { Tensor } = session.ort;
 * const out = await session.run({
 *   input: new Tensor("float32", new Float32Array(576), [1, 576]),
 *   state: new Tensor("float32", new Float32Array(256), [2, 1, 128]),
 *   sr: new Tensor("int64", BigInt64Array.of(16_000n), []),
 * });
 * assert.ok((out.output.data as Float32Array)[0] < 0.1); // silence
 * ```
 */
export class OnnxSession implements Disposable {
  /** The `onnxruntime-web` module, for building input tensors. */
  readonly ort: OnnxRuntime;
  /** What the model is. */
  readonly spec: ModelSpec;
  /** The model file. */
  readonly path: string;
  #session: Ort.InferenceSession | undefined;

  private constructor(
    ort: OnnxRuntime,
    spec: ModelSpec,
    path: string,
    session: Ort.InferenceSession,
  ) {
    this.ort = ort;
    this.spec = spec;
    this.path = path;
    this.#session = session;
  }

  /**
   * Loads the model at `path` and checks its inputs and outputs against `spec`.
   *
   * @param path The `.onnx` file.
   * @param spec What the caller expects of it.
   * @returns The open session.
   * @throws {ModelNotFoundError} When the file does not exist.
   * @throws {ModelInvalidError} When it is not a model the runtime loads.
   * @throws {ModelMismatchError} When its inputs or outputs are not `spec`'s.
   * @throws {InferenceFailedError} When `onnxruntime-web` cannot be loaded.
   */
  static async open(path: string, spec: ModelSpec): Promise<OnnxSession> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) {
        throw new ModelNotFoundError(spec.name, path, "file not found", { cause });
      }
      if (cause instanceof Deno.errors.PermissionDenied) throw cause;
      throw new ModelInvalidError(spec.name, path, cause);
    }
    let ort: OnnxRuntime;
    try {
      ort = await loadRuntime();
    } catch (cause) {
      runtime = undefined;
      throw new InferenceFailedError(spec.name, path, cause);
    }
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    } catch (cause) {
      throw new ModelInvalidError(spec.name, path, cause);
    }
    const expected = [...spec.inputs, ...spec.outputs];
    const actual = [...session.inputNames, ...session.outputNames];
    if (
      !sameNames(spec.inputs, session.inputNames) || !sameNames(spec.outputs, session.outputNames)
    ) {
      await session.release();
      throw new ModelMismatchError(spec.name, path, expected, actual);
    }
    return new OnnxSession(ort, spec, path, session);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#session === undefined;
  }

  /**
   * Runs the model once.
   *
   * @param feeds One tensor per input of the spec.
   * @returns The outputs by name.
   * @throws {InferenceFailedError} When the run fails or the session is closed.
   */
  async run(feeds: Record<string, OnnxTensor>): Promise<Record<string, OnnxTensor>> {
    const session = this.#session;
    if (session === undefined) {
      throw new InferenceFailedError(this.spec.name, this.path, "the session is closed");
    }
    try {
      return await session.run(feeds);
    } catch (cause) {
      throw new InferenceFailedError(this.spec.name, this.path, cause);
    }
  }

  /** Frees the session. Idempotent. */
  close(): void {
    const session = this.#session;
    this.#session = undefined;
    // release() frees the WebAssembly memory at once; its promise has nothing to wait for.
    session?.release().catch(() => {});
  }

  /** Same as {@linkcode OnnxSession.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function sameNames(expected: readonly string[], actual: readonly string[]): boolean {
  return expected.length === actual.length && expected.every((name) => actual.includes(name));
}
