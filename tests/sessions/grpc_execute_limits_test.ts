/**
 * An `Execute` answer is one message held whole until it is sent: its outputs are bounded by
 * `maxExecuteResponseBytes` (4 x `maxMessageBytes` by default), past which the run is stopped
 * and the call ends with `RESOURCE_EXHAUSTED`, `wire_too_large`.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { audioFrame, eventually, execute, serve } from "./grpc_harness.ts";

/** `n` stereo frames of `samples` samples each (8 bytes a sample pair). */
const request = (n: number, samples: number) => ({
  pipeline: "gain",
  inputs: [{
    port: "audio",
    frames: [...Array(n)].map((_, i) =>
      audioFrame(new Array(samples).fill(0.25), { seq: i, metadata: { i: String(i) } })
    ),
  }],
});

Deno.test("serveGrpc() Execute stops a run whose outputs pass maxExecuteResponseBytes: wire_too_large", async () => {
  // Default: 4 x maxMessageBytes = 64 KiB here.
  const served = await serve({ maxMessageBytes: 16 * 1024 });
  try {
    // 7 frames of 8 KiB: 56 KiB out, within.
    const within = await execute(served, request(7, 2048));
    assert.equal(within.error, undefined, within.error?.details);
    const frames = within.response.outputs[0].frames;
    assert.deepEqual(frames.map((f: { seq: number }) => f.seq), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(frames[6].audio.samplesF32le.byteLength, 8192);
    // 9 frames of 8 KiB (within the request limit, 80 KiB): past 64 KiB at the 8th. Before: answered whole, however large (200
    // frames of 8 x 8 pixels through a VideoScale to 1024 x 1024 made an 839 MB answer and took
    // the server to 3.3 GB).
    const over = await execute(served, request(9, 2048));
    assert.equal(over.error?.code, grpc.status.RESOURCE_EXHAUSTED, over.error?.details);
    assert.equal(over.code, "wire_too_large");
    assert.match(
      over.error!.details,
      /more than 65536 bytes \(maxExecuteResponseBytes\) at output frame 8; run the pipeline over Stream/,
    );
    await eventually(() => served.runner.active === 0);
  } finally {
    await served.close();
  }
  // The option, set.
  const small = await serve({}, { maxExecuteResponseBytes: 1_000 });
  try {
    const over = await execute(small, request(1, 256));
    assert.equal(over.code, "wire_too_large");
    assert.equal((await execute(small, request(1, 64))).error, undefined);
  } finally {
    await small.close();
  }
});
