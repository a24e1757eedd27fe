import assert from "node:assert/strict";
import { CaptureWatcher, type WatchedCapture, watchIntervalMs } from "./capture_watcher.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class FakeCapture implements WatchedCapture {
  closed = false;
  waiting = 0;
  running = true;
  failStats = false;
  stats(): { running: boolean } {
    if (this.failStats) throw new Error("stats on a broken handle");
    return { running: this.running };
  }
}

Deno.test("watchIntervalMs() checks eight times per frame, between 1 and 5 ms", () => {
  assert.equal(watchIntervalMs(1000 / 10), 5); // 12.5 ms, capped
  assert.ok(Math.abs(watchIntervalMs(1000 / 30) - 4.1667) < 1e-3);
  assert.equal(watchIntervalMs(2), 1); // 0.25 ms, raised to a timer's resolution
});

Deno.test("CaptureWatcher wakes only while frames are waiting and stops when the capture closes", async () => {
  const capture = new FakeCapture();
  let wakes = 0;
  const watcher = new CaptureWatcher(capture, () => wakes++, 1);
  try {
    await sleep(30);
    assert.equal(wakes, 0); // nothing waiting: no wake, however many ticks
    capture.waiting = 2;
    await sleep(30);
    assert.ok(wakes >= 1, `${wakes} wakes`);
    capture.waiting = 0; // what process() does: drain the ring
    const drained = wakes;
    await sleep(30);
    assert.equal(wakes, drained);
    capture.closed = true;
    await sleep(10);
    assert.equal(watcher.watching, false);
    assert.equal(wakes, drained); // closing is not a failure to report
  } finally {
    watcher.close();
  }
});

Deno.test("CaptureWatcher wakes once when the capture stops by itself or cannot be asked", async () => {
  for (
    const breakIt of [
      (c: FakeCapture) => (c.running = false),
      (c: FakeCapture) => (c.failStats = true),
    ]
  ) {
    const capture = new FakeCapture();
    let wakes = 0;
    const watcher = new CaptureWatcher(capture, () => wakes++, 1);
    try {
      breakIt(capture);
      for (let i = 0; i < 200 && watcher.watching; i++) await sleep(5);
      assert.equal(watcher.watching, false);
      await sleep(10);
      assert.equal(wakes, 1); // one run, whose process() reports the failure
    } finally {
      watcher.close();
    }
  }
});
