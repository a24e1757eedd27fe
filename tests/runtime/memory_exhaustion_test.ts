/**
 * Frame memory running out is back-pressure that loses nothing: every built-in transform, and a
 * transform written as docs/writing_processors.md shows, delivers every frame, in order and
 * intact, while a hog takes all free frame memory again and again. A run that finds no memory
 * gives the frames it read back to its inputs (`NodeFrames.flush()`), and the node runs again
 * when memory frees.
 */

import assert from "node:assert/strict";
import { Runtime, type RuntimeEvent } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import {
  addOneNode,
  checkSinkNode,
  resetReports,
  seqSourceNode,
  sinkReport,
  stereoCheckSinkNode,
  stereoSeqSourceNode,
} from "../fixtures/runtime/frame_nodes.ts";
import {
  hogReport,
  memoryHogNode,
  videoCheckNode,
  videoSeqNode,
} from "../fixtures/runtime/exhaustion_nodes.ts";

const registry = builtinRegistry.with([
  seqSourceNode,
  addOneNode,
  checkSinkNode,
  stereoSeqSourceNode,
  stereoCheckSinkNode,
  videoSeqNode,
  videoCheckNode,
  memoryHogNode,
]);

const TOTAL = 150;
const WIDE = { capacity: 256, policy: "fifo" } as const; // never full: waits are for memory

