import assert from "node:assert/strict";
import { type FrameTag, FrameTags } from "./tags.ts";

const tag = (seq: number, value = ""): FrameTag => ({ seq, metadata: value ? { v: value } : {} });

Deno.test("FrameTags drops what every reader is past, keeping the newest at or before it", () => {
  const tags = new FrameTags();
  const a = tags.reader();
  const b = tags.reader();
  for (let i = 0; i < 10; i++) tags.set(i * 10, tag(i));
  assert.equal(a.get(55)?.seq, 5);
  assert.equal(tags.size, 10); // b has read nothing: all may still be asked for
  assert.equal(b.get(30)?.seq, 3);
  assert.equal(tags.size, 7); // 0, 10, 20 go; 30 stays (a frame at 35 takes it)
  assert.equal(b.get(35)?.seq, 3);
  b.close();
  assert.equal(tags.size, 5); // only a is left, past 55: 50 is the oldest it can ask for
  assert.equal(a.get(50)?.seq, 5);
  assert.equal(a.get(90)?.seq, 9);
  assert.equal(tags.size, 1);
  a.close();
  tags.set(100, tag(10)); // no reader: the limits alone
  assert.equal(tags.size, 2);
});

Deno.test("FrameTags keeps at most maxBytes of metadata and capacity tags, the oldest going", () => {
  const tags = new FrameTags(100, 64 * 1024);
  const value = "x".repeat(8 * 1024); // 16 KiB counted
  for (let i = 0; i < 20; i++) tags.set(i, tag(i, value));
  assert.ok(tags.bytes <= 64 * 1024, `${tags.bytes} bytes`);
  assert.equal(tags.size, 3);
  assert.equal(tags.get(19)?.seq, 19);
  assert.equal(tags.get(5), undefined);
  const few = new FrameTags(4);
  for (let i = 0; i < 10; i++) few.set(i, tag(i));
  assert.equal(few.size, 4);
  const huge = new FrameTags(4, 1024);
  huge.set(1, tag(1, "y".repeat(4096))); // over the bytes alone: the newest is always kept
  assert.equal(huge.get(1)?.seq, 1);
  huge.set(2, tag(2)); // over maxBytes with both: the oldest goes
  assert.equal(huge.get(1), undefined);
  assert.equal(huge.get(2)?.seq, 2);
  assert.equal(huge.size, 1);
});
