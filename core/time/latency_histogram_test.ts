import assert from "node:assert/strict";
import { LatencyHistogram } from "./latency_histogram.ts";

Deno.test("LatencyHistogram.quantile() lands within one bucket (19%) of the true value", () => {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) histogram.record(i * 1000); // 1 µs .. 1 ms
  const p50 = histogram.quantile(0.5);
  const p99 = histogram.quantile(0.99);
  assert.ok(p50 >= 500_000 && p50 <= 500_000 * 1.19, `p50 ${p50}`);
  assert.ok(p99 >= 990_000 && p99 <= 1_000_000, `p99 ${p99}`);
  assert.equal(histogram.summary().maxNs, 1_000_000);
  assert.equal(histogram.summary().meanNs, 500_500);
});

Deno.test("LatencyHistogram.record() clamps tiny, negative and huge durations into the end buckets", () => {
  const histogram = new LatencyHistogram();
  histogram.record(-5);
  histogram.record(3);
  histogram.record(1e12);
  assert.equal(histogram.count, 3);
  assert.equal(histogram.quantile(0.5), 100);
  assert.equal(histogram.quantile(1), 1e12);
});

Deno.test("LatencyHistogram.summary() is all zeros when empty and after reset()", () => {
  const histogram = new LatencyHistogram();
  const empty = { count: 0, p50Ns: 0, p99Ns: 0, maxNs: 0, meanNs: 0 };
  assert.deepEqual(histogram.summary(), empty);
  histogram.record(1000);
  histogram.reset();
  assert.deepEqual(histogram.summary(), empty);
});