async function until(what: string, done: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Case {
  /** The transforms, in order, with their configs and the ports they use. */
  chain: { processor: string; config?: Record<string, unknown>; in?: string; out?: string }[];
  kind: "audio" | "video";
  /** The sink checks content (the chain leaves every sample/byte at the frame's number). */
  content: boolean;
  /** The sink reads mono blocks (ChannelConverter's `mono`). */
  mono?: boolean;
}

const CASES: Record<string, Case> = {
  "Gain": { chain: [{ processor: "Gain", config: { gain: 1 } }], kind: "audio", content: true },
  "Reverb": { chain: [{ processor: "Reverb" }], kind: "audio", content: false },
  "AudioMixer": {
    chain: [{ processor: "AudioMixer", in: "in_0" }],
    kind: "audio",
    content: true,
  },
  "ChannelConverter": {
    chain: [{ processor: "ChannelConverter", out: "mono" }],
    kind: "audio",
    content: true,
    mono: true,
  },
  "AudioResampler": {
    // The resampler's `out` is any channel count; the converter's `stereo` passes it on as is.
    chain: [{ processor: "AudioResampler", config: { sampleRate: 24_000 } }, {
      processor: "ChannelConverter",
      out: "stereo",
    }],
    kind: "audio",
    content: false,
  },
  "VideoScale": {
    chain: [{ processor: "VideoScale", config: { width: 16, height: 16 } }],
    kind: "video",
    content: true,
  },
  "ColorConvert": {
    chain: [{ processor: "ColorConvert", config: { pixelFormat: "I420" } }],
    kind: "video",
    content: false,
  },
  "H264Encoder -> H264Decoder": {
    chain: [{ processor: "H264Encoder", config: { backend: "openh264" } }, {
      processor: "H264Decoder",
    }],
    kind: "video",
    content: false,
  },
};

for (const [name, test] of Object.entries(CASES)) {
  Deno.test(`${name} loses no frame while frame memory runs out again and again`, async () => {
    resetReports();
    hogReport.episodes = 0;
    // A few frames' worth: the source may fill three quarters, the hog takes the rest now and then.
    const frameBytes = test.kind === "audio" ? 64 * 2 * 4 : 32 * 32 * 4;
    await using rt = new Runtime({ registry, frameMemoryBytes: 12 * frameBytes });
    const warnings: RuntimeEvent[] = [];
    rt.on((e) => e.type === "node-warning" && warnings.push(e));
    if (test.kind === "audio") {
      rt.add("StereoSeqSource", { total: TOTAL, frameCount: 64 }, { id: "src" });
    } else rt.add("VideoSeq", { total: TOTAL, width: 32, height: 32 }, { id: "src" });
    // The hog reads every source frame too, late: in-place transforms must copy, so allocate.
    rt.add("MemoryHog", { periodMs: 2, chunkBytes: 64 }, { id: "hog" });
    rt.connectByName("src", "out", "hog", "in", WIDE);
    let from = { node: "src", port: "out" };
    test.chain.forEach((step, i) => {
      const id = `t${i}`;
      rt.add(step.processor, step.config ?? {}, { id });
      rt.connectByName(from.node, from.port, id, step.in ?? "in", WIDE);
      from = { node: id, port: step.out ?? "out" };
    });
    const sink = test.kind === "video" ? "VideoCheck" : test.mono ? "CheckSink" : "StereoCheckSink";
    rt.add(sink, test.kind === "video" ? { content: test.content } : {}, { id: "sink" });
    rt.connectByName(from.node, from.port, "sink", "in", WIDE);
    await rt.start();
    await until(`'${name}' to deliver ${TOTAL} frames`, () => sinkReport("sink").received >= TOTAL);
    const stats = rt.stats().nodes;
    await rt.stop();

    const report = sinkReport("sink");
    assert.equal(report.received, TOTAL);
    assert.equal(report.outOfOrder, 0, "frames out of order or missing");
    // Chains that change the content (reverb, colour conversion, a codec) are checked for order.
    if (test.content) assert.equal(report.corrupt, 0, "a frame's content changed");
    for (const [id, node] of Object.entries(stats)) {
      assert.equal(node.framesDropped, 0, `${id} dropped frames`);
    }
    assert.deepEqual(warnings, []);
    assert.deepEqual(rt.frameLeaks(), []);
    assert.ok(hogReport.episodes > 0, "the hog never took the memory: nothing was tested");
    const waits = test.chain.reduce((sum, _, i) => sum + stats[`t${i}`].blockedRuns, 0);
    assert.ok(waits > 0, "no transform ever waited for memory: nothing was tested");
  });
}

Deno.test("A transform written as the docs show (it returns when ctx.frames has no memory) loses no frame", async () => {
  resetReports();
  hogReport.episodes = 0;
  const frameBytes = 16 * 4;
  await using rt = new Runtime({ registry, frameMemoryBytes: 12 * frameBytes });
  rt.add("SeqSource", { total: 400, frameCount: 16 }, { id: "src" });
  rt.add("AddOne", {}, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  rt.add("MemoryHog", { periodMs: 2, chunkBytes: 64 }, { id: "hog" });
  rt.connectByName("src", "out", "hog", "in", WIDE);
  rt.connectByName("src", "out", "add", "in", WIDE);
  rt.connectByName("add", "out", "sink", "in", WIDE);
  await rt.start();
  await until("every frame through AddOne", () => sinkReport("sink").received >= 400);
  const stats = rt.stats().nodes;
  await rt.stop();
  const report = sinkReport("sink");
  assert.deepEqual([report.received, report.outOfOrder, report.corrupt], [400, 0, 0]);
  assert.equal(stats.add.framesDropped, 0);
  assert.ok(stats.add.blockedRuns > 0, "AddOne never waited for memory: nothing was tested");
  assert.deepEqual(rt.frameLeaks(), []);
});

Deno.test("A node whose frame memory never frees drops what it got back after the wait limit, with a frame_memory_stall warning, and the runtime still stops", async () => {
  resetReports();
  hogReport.episodes = 0;
  const frameBytes = 16 * 4;
  await using rt = new Runtime({ registry, frameMemoryBytes: 12 * frameBytes });
  const warnings: RuntimeEvent[] = [];
  rt.on((e) => e.type === "node-warning" && warnings.push(e));
  rt.add("SeqSource", { total: 4, frameCount: 16 }, { id: "src" });
  rt.add("AddOne", {}, { id: "add" });
  rt.add("CheckSink", { hops: 1 }, { id: "sink" });
  // Reads the source's frames late (so AddOne must copy) and takes every free byte for good.
  rt.add("MemoryHog", { periodMs: 60_000, chunkBytes: 64, forever: true }, { id: "hog" });
  rt.connectByName("src", "out", "hog", "in", WIDE);
  rt.connectByName("src", "out", "add", "in", WIDE);
  rt.connectByName("add", "out", "sink", "in", WIDE);
  await rt.start();
  type Warning = Extract<RuntimeEvent, { type: "node-warning" }>;
  const dropWarning = () => (warnings as Warning[]).find((w) => w.node === "add");
  await until("a frame_memory_stall warning of 'add'", () => dropWarning() !== undefined, 5_000);
  const stall = dropWarning()!;
  assert.equal(stall.code, "frame_memory_stall");
  assert.equal(stall.node, "add");
  assert.equal(stall.port, "in");
  assert.match(stall.message, /waited 200 ms for frame memory and none was freed: dropped 1 frame/);
  // It names the node that holds the memory, not the connections.
  assert.match(stall.message, /'hog' holds \d+ frame\(s\)/);
  // And the holder is named on its own while the stall lasts (before stop()), once.
  const holderWarnings = () => (warnings as Warning[]).filter((w) => w.node === "hog");
  await until(
    "a frame_memory_stall warning naming 'hog'",
    () => holderWarnings().length > 0,
    5_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500)); // the stall goes on: no repeat
  const held = holderWarnings();
  assert.deepEqual(held.map((w) => [w.code, w.processor]), [["frame_memory_stall", "MemoryHog"]]);
  assert.match(held[0].message, /ran out and has stayed out for 200 ms: 'hog' holds \d+ frame/);
  assert.ok(rt.stats().nodes.add.framesDropped >= 1, "the drop is counted");
  await rt.stop(); // does not hang on the node that waits
  assert.deepEqual(rt.frameLeaks(), []);
});
