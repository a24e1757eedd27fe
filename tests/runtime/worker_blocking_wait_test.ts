/**
 * Workers placed with `wait: "block"`: they carry frames while blocking their thread, answer
 * every command while blocked (pause, hot disconnect, reconnect, stop, close), refuse processors
 * that need their event loop with `worker_wait_refused`, and keep what every Worker guarantees
 * (end of stream, use-after-release throwing, leaks reported). Every wait has a generous deadline
 * and waits for the event, never for a fixed time.
 */

import assert from "node:assert/strict";
import {
  loadManifest,
  ManifestError,
  NodeRegistry,
  Runtime,
  type RuntimeEvent,
  saveManifest,
  type WorkerWait,
  WorkerWaitError,
} from "../../mod.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import {
  addOneNode,
  checkSinkNode,
  hoarderNode,
  resetReports,
  seqSourceNode,
  sinkReport,
} from "../fixtures/runtime/frame_nodes.ts";
import { until } from "../fixtures/workers/harness.ts";

const FRAME_NODES = new URL("../fixtures/runtime/frame_nodes.ts", import.meta.url).href;
const DEADLINE_MS = 20_000;

function rig() {
  const backend = new WorkerBackend({
    pool: { slotBytes: 4096, slotCount: 64 },
    registries: [FRAME_NODES],
  });
  const rt = new Runtime({
    registry: new NodeRegistry([seqSourceNode, addOneNode, checkSinkNode, hoarderNode]),
    isolates: backend,
  });
  const events: RuntimeEvent[] = [];
  rt.on((e) => events.push(e));
  return {
    rt,
    backend,
    events,
    async [Symbol.asyncDispose]() {
      await within(rt[Symbol.asyncDispose](), "the runtime to be disposed");
      await within(backend.close(), "the Workers to close");
    },
  };
}

/** Resolves with `work`, or rejects once `DEADLINE_MS` passed first (a command that hangs). */
async function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const block = (worker: string) => ({ worker, wait: "block" as WorkerWait });

/** main source -> AddOne (Worker a) -> AddOne (Worker b) -> main sink. */
function chain(rt: Runtime, total: number, eos = false) {
  rt.add("SeqSource", { total, frameCount: 8, eos }, { id: "src" });
  rt.add("AddOne", {}, { id: "add_a", placement: block("a") });
  rt.add("AddOne", {}, { id: "add_b", placement: block("b") });
  rt.add("CheckSink", { hops: 2 }, { id: "sink" });
  const options = { capacity: 4, policy: "fifo" } as const;
  return [
    rt.connectByName("src", "out", "add_a", "in", options),
    rt.connectByName("add_a", "out", "add_b", "in", options),
    rt.connectByName("add_b", "out", "sink", "in", options),
  ];
}

Deno.test("A Worker placed with wait: block carries every frame in order and blocks its thread", async () => {
  resetReports();
  await using r = rig();
  const { rt, backend } = r;
  chain(rt, 3000);
  await within(rt.start(), "start");
  await until(() => sinkReport("sink").received === 3000, "every frame at the sink", DEADLINE_MS);
  await within(rt.stop(), "stop");
  const report = sinkReport("sink");
  assert.equal(report.corrupt, 0);
  assert.equal(report.outOfOrder, 0);
  for (const host of backend.hosts) {
    assert.ok(host.waits.blocked > 0, `${host.isolate} blocked its thread: ${host.waits.blocked}`);
  }
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0);
});

Deno.test("A blocked Worker answers pause, resume, hot disconnect, reconnect and stop", async () => {
  resetReports();
  await using r = rig();
  const { rt, backend } = r;
  const [, middle] = chain(rt, 1_000_000_000);
  await within(rt.start(), "start");
  await until(() => sinkReport("sink").received > 200, "frames to flow", DEADLINE_MS);
  await until(() => backend.hosts.every((h) => h.waits.blocked > 0), "both Workers to block");

  await within(rt.pause(), "pause");
  rt.resume();
  let seen = sinkReport("sink").received;
  await until(() => sinkReport("sink").received > seen + 200, "frames after resume", DEADLINE_MS);

  // Hot disconnect of the crossing between the two blocking Workers, then a new one.
  rt.disconnect(middle.id);
  await within(rt.settled(), "settled after disconnect");
  rt.connectByName("add_a", "out", "add_b", "in", { capacity: 4, policy: "fifo" });
  seen = sinkReport("sink").received;
  await until(
    () => sinkReport("sink").received > seen + 200,
    "frames through the new connection",
    DEADLINE_MS,
  );

  await within(rt.stop(), "stop");
  assert.equal(sinkReport("sink").corrupt, 0);
  assert.deepEqual(rt.frameLeaks(), []);
  assert.equal(backend.pool.stats().inUse, 0);
});

