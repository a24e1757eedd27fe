import assert from "node:assert/strict";
import { Admission, MemoryBudgetError } from "./check.ts";
import { graphFootprint } from "./footprint.ts";
import { Graph, type GraphNode } from "../graph/graph.ts";
import { colorConvertNode } from "../../processors/transforms/color_convert.gen.ts";
import { nullSinkNode } from "../../processors/sinks/null_sink.gen.ts";
import { testPatternNode } from "../../processors/sources/test_pattern.gen.ts";

interface Node extends GraphNode {
  readonly definition: { readonly processorClass: unknown; readonly footprint?: unknown };
  readonly config: unknown;
}

// deno-lint-ignore no-explicit-any
function node(id: string, definition: any, config: Record<string, unknown> = {}): Node {
  return { id, definition, descriptor: definition.descriptor, config };
}

const PATTERN = { width: 64, height: 64, pixelFormat: "RGBA", fps: 30 };

/** Adds and connects as the runtime does: admit, then edit (a connection is admitted once made). */
function build(admission: Admission, graph: Graph<Node>, chains: number): void {
  for (let i = 0; i < chains; i++) {
    for (
      const n of [
        node(`p${i}`, testPatternNode, PATTERN),
        node(`c${i}`, colorConvertNode),
        node(`s${i}`, nullSinkNode),
      ]
    ) {
      admission.admitNode(graph, n);
      graph.addNode(n);
    }
    admission.admitConnection(graph, graph.connect(`p${i}`, "video", `c${i}`, "in"));
    admission.admitConnection(graph, graph.connect(`c${i}`, "out", `s${i}`, "in"));
  }
}

Deno.test("Admission estimates only what each edit touches: the work per edit does not grow with the graph", () => {
  const admission = new Admission({ budgetBytes: 2 ** 52 });
  const graph = new Graph<Node>();
  build(admission, graph, 10);
  const small = admission.estimatesFor(graph);
  const big = new Graph<Node>();
  build(admission, big, 2000);
  const perChainSmall = small / 10;
  const perChainBig = admission.estimatesFor(big) / 2000;
  // Per node added: its check and the update after it; per connection: both ends before and
  // after it and what the filter feeds. 14 today; the whole graph per edit would be thousands.
  assert.ok(perChainBig <= 16, `${perChainBig} estimates per chain of 3 nodes`);
  assert.ok(
    perChainBig <= perChainSmall + 1,
    `${perChainBig} per chain at 2000 vs ${perChainSmall} at 10`,
  );
});

Deno.test("Admission's kept estimate matches a fresh one after adds, config changes, disconnects and removals", () => {
  const admission = new Admission({ budgetBytes: 256 * 1024 * 1024, maxFrameBytes: 2 ** 40 });
  const graph = new Graph<Node>();
  build(admission, graph, 20);
  for (let i = 0; i < 20; i += 3) graph.removeNode(`c${i}`);
  for (let i = 1; i < 20; i += 3) graph.disconnect(graph.outgoing(`p${i}`)[0].id);
  const bigger = { ...PATTERN, width: 640, height: 480 };
  admission.admitConfig(graph, "p2", bigger);
  graph.replaceNode({ ...graph.node("p2"), config: bigger });
  const fresh = [...graphFootprint(graph).values()].reduce((t, f) => t + f.bytes, 0);
  const probe = node("probe", testPatternNode, { ...PATTERN, width: 7680, height: 4320 });
  try {
    admission.admitNode(graph, probe);
    assert.fail("admitted");
  } catch (error) {
    assert.ok(error instanceof MemoryBudgetError);
    assert.equal(error.usedBytes, fresh, "the kept estimate is the graph's, edit by edit");
  }
});
