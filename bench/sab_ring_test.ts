import assert from "node:assert/strict";
import { FrameMessageBatch } from "../core/frames/message.ts";
import { SabRing } from "./sab_ring.ts";

Deno.test("SabRing.pushBatch() stops at capacity and popBatch() returns messages in order", () => {
  const ring = new SabRing(5);
  const batch = new FrameMessageBatch(4);
  let next = 0;
  let expected = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 4; i++) batch.write(i, 0, 0, 0, 0, 0, next + i);
    const written = ring.pushBatch(batch, 4);
    next += written;
    assert.ok(written <= 4);
    const read = ring.popBatch(batch, 3);
    for (let i = 0; i < read; i++) assert.equal(batch.sequence(i), expected++);
  }
  while (true) {
    const read = ring.popBatch(batch, 4);
    if (read === 0) break;
    for (let i = 0; i < read; i++) assert.equal(batch.sequence(i), expected++);
  }
  assert.equal(expected, next);
});

Deno.test("SabRing.pushBatch() writes nothing to a full ring", () => {
  const ring = new SabRing(2);
  const batch = new FrameMessageBatch(3);
  assert.equal(ring.pushBatch(batch, 3), 2);
  assert.equal(ring.pushBatch(batch, 1), 0);
});
