import assert from "node:assert/strict";
import { InferenceFailedError, ModelNotFoundError } from "./model_errors.ts";
import { OnnxSession, packagedModelPath } from "./onnx_session.ts";
import { SILERO_VAD_MODEL, SILERO_VAD_SPEC } from "./silero_vad.ts";

Deno.test("packagedModelPath() finds a file of an installed npm package in node_modules", async () => {
  const path = packagedModelPath("Silero VAD", SILERO_VAD_MODEL);
  assert.match(path, /node_modules\/@ricky0123\/vad-web\/dist\/silero_vad_v5\.onnx$/);
  assert.ok((await Deno.stat(path)).size > 1_000_000);
});

Deno.test("packagedModelPath() refuses a package that is not installed with model_not_found", () => {
  assert.throws(
    () => packagedModelPath("X", "npm:@streamlib/no-such-model-package@1.0.0/model.onnx"),
    (e: unknown) => e instanceof ModelNotFoundError && e.code === "model_not_found",
  );
});

Deno.test("OnnxSession runs Silero VAD, then refuses to run once closed; close() is idempotent", async () => {
  const session = await OnnxSession.open(
    packagedModelPath("Silero VAD", SILERO_VAD_MODEL),
    SILERO_VAD_SPEC,
  );
  const { Tensor } = session.ort;
  const feeds = {
    input: new Tensor("float32", new Float32Array(576), [1, 576]),
    state: new Tensor("float32", new Float32Array(256), [2, 1, 128]),
    sr: new Tensor("int64", BigInt64Array.of(16_000n), []),
  };
  const out = await session.run(feeds);
  assert.deepEqual(Object.keys(out).sort(), ["output", "stateN"]);
  assert.deepEqual(out.stateN.dims, [2, 1, 128]);
  // A wrong shape is the runtime's error, typed.
  await assert.rejects(
    session.run({ ...feeds, state: new Tensor("float32", new Float32Array(3), [3]) }),
    (e: unknown) => e instanceof InferenceFailedError && e.code === "inference_failed",
  );
  session.close();
  session.close();
  assert.equal(session.closed, true);
  await assert.rejects(session.run(feeds), InferenceFailedError);
});
