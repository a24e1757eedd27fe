import assert from "node:assert/strict";
import {
  Admission,
  DEFAULT_MEMORY_BUDGET_BYTES,
  MemoryBudgetError,
} from "../../core/admission/check.ts";
import { FrameTooLargeError } from "../../core/frames/memory.ts";
import { graphFootprint } from "../../core/admission/footprint.ts";
import { videoFrameByteLength } from "../../core/frames/video_frame.ts";
import { colorConvertNode } from "../../processors/transforms/color_convert.gen.ts";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { h264DecoderNode } from "../../processors/transforms/h264_decoder.gen.ts";
import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
import { testPatternNode } from "../../processors/sources/test_pattern.gen.ts";
import { videoScaleNode } from "../../processors/transforms/video_scale.gen.ts";

const MiB = 1024 * 1024;

// deno-lint-ignore no-explicit-any
function node(id: string, definition: any, config: Record<string, unknown> = {}) {
  return { id, definition, descriptor: definition.descriptor, config };
}

function pattern(id: string, width: number, height: number, pixelFormat = "RGBA") {
  return node(id, testPatternNode, { width, height, pixelFormat, fps: 30 });
}

function link(from: string, fromPort: string, to: string, toPort: string, capacity: number) {
  return { from: { node: from, port: fromPort }, to: { node: to, port: toPort }, capacity };
}

Deno.test("graphFootprint() counts the frame being made, each connection's capacity and its reader's frame", () => {
  const bytes = videoFrameByteLength("RGBA", 640, 480);
  const alone = graphFootprint({ nodes: [pattern("p", 640, 480)], connections: [] });
  assert.deepEqual(alone.get("p"), {
    node: "p",
    processor: "TestPattern",
    frameBytes: bytes,
    slots: 5, // 1 + the default video capacity 3 + 1
    bytes: 5 * bytes,
  });
  const fanOut = graphFootprint({
    nodes: [pattern("p", 640, 480), node("a", nullSinkNode), node("b", nullSinkNode)],
    connections: [link("p", "video", "a", "in", 2), link("p", "video", "b", "in", 10)],
  });
  assert.equal(fanOut.get("p")?.slots, 1 + 3 + 11);
  assert.equal(fanOut.get("a")?.bytes, 0, "a sink makes no frames");
});

Deno.test("graphFootprint() sizes a filter without a declaration from what it reads, and nothing else", () => {
  const footprint = graphFootprint({
    nodes: [
      pattern("p", 1920, 1080),
      node("convert", colorConvertNode),
      node("scale", videoScaleNode, { width: 320, height: 240 }),
      node("decoder", h264DecoderNode),
      node("gain", gainNode),
    ],
    connections: [link("p", "video", "convert", "in", 3), link("convert", "out", "scale", "in", 3)],
  });
  assert.equal(footprint.get("convert")?.frameBytes, videoFrameByteLength("RGBA", 1920, 1080));
  assert.equal(footprint.get("scale")?.frameBytes, videoFrameByteLength("RGBA", 320, 240));
  assert.equal(footprint.get("decoder")?.frameBytes, 0, "a decoder's size comes from its stream");
  assert.equal(footprint.get("gain")?.frameBytes, 0, "nothing connected to read from");
});

Deno.test("Admission.admitNode() refuses past the budget and names the node, its share, the rest and the budget", () => {
  const admission = new Admission({ budgetBytes: 100 * MiB });
  const graph = { nodes: [pattern("small", 1280, 720)], connections: [] };
  admission.admitNode(graph, pattern("fits", 1920, 1080, "I420"));
  try {
    admission.admitNode(graph, pattern("big", 3840, 2160));
    assert.fail("admitted");
  } catch (e) {
    assert.ok(e instanceof MemoryBudgetError);
    const frame = videoFrameByteLength("RGBA", 3840, 2160);
    assert.deepEqual(e.details, {
      node: "big",
      processor: "TestPattern",
      frameBytes: frame,
      slots: 5,
      bytes: 5 * frame,
      usedBytes: 5 * videoFrameByteLength("RGBA", 1280, 720),
      budgetBytes: 100 * MiB,
    });
    assert.match(e.message, /'big' \(TestPattern\).*158\.2 MiB.*17\.6 MiB.*100\.0 MiB/);
    assert.match(e.message, /memoryBudgetBytes.*--memory-budget/);
  }
});

Deno.test("Admission.admitNode() refuses frames over maxFrameBytes with FrameTooLargeError naming the node", () => {
  const admission = new Admission({ budgetBytes: 4096 * MiB, maxFrameBytes: 64 * MiB });
  try {
    admission.admitNode({ nodes: [], connections: [] }, pattern("eight_k", 7680, 4320));
    assert.fail("admitted");
  } catch (e) {
    assert.ok(e instanceof FrameTooLargeError);
    assert.equal(e.code, "frame_too_large");
    assert.deepEqual(e.details, {
      requested: 7680 * 4320 * 4,
      limit: 64 * MiB,
      node: "eight_k",
      processor: "TestPattern",
    });
    assert.match(e.message, /Cannot admit 'eight_k' \(TestPattern\)/);
  }
});

Deno.test("Admission.admitConfig() and admitConnection() check the graph as the edit would leave it", () => {
  const admission = new Admission({ budgetBytes: 64 * MiB });
  const graph = {
    nodes: [pattern("p", 640, 480), node("sink", nullSinkNode)],
    connections: [link("p", "video", "sink", "in", 3)],
  };
  admission.admitConfig(graph, "p", { ...graph.nodes[0].config, width: 1280, height: 720 });
  assert.throws(
    () =>
      admission.admitConfig(graph, "p", { ...graph.nodes[0].config, width: 3840, height: 2160 }),
    MemoryBudgetError,
  );
  const deep = link("p", "video", "sink", "in", 500);
  const withDeep = { ...graph, connections: [deep] };
  assert.throws(() => admission.admitConnection(withDeep, deep), MemoryBudgetError);
});

Deno.test("Admission admits an edit that does not raise the total, even over a budget", () => {
  const admission = new Admission({ budgetBytes: 1 * MiB });
  const graph = { nodes: [pattern("p", 1280, 720)], connections: [] }; // 17.6 MiB, over already
  admission.admitConfig(graph, "p", { ...graph.nodes[0].config, width: 640, height: 480 });
  admission.admitNode(graph, node("sink", nullSinkNode));
  assert.throws(() => admission.admitNode(graph, pattern("q", 64, 64)), MemoryBudgetError);
});

Deno.test("Admission's constructor refuses a budget that is not a positive integer", () => {
  assert.equal(new Admission().budgetBytes, DEFAULT_MEMORY_BUDGET_BYTES);
  for (const budgetBytes of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Admission({ budgetBytes }), /memoryBudgetBytes must be a positive/);
  }
});
