import assert from "node:assert/strict";
import { READER_KEEPS, RotatingPool } from "./rotating_pool.ts";

Deno.test("RotatingPool.next() cycles through objects made once", () => {
  let made = 0;
  const pool = new RotatingPool(2, (i) => ({ i, made: ++made }));
  const seen = [pool.next().i, pool.next().i, pool.next().i];
  assert.deepEqual(seen, [0, 1, 0]);
  assert.equal(made, 2);
  assert.throws(() => new RotatingPool(0, () => 0), RangeError);
});

Deno.test("RotatingPool.fit() grows the ring past a connection's capacity, objects made on use", () => {
  let made = 0;
  const pool = new RotatingPool(2, (i) => ({ i, made: ++made }));
  pool.fit(16);
  assert.equal(pool.size, 16 + READER_KEEPS + 1);
  const first = pool.next();
  for (let i = 1; i < pool.size; i++) assert.notEqual(pool.next(), first);
  assert.equal(pool.next(), first);
  assert.equal(made, pool.size);
  pool.fit(1); // never shrinks
  assert.equal(pool.size, 16 + READER_KEEPS + 1);
});
