import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createProcessContext,
  InputBinding,
  OutputBinding,
} from "../mod.ts";
import { RetryFrame } from "./retry_frame.ts";

function rig() {
  const source = new OutputBinding<AudioFrame<1>>("source", "AudioFrame<1>");
  const input = new InputBinding<AudioFrame<1>>("in", "AudioFrame<1>");
  connectLocal(source, input, { capacity: 4, policy: "fifo" });
  const ctx = createProcessContext("transform");
  input.owner = ctx.frames;
  const write = (frameNumber: number) => {
    const frame = ctx.frames.audio({ channels: 1, sampleRate: 8000, frameCount: 1 })!;
    frame.frameNumber = frameNumber;
    source.write(frame);
    return frame;
  };
  return { input, ctx, write };
}

Deno.test("RetryFrame.retry() keeps the frame alive past its run, once; done() lets it go", () => {
  const { input, ctx, write } = rig();
  const first = write(0);
  write(1);
  ctx.frames.flush(); // the writer's run returned: the connection holds the frames
  const retry = new RetryFrame<AudioFrame<1>>();
  assert.equal(retry.next(input), first);
  retry.retry(ctx.frames, first);
  retry.retry(ctx.frames, first); // a second failure keeps no second reference
  assert.equal(retry.waiting, true);
  ctx.frames.flush();
  assert.equal(first.released, false, "kept past the run");
  assert.equal(retry.next(input), first, "given back before the next frame");
  retry.done();
  assert.equal(first.released, true, "the kept reference was the last");
  assert.equal(retry.waiting, false);
  assert.equal(retry.next(input)?.frameNumber, 1);
  retry.done(); // nothing kept: only the run's reference, released by flush
  ctx.frames.flush();
  assert.equal(input.available, 0);
});

Deno.test("RetryFrame.next() without a kept frame reads the port", () => {
  const { input, ctx, write } = rig();
  const retry = new RetryFrame<AudioFrame<1>>();
  assert.equal(retry.next(input), undefined);
  const frame = write(7);
  assert.equal(retry.next(input), frame);
  ctx.frames.flush();
  assert.equal(frame.released, true);
});
