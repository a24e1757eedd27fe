import assert from "node:assert/strict";
import { MessageBudget, PANEL_LIMITS, parsePanelMessage } from "./panel_messages.ts";

const problem = (data: unknown, max = PANEL_LIMITS.maxBytes) => {
  const parsed = parsePanelMessage(data, max);
  return "problem" in parsed ? parsed.problem : undefined;
};

Deno.test("parsePanelMessage() takes the protocol's messages and nothing else", () => {
  assert.deepEqual(parsePanelMessage({ type: "mounted", extra: 1 }, 100), { type: "mounted" });
  assert.deepEqual(parsePanelMessage({ type: "subscribe", topics: ["stats", "stats"] }, 100), {
    type: "subscribe",
    topics: ["stats"],
  });
  assert.deepEqual(parsePanelMessage({ type: "resize", height: 300 }, 100), {
    type: "resize",
    height: 300,
  });
  assert.deepEqual(parsePanelMessage({ type: "failed", message: 42 }, 100), {
    type: "failed",
    message: "",
  });
  assert.match(problem({ type: "subscribe", topics: ["token"] })!, /topics other than/);
  assert.match(problem({ type: "set-config", id: 1.5, patch: {} })!, /whole-number id/);
  assert.match(problem({ type: "set-config", id: 1, patch: [1] })!, /not an object/);
  assert.match(problem({ type: "resize", height: Infinity })!, /without a height/);
  assert.match(problem(["mounted"])!, /not an object/);
  assert.match(problem("mounted")!, /not an object/);
  assert.match(problem(undefined)!, /not JSON/);
  const cyclic: Record<string, unknown> = { type: "mounted" };
  cyclic.self = cyclic;
  assert.match(problem(cyclic)!, /not JSON/);
  assert.match(problem({ type: "error", message: "x".repeat(70_000) })!, /over 65536 bytes/);
});

Deno.test("MessageBudget.take() allows a burst, then the refill rate", () => {
  let now = 1000;
  const budget = new MessageBudget(50, 100, () => now);
  let taken = 0;
  while (budget.take()) taken++;
  assert.equal(taken, 100);
  now += 1000; // one second: 50 more
  taken = 0;
  while (budget.take()) taken++;
  assert.equal(taken, 50);
  now += 60_000; // a long pause refills to the burst, not beyond
  taken = 0;
  while (budget.take()) taken++;
  assert.equal(taken, 100);
});
