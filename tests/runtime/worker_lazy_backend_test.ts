/**
 * The Worker backend `createRuntime()` injects is a stand-in (`LazyWorkerBackend`) that imports
 * `ffi/workers/backend.ts` on the first Worker placement: Worker nodes added before and after
 * `start()` run, with the channels to them opened once the backend is loaded, and a graph that
 * stays on the main isolate never loads it.
 */

import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { LazyWorkerBackend } from "../../ffi/workers/lazy_backend.ts";
import { registry as builtinRegistry } from "../../processors/registry.gen.ts";
import { until } from "../fixtures/workers/harness.ts";

const POOL = { slotBytes: 65_536, slotCount: 64 } as const;

function lazyRuntime(): { rt: Runtime; isolates: LazyWorkerBackend } {
  const isolates = new LazyWorkerBackend({ pool: POOL });
  return { rt: new Runtime({ registry: builtinRegistry, isolates }), isolates };
}

Deno.test("LazyWorkerBackend runs a Worker node added and connected before start()", async () => {
  const { rt, isolates } = lazyRuntime();
  try {
    rt.add("TestToneGenerator", {}, { id: "tone" });
    rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("tone", "audio", "gain", "in");
    rt.connectByName("gain", "out", "sink", "in");
    assert.equal(isolates.backend, undefined, "the import has not finished synchronously");
    assert.equal(rt.stats().nodes.gain.framesIn, 0); // answered by the stand-in meanwhile
    await rt.start();
    assert.ok(isolates.backend, "start() waited for the backend");
    await until(() => rt.stats().nodes.sink.framesIn >= 5, "frames through the Worker");
    assert.equal(rt.describe().nodes.find((n) => n.id === "gain")?.isolate, "worker:dsp");
  } finally {
    await rt.stop();
    await isolates.close();
  }
});

Deno.test("LazyWorkerBackend runs a Worker node added while the graph runs", async () => {
  const { rt, isolates } = lazyRuntime();
  try {
    rt.add("TestToneGenerator", {}, { id: "tone" });
    rt.add("NullSink", {}, { id: "direct" });
    rt.connectByName("tone", "audio", "direct", "in");
    await rt.start();
    assert.equal(isolates.backend, undefined);
    rt.add("Gain", {}, { id: "gain", placement: { worker: "dsp" } });
    rt.add("NullSink", {}, { id: "sink" });
    rt.connectByName("tone", "audio", "gain", "in");
    rt.connectByName("gain", "out", "sink", "in");
    await rt.settled();
    assert.ok(isolates.backend);
    await until(() => rt.stats().nodes.sink.framesIn >= 5, "frames through the late Worker");
    assert.equal(rt.stats().nodes.gain.state, "running");
  } finally {
    await rt.stop();
    await isolates.close();
  }
});

Deno.test("LazyWorkerBackend never loads the Worker backend for a main-isolate graph", async () => {
  const { rt, isolates } = lazyRuntime();
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "sink", "in");
  await rt.start();
  await until(() => rt.stats().nodes.sink.framesIn >= 2, "frames on the main isolate");
  await rt.stop();
  // load() is the only importer of ffi/workers/backend.ts in createRuntime()'s static graph
  // (tests/import_cost_test.ts); it never ran.
  assert.equal(isolates.backend, undefined);
  assert.deepEqual(isolates.workers, {});
});
