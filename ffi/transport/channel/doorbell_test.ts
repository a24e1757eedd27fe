import assert from "node:assert/strict";
import {
  ASLEEP_ON_BELL,
  readerMaySleep,
  ringSleepingReader,
  SIGNAL_BELL,
  SIGNAL_BYTES,
  SIGNAL_READER_ASLEEP,
} from "./doorbell.ts";
import { withLateRing } from "./_late_ring.ts";

Deno.test("readerMaySleep() returns a bell that a ring taking its flag moves, even between its steps", () => {
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  const seen = withLateRing(signal, undefined, () => readerMaySleep(signal, ASLEEP_ON_BELL));
  // The flag is taken, so later pushes will not ring: the reader must not sleep on `seen`.
  assert.equal(Atomics.load(signal, SIGNAL_READER_ASLEEP), 0);
  assert.equal(Atomics.wait(signal, SIGNAL_BELL, seen, 0), "not-equal");
});

Deno.test("readerMaySleep() returns the bell an earlier ring left, so the wait sleeps", () => {
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
  Atomics.store(signal, SIGNAL_READER_ASLEEP, ASLEEP_ON_BELL);
  ringSleepingReader(signal); // an earlier ring, already seen
  const seen = readerMaySleep(signal, ASLEEP_ON_BELL);
  assert.equal(Atomics.load(signal, SIGNAL_READER_ASLEEP), ASLEEP_ON_BELL);
  assert.equal(Atomics.wait(signal, SIGNAL_BELL, seen, 0), "timed-out");
});
