/**
 * Errors of inference models: a model file that is missing, is not a model, or is another model
 * than the processor runs, and an inference runtime that fails. They share the base class
 * {@linkcode ModelError}; `code` says which.
 *
 * @module
 */

/** The machine code of each model error. */
export type ModelErrorCode =
  | "model_not_found"
  | "model_invalid"
  | "model_mismatch"
  | "inference_failed";

/**
 * Any failure to load or run an inference model; the subclasses say what was wrong.
 *
 * @example Catch every model failure
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelError, ModelNotFoundError } from "./model_errors.ts";
 *
 * const error: unknown = new ModelNotFoundError("Silero VAD", "/models/vad.onnx");
 * assert.ok(error instanceof ModelError);
 * assert.equal(error.code, "model_not_found");
 * assert.equal(error.message, "Cannot load model Silero VAD from '/models/vad.onnx': file not found");
 * ```
 */
export class ModelError extends Error {
  /** Stable machine code naming the failure. */
  readonly code: ModelErrorCode = "model_invalid";
  /** The model's name (`Silero VAD`). */
  readonly model: string;
  /** Where the model file is (or was looked for). */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param model The model's name.
   * @param path Where the model file is.
   * @param detail What was wrong.
   * @param options The underlying error, if any.
   * @param action What failed: loading the model (the default) or running it.
   */
  constructor(
    model: string,
    path: string,
    detail: string,
    options?: ErrorOptions,
    action: "load" | "run" = "load",
  ) {
    super(
      action === "load"
        ? `Cannot load model ${model} from '${path}': ${detail}`
        : `Cannot run model ${model} ('${path}'): ${detail}`,
      options,
    );
    this.name = "ModelError";
    this.model = model;
    this.path = path;
  }
}

/**
 * The model file does not exist, or the package that ships it is not installed.
 *
 * @example Tell a missing model from other failures
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelNotFoundError } from "./model_errors.ts";
 *
 * const error = new ModelNotFoundError("Silero VAD", "vad.onnx");
 * assert.equal(error.code, "model_not_found");
 * ```
 */
export class ModelNotFoundError extends ModelError {
  /** Stable machine code naming the failure. */
  override readonly code = "model_not_found";

  /**
   * Creates the error.
   *
   * @param model The model's name.
   * @param path Where the file was looked for.
   * @param detail What is missing; `file not found` when not given.
   * @param options The underlying error, if any.
   */
  constructor(model: string, path: string, detail = "file not found", options?: ErrorOptions) {
    super(model, path, detail, options);
    this.name = "ModelNotFoundError";
  }
}

/**
 * The file is not a model the inference runtime can load (not ONNX, truncated, corrupt).
 *
 * @example A file that is not a model
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelInvalidError } from "./model_errors.ts";
 *
 * const error = new ModelInvalidError("Silero VAD", "vad.onnx", new Error("protobuf parsing failed"));
 * assert.equal(error.code, "model_invalid");
 * assert.match(error.message, /not a valid ONNX model: protobuf parsing failed$/);
 * ```
 */
export class ModelInvalidError extends ModelError {
  /** Stable machine code naming the failure. */
  override readonly code = "model_invalid";

  /**
   * Creates the error.
   *
   * @param model The model's name.
   * @param path The file.
   * @param cause The runtime's error.
   */
  constructor(model: string, path: string, cause: unknown) {
    super(model, path, `not a valid ONNX model: ${messageOf(cause)}`, { cause });
    this.name = "ModelInvalidError";
  }
}

/**
 * The file is an ONNX model, but not the one the processor runs: its inputs or outputs differ.
 *
 * @example A model with other inputs and outputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { ModelMismatchError } from "./model_errors.ts";
 *
 * const error = new ModelMismatchError("Silero VAD", "m.onnx", ["input", "state", "sr"], ["x"]);
 * assert.equal(error.code, "model_mismatch");
 * assert.deepEqual(error.expected, ["input", "state", "sr"]);
 * ```
 */
export class ModelMismatchError extends ModelError {
  /** Stable machine code naming the failure. */
  override readonly code = "model_mismatch";
  /** The input and output names the processor needs. */
  readonly expected: readonly string[];
  /** The input and output names the file has. */
  readonly actual: readonly string[];

  /**
   * Creates the error.
   *
   * @param model The model's name.
   * @param path The file.
   * @param expected The input and output names the processor needs.
   * @param actual The ones the file has.
   */
  constructor(model: string, path: string, expected: readonly string[], actual: readonly string[]) {
    super(
      model,
      path,
      `its inputs and outputs are ${actual.join(", ")}, expected ${expected.join(", ")}`,
    );
    this.name = "ModelMismatchError";
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * The inference runtime failed: it could not be loaded, or a run of a loaded model failed.
 *
 * @example A failed run
 * ```ts
 * import assert from "node:assert/strict";
 * import { InferenceFailedError } from "./model_errors.ts";
 *
 * const error = new InferenceFailedError("Silero VAD", "vad.onnx", new Error("out of memory"));
 * assert.equal(error.code, "inference_failed");
 * assert.equal(error.message, "Cannot run model Silero VAD ('vad.onnx'): out of memory");
 * ```
 */
export class InferenceFailedError extends ModelError {
  /** Stable machine code naming the failure. */
  override readonly code = "inference_failed";

  /**
   * Creates the error.
   *
   * @param model The model's name.
   * @param path The model file.
   * @param cause The runtime's error.
   */
  constructor(model: string, path: string, cause: unknown) {
    super(model, path, messageOf(cause), { cause }, "run");
    this.name = "InferenceFailedError";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
