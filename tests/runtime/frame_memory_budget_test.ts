/**
 * `frameMemoryBytes` is one budget for every isolate, and a node that hoards frames past it is
 * named by a `frame_memory_stall` warning while it happens: in the main isolate and in a Worker.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime, type RuntimeEvent } from "../../mod.ts";
import type { NodeWarningEvent } from "../../types.ts";
import { WorkerBackend } from "../../ffi/mod.ts";
import { frameHoarderNode } from "../fixtures/runtime/frame_hoarder_node.ts";
import { until } from "../fixtures/workers/harness.ts";

const HOARDER = new URL("../fixtures/runtime/frame_hoarder_node.ts", import.meta.url).href;
/** One hoarded block: 256 mono float samples. */
const BLOCK_BYTES = 256 * 4;
/** The budget: 32 blocks. */
const BUDGET = 32 * BLOCK_BYTES;
/** The Workers' frame pool: 4 slots of one block (their own memory, beside the budget). */
const POOL = { slotBytes: 4096, slotCount: 4 };

function rig(worker: boolean) {
  const backend = worker
    ? new WorkerBackend({ pool: POOL, registries: [HOARDER], statsIntervalMs: 20 })
    : undefined;
  const rt = new Runtime({
    registry: new NodeRegistry([frameHoarderNode]),
    frameMemoryBytes: BUDGET,
    isolates: backend,
  });
  const warnings: NodeWarningEvent[] = [];
  rt.on((e: RuntimeEvent) => e.type === "node-warning" && warnings.push(e));
  return {
    rt,
    warnings,
    async [Symbol.asyncDispose]() {
      await rt[Symbol.asyncDispose]();
      await backend?.close();
    },
  };
}

for (const placement of ["main", "worker"] as const) {
  Deno.test(`A node hoarding frames in the ${placement} isolate is held by frameMemoryBytes and named by frame_memory_stall while it runs`, async () => {
    await using r = rig(placement === "worker");
    const { rt, warnings } = r;
    rt.add("FrameHoarder", { frameCount: 256, periodMs: 2 }, {
      id: "hoard",
      ...(placement === "worker" && { placement: { worker: "w" } }),
    });
    await rt.start();
    const named = () => warnings.find((w) => w.code === "frame_memory_stall" && w.node === "hoard");
    await until(() => named() !== undefined, "a frame_memory_stall warning naming 'hoard'", 20_000);
    assert.equal(rt.state, "running", "the warning came during the run, not at stop()");
    const warning = named()!;
    assert.equal(warning.processor, "FrameHoarder");
    assert.match(warning.message, /'hoard' holds \d+ frame\(s\)/);
    assert.match(warning.message, /frameMemoryBytes is one budget for every isolate/);
    // Bounded: what it keeps fits in the budget (and, in a Worker, the pool's slots), however
    // long it runs; it was refused the rest.
    await until(() => Number(rt.stats().nodes.hoard.processor?.refused) > 10, "refusals counted");
    const { kept } = rt.stats().nodes.hoard.processor as { kept: number };
    const most = BUDGET / BLOCK_BYTES + (placement === "worker" ? POOL.slotCount : 0);
    assert.ok(kept <= most, `kept ${kept} blocks, more than the ${most} the budget allows`);
    assert.ok(
      kept >= BUDGET / BLOCK_BYTES / 2,
      `kept only ${kept} blocks: the budget was not used`,
    );
    assert.equal(warnings.filter((w) => w.node === "hoard").length, 1, "one warning per stall");
    await rt.stop();
  });
}

Deno.test("frameMemoryBytes is one budget for the main isolate and its Workers: a Worker's hoard leaves the main isolate nothing", async () => {
  await using r = rig(true);
  const { rt } = r;
  rt.add("FrameHoarder", { frameCount: 256, periodMs: 2 }, {
    id: "hoard",
    placement: { worker: "w" },
  });
  rt.add("FrameHoarder", { frameCount: 256, periodMs: 50 }, { id: "late" });
  await rt.start();
  await until(
    () => Number(rt.stats().nodes.late.processor?.refused) > 5,
    "the main isolate's node to be refused memory the Worker holds",
    20_000,
  );
  const nodes = rt.stats().nodes;
  const hoarded = Number(nodes.hoard.processor?.kept);
  const late = Number(nodes.late.processor?.kept);
  assert.ok(
    hoarded + late <= BUDGET / BLOCK_BYTES + POOL.slotCount,
    `${hoarded} + ${late} blocks kept: over one budget`,
  );
  await rt.stop();
});
