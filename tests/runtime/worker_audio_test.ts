import assert from "node:assert/strict";
import { sleep, until, workerRig } from "../fixtures/workers/harness.ts";
import { tap } from "../fixtures/workers/worker_nodes.ts";

Deno.test("WorkerBackend runs a Gain in a Worker: tone (main) -> gain (worker) -> tap (main) gets gain x tone, in order", async () => {
  await using rig = workerRig();
  const { rt } = rig;
  rt.add("TestToneGenerator", { frequency: 997, amplitude: 0.4 }, { id: "tone" });
  rt.add("Gain", { gain: 0.5 }, { id: "gain", placement: { worker: "dsp" } });
  rt.add("AudioTap", {}, { id: "wet" });
  rt.add("AudioTap", {}, { id: "dry" });
  const toGain = rt.connectByName("tone", "audio", "gain", "in");
  const fromGain = rt.connectByName("gain", "out", "wet", "in");
  rt.connectByName("tone", "audio", "dry", "in");

  await rt.start();
  const running = rt.describe();
  assert.equal(running.nodes.find((n) => n.id === "gain")!.state, "running");
  await until(() => tap("wet").frameNumbers.length >= 20, "20 blocks through the Worker");
  await sleep(50);
  await rt.stop();

  const wet = tap("wet");
  const dry = tap("dry");
  const sent = rt.stats().nodes.tone.framesOut;
  // stop() drained the Worker: every block the tone wrote came back, in order.
  assert.deepEqual(wet.frameNumbers, dry.frameNumbers);
  assert.deepEqual(wet.frameNumbers, Array.from({ length: sent }, (_, i) => i));
  for (let block = 0; block < wet.samples.length; block++) {
    const expected = dry.samples[block].map((x) => Math.fround(x * 0.5));
    assert.deepEqual(wet.samples[block], expected, `block ${block}`);
  }

  const stats = rt.stats();
  assert.equal(stats.nodes.gain.framesIn, sent);
  assert.equal(stats.nodes.gain.framesOut, sent);
  assert.equal(stats.nodes.gain.calls > 0, true);
  assert.equal(stats.nodes.gain.state, "stopped");
  for (const c of [toGain.id, fromGain.id]) {
    const s = stats.connections[c] as typeof stats.connections[string] & { copiedWrites: number };
    assert.equal(s.written, sent, c);
    assert.equal(s.read, sent, c);
    assert.equal(s.copiedWrites, 0, `${c}: audio blocks cross in pool slots, by reference`);
  }

  const described = rt.describe();
  const gain = described.nodes.find((n) => n.id === "gain")!;
  assert.deepEqual(gain.placement, { worker: "dsp" });
  assert.equal(gain.isolate, "worker:dsp");
  assert.equal(gain.stats.framesOut, sent);
  assert.deepEqual(described.isolates, { main: ["tone", "wet", "dry"], "worker:dsp": ["gain"] });
  assert.deepEqual(
    described.connections.map((c) => [c.id, c.crossIsolate]),
    [[toGain.id, true], [fromGain.id, true], ["conn_3", false]],
  );
});
