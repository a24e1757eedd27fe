import assert from "node:assert/strict";
import { EventHub, nodeErrorEvent, type RuntimeEvent } from "./events.ts";

const event: RuntimeEvent = { type: "runtime-state", timeNs: 1, from: "stopped", to: "starting" };

Deno.test("EventHub.emit() reaches every listener even when one throws, and reports the error", () => {
  const hub = new EventHub();
  const seen: string[] = [];
  const reported: unknown[] = [];
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    reported.push(e.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    hub.on(() => seen.push("a"));
    hub.on(() => {
      throw new Error("listener bug");
    });
    hub.on(() => seen.push("c"));
    hub.emit(event);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assert.deepEqual(seen, ["a", "c"]);
  assert.equal((reported[0] as Error).message, "listener bug");
});

Deno.test("EventHub.on() returns an idempotent unsubscribe", () => {
  const hub = new EventHub();
  let count = 0;
  const off = hub.on(() => count++);
  hub.emit(event);
  off();
  off();
  hub.emit(event);
  assert.equal(count, 1);
});

Deno.test("nodeErrorEvent() takes name, message and stack from what was thrown", () => {
  const fields = {
    timeNs: 5,
    node: "n",
    phase: "process",
    policy: "restart",
    action: "restart",
    restarts: 1,
  } as const;
  const fromError = nodeErrorEvent(fields, new RangeError("out of range"));
  assert.equal(fromError.name, "RangeError");
  assert.match(fromError.stack!, /^RangeError: out of range/);
  const fromString = nodeErrorEvent(fields, "plain");
  assert.deepEqual([fromString.name, fromString.message], ["Error", "plain"]);
  assert.deepEqual(JSON.parse(JSON.stringify(fromError)), fromError);
});

Deno.test("NODE_WARNING_CODES and ERROR_CODES are written in one case, snake_case", async () => {
  const { NODE_WARNING_CODES } = await import("./events.ts");
  const { ERROR_CODES } = await import("../errors/codes.ts");
  const codes = [...Object.keys(NODE_WARNING_CODES), ...Object.keys(ERROR_CODES)];
  assert.deepEqual(codes.filter((code) => !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(code)), []);
  assert.deepEqual(Object.keys(NODE_WARNING_CODES).sort(), [
    "av_drift",
    "frame_leak",
    "frame_memory_stall",
    "gpu_upload_format",
    "unconnected_required_input",
  ]);
});
