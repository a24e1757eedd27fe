/**
 * The runner's operator calls: `list()`, `inspect()` and `end()` on real session isolates.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PipelineRunner, SessionError } from "../../sessions/mod.ts";
import { BUILTIN, FAULTY, gain, through } from "./pipelines.ts";

const block = (value = 0.25) =>
  ({
    kind: "audio",
    channels: 2,
    sampleRate: 16_000,
    samples: new Float32Array(320).fill(value),
  }) as const;

Deno.test("PipelineRunner.list() shows each open session with its pipeline, counts and heap", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN] });
  try {
    assert.deepEqual(await runner.list(), []);
    const before = Date.now();
    const a = await runner.stream(gain(2), { pipeline: "double" });
    const b = await runner.stream(gain(3));
    await a.send("audio", block());
    await a.send("audio", block());
    const reader = a.outputs()[Symbol.asyncIterator]();
    await reader.next();
    const list = await runner.list();
    assert.deepEqual(
      list.map(({ id, pipeline, state, framesIn, framesOut }) => ({
        id,
        pipeline,
        state,
        framesIn,
        framesOut,
      })),
      [
        { id: a.id, pipeline: "double", state: "running", framesIn: 2, framesOut: 1 },
        { id: b.id, pipeline: "", state: "running", framesIn: 0, framesOut: 0 },
      ],
    );
    for (const info of list) {
      assert.ok(Date.parse(info.startedAt) >= before - 1000, info.startedAt);
      assert.ok(typeof info.heapBytes === "number" && info.heapBytes > 1_000_000);
    }
    // Plain JSON: what the admin API sends as is.
    assert.deepEqual(JSON.parse(JSON.stringify(list)), list);
    await a.close();
    assert.deepEqual((await runner.list()).map((s) => s.id), [b.id]);
  } finally {
    await runner.close();
  }
});

Deno.test("PipelineRunner.inspect() gives the session's graph as its runtime describes it", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN] });
  try {
    const session = await runner.stream(gain(2), { pipeline: "double" });
    await session.send("audio", block());
    const snapshot = await runner.inspect(session.id);
    assert.equal(snapshot.id, session.id);
    assert.equal(snapshot.pipeline, "double");
    assert.equal(snapshot.graph.state, "running");
    const fx = snapshot.graph.nodes.find((node) => node.id === "fx");
    assert.equal(fx?.type, "Gain");
    assert.equal(fx?.state, "running");
    assert.deepEqual(fx?.config, { gain: 2 });
    assert.equal(fx?.stats.framesIn, 1);
    // The application ports are nodes of the graph, connected to fx.
    assert.deepEqual(
      snapshot.graph.connections.map((c) => `${c.from}>${c.to}`).sort(),
      ["app_in_audio.out>fx.in", "fx.out>app_out_audio.in"],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  } finally {
    await runner.close();
  }
});

Deno.test("PipelineRunner.session() refuses an unknown id with session_not_found, bounded", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN] });
  try {
    const session = await runner.stream(gain());
    const long = "x".repeat(100_000);
    for (const call of [() => runner.inspect(long), () => runner.end(long)]) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof SessionError);
        assert.equal(error.code, "session_not_found");
        assert.ok(error.message.length < 200, error.message);
        assert.deepEqual(error.details.available, [session.id]);
        assert.equal((error.details.id as string).length, 64);
        return true;
      });
    }
    assert.throws(() => runner.session("s999"), { code: "session_not_found" });
    assert.equal(runner.session(session.id), session);
  } finally {
    await runner.close();
  }
});

Deno.test("PipelineRunner.end() ends a session with session_ended_by_operator for its caller", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN] });
  try {
    const session = await runner.stream(gain(), { pipeline: "double" });
    const other = await runner.stream(gain());
    const reading = (async () => {
      for await (const _ of session.outputs()) { /* until it ends */ }
    })();
    await runner.end(session.id);
    assert.equal(session.state, "failed");
    assert.equal(session.error?.code, "session_ended_by_operator");
    assert.match(session.error!.message, /^Session 's\d+' ended: an operator ended it$/);
    await assert.rejects(reading, { code: "session_ended_by_operator" });
    await assert.rejects(session.send("audio", block()), { code: "session_ended_by_operator" });
    await assert.rejects(runner.inspect(session.id), { code: "session_not_found" });
    assert.deepEqual((await runner.list()).map((s) => s.id), [other.id]);
    // The others go on.
    assert.equal(await other.send("audio", block()), 0);
    await runner.end(other.id, { code: "server_shutting_down", reason: "maintenance" });
    assert.equal(other.error?.code, "server_shutting_down");
    assert.equal(runner.active, 0);
  } finally {
    await runner.close();
  }
});

Deno.test("PipelineRunner.inspect() of a hung isolate is session_unresponsive; list() shows null heap", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, FAULTY] });
  try {
    const hung = await runner.stream(through("Hanger"), { pipeline: "hang" });
    hung.send("audio", block()).catch(() => {});
    // Give the frame time to reach the Hanger, whose process() never returns.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assert.rejects(runner.inspect(hung.id), { code: "session_unresponsive" });
    const [info] = await runner.list();
    assert.equal(info.id, hung.id);
    assert.equal(info.heapBytes, null);
    await runner.end(hung.id);
    assert.equal(hung.error?.code, "session_ended_by_operator");
  } finally {
    await runner.close();
  }
});
