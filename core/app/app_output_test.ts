import assert from "node:assert/strict";
import { AppOutput } from "./app_output.ts";
import { FrameTags } from "./tags.ts";
import type { Frame } from "../frames/frame.ts";
import type { InputBinding } from "../ports/input_binding.ts";

/** An input holding `frames`, read by the output's node as the runtime's binding would be. */
function inputOf(frames: Frame[]): InputBinding<Frame> {
  return {
    read: () => frames.shift(),
    get ended() {
      return false;
    },
  } as unknown as InputBinding<Frame>;
}

const dataFrame = (i: number, chars: number): Frame =>
  ({ kind: "data", timestampNs: i, value: "x".repeat(chars) }) as unknown as Frame;

Deno.test("AppOutput.maxUnreadBytes counts a data frame's JSON text, and frees it once read", async () => {
  const output = new AppOutput("events", "DataFrame", "fifo", 100, new FrameTags());
  output.maxUnreadBytes = 1000;
  // Four frames of 402 bytes of JSON each ("x" * 400 and its quotes): the third passes the bound.
  const pending = [0, 1, 2, 3].map((i) => dataFrame(i, 400));
  const input = inputOf(pending);
  output._take(input);
  assert.equal(output.unread, 3);
  assert.equal(pending.length, 1);
  let woken = 0;
  output.wake = () => woken++;
  await output.next(); // 804 bytes unread: room again
  assert.equal(woken, 1);
  output._take(input);
  assert.equal(output.unread, 3);
  assert.equal(pending.length, 0);
});

Deno.test("AppOutput always takes one frame when none is unread, whatever its size", () => {
  const output = new AppOutput("events", "DataFrame", "fifo", 100, new FrameTags());
  output.maxUnreadBytes = 10;
  const pending = [dataFrame(0, 50), dataFrame(1, 1)];
  output._take(inputOf(pending));
  assert.equal(output.unread, 1);
  assert.equal(pending.length, 1);
});
