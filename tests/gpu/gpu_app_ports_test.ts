/**
 * A manifest's application inputs and outputs on GPU ports: the application sends and receives
 * CPU video, and the connections upload into the GPU node and download from it, in a script's
 * runtime and in a session's isolate. Before, the application's frame went into the GPU port as
 * it was, with no texture, and the node failed with "Invalid value used as weak map key".
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadManifest, Runtime, type RuntimeEvent } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { PipelineRunner } from "../../sessions/mod.ts";

const manifest = {
  version: 1 as const,
  nodes: [{ id: "scale", type: "GpuScale", config: { width: 32, height: 16 } }],
  inputs: { video: "scale.in" },
  outputs: { video: "scale.out" },
};

/** A 64x32 RGBA picture of one colour. */
function picture(value: number) {
  const data = new Uint8Array(64 * 32 * 4).fill(value);
  return { kind: "video" as const, format: "RGBA" as const, width: 64, height: 32, data };
}

/** Checks a scaled frame: 32x16 RGBA, every byte the picture's colour. */
function assertScaled(frame: unknown, value: number): void {
  const video = frame as {
    kind: string;
    format: string;
    width: number;
    height: number;
    data: Uint8Array;
  };
  assert.deepEqual(
    [video.kind, video.format, video.width, video.height],
    ["video", "RGBA", 32, 16],
  );
  assert.equal(video.data.length, 32 * 16 * 4);
  assert.ok(video.data.every((byte) => byte === value), `every byte is ${value}`);
}

Deno.test("A script's application ports on a GPU node carry CPU video, uploaded and downloaded", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  loadManifest(rt, manifest);
  const errors: RuntimeEvent[] = [];
  rt.on((event) => event.type === "node-error" && errors.push(event));
  await rt.start();
  try {
    const received = (async () => {
      const got = [];
      for await (const item of rt.output("video")) got.push(item);
      return got;
    })();
    const input = rt.input("video");
    for (let i = 0; i < 3; i++) {
      await input.send(picture(100 + i), { metadata: { n: String(i) } });
      // The input's connection keeps the newest picture (video's default): one at a time.
      await rt.settled();
    }
    input.end();
    const got = await received;
    assert.deepEqual(errors, []);
    assert.ok(got.length >= 1, "no frame came out");
    const last = got[got.length - 1];
    assertScaled(last.frame, 100 + Number(last.metadata.n));
    const transfers = Object.values(rt.stats().connections).map((c) => c.transfer).sort();
    assert.deepEqual(transfers, ["download", "upload"]);
    const uploads = Object.values(rt.stats().connections).map((c) => c.uploads ?? 0);
    assert.ok(Math.max(...uploads) >= got.length, "each frame that came out was uploaded");
  } finally {
    await rt.stop();
  }
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("A session's application ports on a GPU node carry CPU video (PipelineRunner.execute)", async () => {
  const runner = new PipelineRunner({ maxSessions: 1 });
  try {
    const outputs = await runner.execute(manifest, { video: [picture(7)] });
    assert.equal(outputs.video.length, 1);
    assertScaled(outputs.video[0].frame, 7);
  } finally {
    await runner.close();
  }
});
