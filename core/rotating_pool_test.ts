import assert from "node:assert/strict";
import { RotatingPool } from "./rotating_pool.ts";

Deno.test("RotatingPool.next() cycles through objects made once", () => {
  let made = 0;
  const pool = new RotatingPool(2, (i) => ({ i, made: ++made }));
  const seen = [pool.next().i, pool.next().i, pool.next().i];
  assert.deepEqual(seen, [0, 1, 0]);
  assert.equal(made, 2);
  assert.throws(() => new RotatingPool(0, () => 0), RangeError);
});
