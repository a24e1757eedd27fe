/**
 * End to end: a manifest's application inputs and outputs from a script, through a processor
 * that passes frames on and one that makes new frames.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadManifest, Runtime } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";

const manifest = {
  version: 1 as const,
  nodes: [
    { id: "conv", type: "ChannelConverter" },
    { id: "fx", type: "Gain", config: { gain: 2 } },
  ],
  connections: [{ from: "conv.stereo", to: "fx.in" }],
  inputs: { voice: "conv.in" },
  outputs: { voice: "fx.out", mono: { port: "conv.mono", capacity: 64 } },
};

Deno.test("A manifest's inputs and outputs carry frames, sequence numbers and metadata end to end", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  loadManifest(rt, manifest);
  await rt.start();
  const read = async (name: string) => {
    const got = [];
    for await (const item of rt.output(name)) got.push(item);
    return got;
  };
  const voice = read("voice");
  const mono = read("mono");
  const input = rt.input("voice");
  for (let i = 0; i < 30; i++) {
    const samples = new Float32Array(320).fill(i / 100); // 20 ms of 16 kHz mono
    const frame = { kind: "audio" as const, channels: 1, sampleRate: 16_000, samples };
    await input.send(frame, { metadata: { utterance: `u${i}` } });
  }
  input.end();
  const [stereo, down] = await Promise.all([voice, mono]);
  assert.equal(stereo.length, 30);
  assert.equal(down.length, 30);
  for (const [i, item] of stereo.entries()) {
    assert.equal(item.seq, i);
    assert.equal(item.metadata.utterance, `u${i}`);
    const frame = item.frame as { channels: number; samples: Float32Array };
    assert.equal(frame.channels, 2);
    assert.ok(Math.abs(frame.samples[0] - 2 * i / 100) < 1e-6);
  }
  assert.deepEqual(down.map((d) => d.metadata.utterance), stereo.map((s) => s.metadata.utterance));
  assert.equal(input.sent, 30);
  await rt.stop();
  assert.deepEqual(rt.frameLeaks(), [], "every runtime-owned frame was released");
});

Deno.test("The end of stream of an input reaches every output through the graph", async () => {
  const rt = new Runtime({ registry: builtinRegistry });
  loadManifest(rt, manifest);
  const ended = new Promise<void>((resolve) =>
    rt.on((event) => event.type === "end-of-stream" && resolve())
  );
  await rt.start();
  rt.input("voice").end();
  for await (const _ of rt.output("voice")) assert.fail("no frame was sent");
  for await (const _ of rt.output("mono")) assert.fail("no frame was sent");
  await ended;
  await rt.stop();
});
