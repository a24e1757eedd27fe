/**
 * Warm-up sessions: a session's isolate runs blocks through a graph of its own before the
 * session's first block (see `docs/sessions.md`), only where every processor runs without an
 * event loop, never for a unary run, and with nothing of it reaching the session.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PipelineRunner, type Session } from "../../sessions/mod.ts";

const BUILTIN = new URL("../../processors/registry.gen.ts", import.meta.url);
const COUNTING = new URL("./fixtures/counting_registry.ts", import.meta.url);
/** Blocks a warm-up session sends (`WARM_BLOCKS` in `sessions/_session_worker.ts`). */
const WARM_BLOCKS = 48;

const counted = (type: string) => ({
  version: 1,
  nodes: [{ id: "count", type }],
  inputs: { audio: "count.in" },
  outputs: { audio: "count.out" },
});

const block = (value: number) =>
  ({
    kind: "audio",
    channels: 1,
    sampleRate: 16_000,
    samples: new Float32Array(320).fill(value),
  }) as const;

/** Sends three blocks, tagged, and reads their outputs: [first sample, second sample, seq, tag]. */
async function threeBlocks(session: Session): Promise<[number, number, number, string][]> {
  const got: [number, number, number, string][] = [];
  const reading = (async () => {
    for await (const out of session.outputs()) {
      const samples = (out.frame as { samples: Float32Array }).samples;
      got.push([samples[0], samples[1], out.seq, out.metadata.n]);
    }
  })();
  for (let i = 0; i < 3; i++) await session.send("audio", block(0.5), { metadata: { n: `b${i}` } });
  session.end("audio");
  await reading;
  return got;
}

Deno.test("a session's isolate warms up on its manifest first; the session sees only its own blocks", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, COUNTING] });
  try {
    const session = await runner.stream(counted("PureCounter"));
    const got = await threeBlocks(session);
    // The counter saw the warm-up's blocks before these: its count goes on from there.
    assert.equal(got[0][0], WARM_BLOCKS + 1, `first count ${got[0][0]}`);
    assert.deepEqual(got.map((g) => g[0] - got[0][0]), [0, 1, 2]);
    // Everything else is the session's own: its samples, sequence numbers and metadata.
    assert.deepEqual(got.map((g) => [g[1], g[2], g[3]]), [[0.5, 0, "b0"], [0.5, 1, "b1"], [
      0.5,
      2,
      "b2",
    ]]);
    const info = await session.info();
    assert.deepEqual([info.framesIn, info.framesOut], [3, 3]);
  } finally {
    await runner.close();
  }
});

Deno.test("a pooled isolate warms up on the runner's warm-up manifests before a session takes it", async () => {
  const runner = new PipelineRunner({
    registries: [BUILTIN, COUNTING],
    pool: 1,
    warmup: [counted("PureCounter")],
  });
  try {
    // Whether the pool's warm-up ran to its end before the open or was cut short by it (the open
    // then warms up on its own), the session's counter has seen one whole warm-up at least.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const session = await runner.stream(counted("PureCounter"));
    const got = await threeBlocks(session);
    assert.ok(got[0][0] >= WARM_BLOCKS + 1, `first count ${got[0][0]}`);
    assert.deepEqual(got.map((g) => g[0] - got[0][0]), [0, 1, 2]);
    assert.deepEqual(got.map((g) => g[2]), [0, 1, 2]);
  } finally {
    await runner.close();
  }
});

Deno.test("no warm-up for a processor that needs its event loop, nor for a unary run", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, COUNTING] });
  try {
    const session = await runner.stream(counted("LoopCounter"));
    const got = await threeBlocks(session);
    assert.deepEqual(got.map((g) => g[0]), [1, 2, 3]);
    const out = await runner.execute(counted("PureCounter"), {
      audio: [{ frame: block(0.5) }, { frame: block(0.5) }],
    });
    assert.deepEqual(out.audio.map((f) => (f.frame as { samples: Float32Array }).samples[0]), [
      1,
      2,
    ]);
  } finally {
    await runner.close();
  }
});

Deno.test("no warm-up when an input is not audio, even where every processor may have one", async () => {
  const runner = new PipelineRunner({ registries: [BUILTIN, COUNTING] });
  try {
    const session = await runner.stream({
      version: 1,
      nodes: [{ id: "count", type: "PureCounter" }, { id: "drain", type: "PureDataDrain" }],
      inputs: { audio: "count.in", events: "drain.in" },
      outputs: { audio: "count.out" },
    });
    assert.deepEqual(session.inputTypes, { audio: "AudioFrame", events: "DataFrame" });
    session.end("events");
    const got = await threeBlocks(session);
    assert.deepEqual(got.map((g) => g[0]), [1, 2, 3]);
  } finally {
    await runner.close();
  }
});

Deno.test("this Deno gives V8's gc() to a vm context made while --expose-gc is set", async () => {
  // What `collectGarbage()` in sessions/_session_worker.ts relies on: without it, an idle session
  // keeps what its warm-up left (2-3 MB), see docs/decisions/0066.
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  try {
    const gc = runInNewContext("gc");
    assert.equal(typeof gc, "function");
    gc();
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
  assert.equal(typeof runInNewContext("typeof gc"), "string");
  assert.equal(runInNewContext("typeof gc"), "undefined");
});
