import assert from "node:assert/strict";
import { counterRows, counterText } from "./counters.ts";

Deno.test("counterRows() flattens nested counters in reported order", () => {
  const rows = counterRows({
    connected: 1,
    address: "127.0.0.1:5000",
    rttMs: null,
    peers: [{ session: 3, loss: 0.0213 }, { session: 4, loss: 0 }],
    empty: [],
  });
  assert.deepEqual(rows.map((r) => `${r.name}=${r.text}`), [
    "connected=1",
    "address=127.0.0.1:5000",
    "rttMs=—",
    "peers[0].session=3",
    "peers[0].loss=0.0213",
    "peers[1].session=4",
    "peers[1].loss=0",
    "empty=none",
  ]);
});

Deno.test("counterRows() stops at the row limit", () => {
  const peers = Array.from({ length: 50 }, (_, i) => ({ session: i, frames: i }));
  assert.equal(counterRows({ peers }, 10).length, 10);
});

Deno.test("counterText() formats integers, fractions and big rates", () => {
  assert.equal(counterText(4_012_345), "4,012,345");
  assert.equal(counterText(12.3456), "12.3");
  assert.equal(counterText(true), "true");
});
