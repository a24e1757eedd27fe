import assert from "node:assert/strict";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  createProcessContext,
  InputBinding,
  OutputBinding,
} from "@streamlib/streamlib";
import { tremoloNode } from "./tremolo.gen.ts";

function rig(config: { rate: number; depth: number }) {
  const ports = tremoloNode.ports();
  const tremolo = tremoloNode.create(config, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"));
  connectLocal(ports.output("out"), sink);
  const ctx = createProcessContext("tremolo");
  tremolo.setup(ctx);
  return { tremolo, source, sink, ctx };
}

Deno.test("Tremolo.process() leaves the audio unchanged at depth 0", () => {
  const { tremolo, source, sink, ctx } = rig({ rate: 5, depth: 0 });
  const block = createAudioFrame(2, 48_000, 4);
  block.samples.fill(0.5);
  source.write(block);
  tremolo.process(ctx);
  assert.deepEqual([...sink.read()!.samples], new Array(8).fill(0.5));
  ctx.frames.flush();
});

Deno.test("Tremolo.process() falls to silence half a period in at depth 1", () => {
  // 1 Hz at 4 Hz sampling: the level is 1, 0.5, 0, 0.5 at the four frames.
  const { tremolo, source, sink, ctx } = rig({ rate: 1, depth: 1 });
  const block = createAudioFrame(2, 4, 4);
  block.samples.fill(1);
  source.write(block);
  tremolo.process(ctx);
  const out = [...sink.read()!.samples].map((s) => Math.round(s * 1000) / 1000);
  assert.deepEqual(out, [1, 1, 0.5, 0.5, 0, 0, 0.5, 0.5]);
  ctx.frames.flush();
});

Deno.test("rt.add(Tremolo) finds the class's definition: importing the class is enough", async () => {
  const { Runtime } = await import("@streamlib/streamlib");
  const { Tremolo } = await import("./tremolo.ts");
  const rt = new Runtime();
  rt.add(Tremolo, { rate: 2, depth: 0.5 }, { id: "trem" });
  assert.equal(rt.describe().nodes.find((n) => n.id === "trem")?.type, "Tremolo");
});