Deno.test("A blocked Worker with nothing to do stops and closes promptly", async () => {
  resetReports();
  await using r = rig();
  const { rt, backend } = r;
  chain(rt, 100);
  await within(rt.start(), "start");
  await until(() => sinkReport("sink").received === 100, "every frame at the sink", DEADLINE_MS);
  // Idle now: both Workers block on their wake words until a command rings them.
  const blocked = backend.hosts.map((h) => h.waits.blocked);
  await within(rt.stop(), "stop of idle blocked Workers");
  assert.ok(backend.hosts.every((h, i) => h.waits.blocked >= blocked[i]));
  await within(backend.close(), "close of idle blocked Workers");
  assert.ok(backend.hosts.every((h) => h.threadId === undefined));
});

Deno.test("A blocking Worker killed mid-stream is reported gone and gives its pool slots back", async () => {
  resetReports();
  await using r = rig();
  const { rt, backend, events } = r;
  chain(rt, 1_000_000_000);
  await within(rt.start(), "start");
  await until(() => sinkReport("sink").received > 200, "frames to flow", DEADLINE_MS);
  const a = backend.hosts.find((h) => h.isolate === "worker:a")!;
  await until(() => a.waits.blocked > 0, "Worker a to block", DEADLINE_MS);
  await within(a.terminate(), "terminate of a blocking Worker");
  await until(
    () => events.some((e) => e.type === "worker-exit"),
    "the worker-exit event",
    DEADLINE_MS,
  );
  assert.equal(rt.describe().nodes.find((n) => n.id === "add_a")?.state, "error");
  await within(rt.stop(), "stop");
  assert.equal(backend.pool.stats().inUse, 0, "every slot is back");
});

Deno.test("End of stream runs down through blocking Workers, every frame delivered first", async () => {
  resetReports();
  await using r = rig();
  const { rt } = r;
  chain(rt, 500, true);
  const ended = new Promise<void>((resolve) => {
    rt.on((event) => {
      if (event.type === "end-of-stream") resolve();
    });
  });
  await within(rt.start(), "start");
  await within(ended, "end of stream");
  assert.equal(rt.ended, true);
  assert.equal(sinkReport("sink").received, 500);
  await within(rt.stop(), "stop");
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("In a blocking Worker a frame read after its run throws FrameReleasedError, and a kept frame is reported", async () => {
  await using r = rig();
  const { rt, events } = r;
  rt.add("SeqSource", { total: 10 }, { id: "src" });
  rt.add("Hoarder", { reuse: true }, { id: "late", placement: block("w") });
  rt.connectByName("src", "out", "late", "in", { capacity: 1, policy: "fifo" });
  rt.add("SeqSource", { total: 10 }, { id: "src2" });
  rt.add("Hoarder", {}, { id: "hoard", placement: block("w") });
  rt.connectByName("src2", "out", "hoard", "in", { capacity: 4, policy: "fifo" });
  await within(rt.start(), "start");
  const isError = (e: RuntimeEvent) => e.type === "node-error" && e.node === "late";
  await until(() => events.some(isError), "the late reader to fail", DEADLINE_MS);
  const error = events.find(isError) as RuntimeEvent & { name?: string };
  assert.equal(error.name, "FrameReleasedError");
  await until(() => rt.stats().nodes.src2.framesOut === 10, "the second source", DEADLINE_MS);
  await within(rt.stop(), "stop");
  assert.deepEqual(rt.frameLeaks(), [
    { node: "hoard", port: "hoard.in", madeBy: "src2", kind: "audio", count: 1 },
  ]);
});

Deno.test("Runtime.add() refuses wait: block for a processor that needs its event loop, and mixed waits in one Worker", async () => {
  await using r = rig();
  const { rt } = r;
  assert.throws(
    () => rt.add("CheckSink", {}, { id: "sink", placement: block("w") }),
    (e) =>
      e instanceof WorkerWaitError && e.code === "worker_wait_refused" &&
      e.problem === "processor-needs-event-loop" && e.available[0] === "event-loop",
  );
  rt.add("AddOne", {}, { id: "add", placement: block("w") });
  assert.throws(
    () => rt.add("AddOne", {}, { id: "add_2", placement: { worker: "w" } }),
    (e) =>
      e instanceof WorkerWaitError && e.problem === "mixed-waits" &&
      e.available[0] === "block",
  );
  assert.equal(rt.describe().nodes.length, 1);
});

Deno.test("A manifest places a node with wait: block, saves it back, and refuses a wait it does not know", async () => {
  await using r = rig();
  const { rt } = r;
  const manifest = {
    version: 1,
    nodes: [{ id: "add", type: "AddOne", placement: { worker: "w", wait: "block" } }],
    connections: [],
  };
  loadManifest(rt, manifest);
  assert.deepEqual(saveManifest(rt).nodes[0].placement, { worker: "w", wait: "block" });
  assert.throws(
    () =>
      loadManifest(rt, {
        version: 1,
        nodes: [{ id: "add_2", type: "AddOne", placement: { worker: "v", wait: "spin" } }],
        connections: [],
      }),
    (e) => e instanceof ManifestError && /wait/.test(e.message),
  );
  assert.throws(
    () =>
      loadManifest(rt, {
        version: 1,
        nodes: [{ id: "sink", type: "CheckSink", placement: { worker: "v", wait: "block" } }],
        connections: [],
      }),
    (e) => e instanceof WorkerWaitError && e.code === "worker_wait_refused",
  );
});
