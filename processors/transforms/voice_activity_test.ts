import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  type DataFrame,
  InputBinding,
  OutputBinding,
} from "../../mod.ts";
import {
  ModelInvalidError,
  ModelMismatchError,
  ModelNotFoundError,
} from "../inference/model_errors.ts";
import { createRuntime } from "../runtime.ts";
import { VoiceActivity, type VoiceActivityEvent } from "./voice_activity.ts";
import { voiceActivityNode } from "./voice_activity.gen.ts";

function harness(config: Record<string, unknown> = {}) {
  const ports = voiceActivityNode.ports();
  const node = voiceActivityNode.create(config, ports) as VoiceActivity;
  const source = new OutputBinding<AudioFrame>("source", "AudioFrame");
  const speech = new InputBinding<AudioFrame>("speech", "AudioFrame");
  const events = new InputBinding<DataFrame<VoiceActivityEvent>>("events", "DataFrame");
  connectLocal(source, ports.input("in"), { capacity: 1024 });
  connectLocal(ports.output("speech"), speech, { capacity: 1024 });
  connectLocal(ports.output("events"), events, { capacity: 64 });
  return { node, source, speech, events, ctx: createProcessContext("vad") };
}

Deno.test("VoiceActivity config refuses values out of range with invalid_config", () => {
  const rt = createRuntime();
  const bad: Record<string, unknown>[] = [
    { threshold: 0 },
    { threshold: 1.5 },
    { minSpeechMs: -1 },
    { minSilenceMs: 10.5 },
    { padMs: 5000 },
    { model: 3 },
    { window: 512 },
  ];
  for (const config of bad) {
    assert.throws(
      () => rt.add(VoiceActivity, config),
      (e: unknown) => (e as { code?: string }).code === "invalid_config",
      JSON.stringify(config),
    );
  }
});

Deno.test("VoiceActivity setup() fails with model_not_found for a missing model file", async () => {
  const { node, ctx } = harness({ model: "/nonexistent/silero.onnx" });
  await assert.rejects(
    node.setup(ctx),
    (e: unknown) =>
      e instanceof ModelNotFoundError && e.code === "model_not_found" &&
      e.path === "/nonexistent/silero.onnx",
  );
  node.teardown();
});

Deno.test("VoiceActivity setup() fails with model_invalid for a corrupt or truncated model", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const garbage = `${dir}/garbage.onnx`;
    await Deno.writeFile(garbage, new TextEncoder().encode("not a model at all"));
    const { SILERO_VAD_MODEL } = await import("../inference/silero_vad.ts");
    const real = await Deno.readFile(new URL(import.meta.resolve(SILERO_VAD_MODEL)));
    const truncated = `${dir}/truncated.onnx`;
    await Deno.writeFile(truncated, real.subarray(0, real.length >> 1));
    for (const model of [garbage, truncated, dir]) {
      const { node, ctx } = harness({ model });
      await assert.rejects(
        node.setup(ctx),
        (e: unknown) => e instanceof ModelInvalidError && e.code === "model_invalid",
        model,
      );
      node.teardown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VoiceActivity setup() fails with model_mismatch for another model (Silero v4)", async () => {
  const v4 = new URL(
    import.meta.resolve("npm:@ricky0123/vad-web@0.0.31/dist/silero_vad_legacy.onnx"),
  );
  const { node, ctx } = harness({ model: v4.pathname });
  await assert.rejects(
    node.setup(ctx),
    (e: unknown) =>
      e instanceof ModelMismatchError && e.code === "model_mismatch" &&
      e.actual.includes("h") && e.expected.includes("state"),
  );
  node.teardown();
});

Deno.test("VoiceActivity in a runtime: a missing model puts the node in error with model_not_found", async () => {
  await using rt = createRuntime();
  const errors: { code?: string; phase: string }[] = [];
  rt.on((e) => e.type === "node-error" && errors.push(e));
  rt.add(VoiceActivity, { model: "/nonexistent/silero.onnx" }, { id: "vad" });
  await rt.start();
  assert.equal(rt.describe().nodes.find((n) => n.id === "vad")?.state, "error");
  assert.deepEqual(errors.map((e) => [e.phase, e.code]), [["setup", "model_not_found"]]);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("VoiceActivity writes nothing and no event for silence, and holds no frame after teardown", async () => {
  const { node, source, speech, events, ctx } = harness({ padMs: 0 });
  await node.setup(ctx);
  for (let i = 0; i < 100; i++) {
    source.write({ ...createAudioFrame(2, 48_000, 480), timestampNs: i * 10_000_000 });
    await node.process(ctx);
    ctx.frames.flush();
  }
  assert.equal(speech.read(), undefined);
  assert.equal(events.read(), undefined);
  assert.equal(node.speaking, false);
  assert.equal(node.windows, Math.floor((100 * 160 - 1) / 512)); // less the resampler's delay
  assert.ok(node.inferenceMs > 0);
  node.teardown();
  node.teardown(); // idempotent
});
