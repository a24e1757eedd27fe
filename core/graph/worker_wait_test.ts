import assert from "node:assert/strict";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";
import { checkWorkerWait, WorkerWaitError } from "./worker_wait.ts";

const base: ProcessorDescriptor = {
  name: "Relay",
  description: "Relays",
  tags: [],
  mode: "push",
  inputs: [],
  outputs: [],
  config: { type: "object", properties: {} },
  source: "relay.ts",
};
const free: ProcessorDescriptor = { ...base, needsEventLoop: false };
const block = { worker: "w", wait: "block" } as const;

function refusal(run: () => void): WorkerWaitError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkerWaitError) return error;
    throw error;
  }
  throw new Error("not refused");
}

Deno.test("checkWorkerWait() lets a processor that needs no event loop block", () => {
  checkWorkerWait("relay", block, free, []);
  checkWorkerWait("relay", { worker: "w" }, base, []);
  checkWorkerWait("relay", "main", base, [{ id: "other", placement: block }]);
});

Deno.test("checkWorkerWait() refuses a processor that did not declare needsEventLoop: false", () => {
  const error = refusal(() => checkWorkerWait("relay", block, base, []));
  assert.equal(error.code, "worker_wait_refused");
  assert.equal(error.problem, "processor-needs-event-loop");
  assert.deepEqual(error.details, {
    node: "relay",
    processor: "Relay",
    worker: "w",
    problem: "processor-needs-event-loop",
    available: ["event-loop"],
  });
  assert.match(error.message, /needsEventLoop: false.*valid: wait: "event-loop"/);
});

Deno.test("checkWorkerWait() refuses a loop-mode processor even if it declared no event loop", () => {
  const loop = { ...free, mode: "loop" as const };
  assert.equal(refusal(() => checkWorkerWait("tick", block, loop, [])).problem, "loop-mode");
});

Deno.test("checkWorkerWait() refuses a wait other than that of the nodes already on the Worker", () => {
  const others = [{ id: "a", placement: block }, { id: "b", placement: { worker: "x" } }];
  const mixed = refusal(() => checkWorkerWait("c", { worker: "w" }, free, others));
  assert.equal(mixed.problem, "mixed-waits");
  assert.deepEqual(mixed.available, ["block"]);
  // A processor that cannot block has no wait left on that Worker.
  assert.deepEqual(
    refusal(() => checkWorkerWait("c", { worker: "w" }, base, others)).available,
    [],
  );
  assert.deepEqual(
    refusal(() => checkWorkerWait("c", { worker: "x", wait: "block" }, free, others)).available,
    ["event-loop"],
  );
});
