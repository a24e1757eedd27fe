/**
 * Runs one Worker hop again and again until it stalls: `BurstSource` in Worker `hop_1` →
 * `CountingSink` in the main isolate, `fifo` capacity 256, 64-byte frames passed by pool slot
 * (the 1-hop row of `bench/graph_bench.ts`), `--frames` a run, `--runs` runs on one backend. A run
 * whose sink has not moved for 2 s is a stall: the connection's counters and the nodes' states are
 * printed, and the process exits with status 3. Otherwise it prints one line a run and exits 0.
 *
 * It found the late-ring hang of decision 0070 (in a first form: 3 stalls in about 300 runs before
 * the fix; after it, 900 runs with no stall): a rare interleaving needs many frames, so this is a loop to leave running, not a
 * test.
 *
 * Run: `deno run -A bench/channel_stall_loop.ts [--runs 400] [--frames 1000000]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Runtime } from "../mod.ts";
import { FramePool, slotBytesFor, WorkerBackend } from "../ffi/mod.ts";
import { builtinRegistry } from "../processors/mod.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";
import { sinkDone } from "./processors/counting_sink.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "400" },
    frames: { type: "string", default: "1000000" },
  },
});
const RUNS = Number(values.runs);
const FRAMES = Number(values.frames);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(FRAMES) || FRAMES < 1) {
  throw new RangeError(
    `Cannot run channel_stall_loop: expected --runs and --frames positive integers, got ${
      JSON.stringify(values)
    }`,
  );
}
/** A sink that has not moved for this long has stalled. */
const STALL_MS = 2_000;

const pool = FramePool.create({ slotBytes: slotBytesFor(3840), slotCount: 4096 });
const backend = new WorkerBackend({ pool });
const rt = new Runtime({ registry: builtinRegistry.with(benchRegistry), isolates: backend });
const started = performance.now();
for (let run = 1; run <= RUNS; run++) {
  rt.add("BurstSource", { frames: FRAMES, kind: "audio", bytes: 64, burst: 256 }, {
    id: "source",
    placement: { worker: "hop_1" },
  });
  rt.add("CountingSink", { expect: FRAMES }, { id: "sink" });
  rt.connectByName("source", "out", "sink", "in", { capacity: 256, policy: "fifo" });
  const done = new Promise<void>((resolve) => {
    const listener = () => {
      sinkDone.removeEventListener("done", listener);
      resolve();
    };
    sinkDone.addEventListener("done", listener);
  });
  await rt.start();
  const t0 = performance.now();
  let last = -1;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = new Promise<"tick">((resolve) => (timer = setTimeout(resolve, STALL_MS, "tick")));
    const result = await Promise.race([done.then(() => "done" as const), tick]);
    clearTimeout(timer);
    if (result === "done") break;
    const stats = rt.stats();
    const framesIn = stats.nodes.sink?.framesIn ?? 0;
    if (framesIn === last) {
      console.log(
        `run ${run}: stalled ${(performance.now() - t0).toFixed(0)} ms in, at frame ${framesIn}`,
      );
      console.log(JSON.stringify({ connections: stats.connections }, null, 1));
      console.log(JSON.stringify(rt.describe().nodes.map((n) => ({ id: n.id, state: n.state }))));
      Deno.exit(3);
    }
    last = framesIn;
  }
  await rt.stop();
  for (const node of rt.describe().nodes) rt.remove(node.id);
  await rt.settled();
  console.log(`run ${run}: ${FRAMES} frames in ${(performance.now() - t0).toFixed(0)} ms`);
}
await backend.close();
pool.close();
console.log(`${RUNS} runs, no stall, ${((performance.now() - started) / 1000).toFixed(0)} s`);
Deno.exit(0);
