import assert from "node:assert/strict";
import { monotonicClock } from "./media_clock.ts";

Deno.test("monotonicClock.nowNs() never goes back", () => {
  let last = monotonicClock.nowNs();
  for (let i = 0; i < 1000; i++) {
    const now = monotonicClock.nowNs();
    assert.ok(now >= last);
    last = now;
  }
});
