import assert from "node:assert/strict";
import { createRuntime } from "../../processors/mod.ts";
import { layoutGraph } from "./layout.ts";
import { PreviewProbes } from "./previews.ts";
import { processorInfos } from "./processor_info.ts";
import { StreamHub } from "./stream.ts";

/** A hub whose layouts are counted. */
function countingHub(rt: ReturnType<typeof createRuntime>) {
  const counted = { layouts: 0 };
  const hub = new StreamHub({
    runtime: rt,
    processors: processorInfos(rt.registry),
    previews: new PreviewProbes(rt, () => {}),
    layoutGraph: (...args) => {
      counted.layouts++;
      return layoutGraph(...args);
    },
  });
  return { hub, counted };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

Deno.test("StreamHub: a config change redraws the node where it is, without laying the graph out", async () => {
  await using rt = createRuntime();
  rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.connectByName("tone", "audio", "sink", "in");
  const { hub, counted } = countingHub(rt);
  try {
    await hub.ready();
    assert.equal(counted.layouts, 1);
    const layout = hub.snapshot().layout;

    rt.setConfig("tone", { frequency: 880 });
    const tone = hub.snapshot().graph.nodes.find((n) => n.id === "tone")!;
    assert.equal((tone.config as { frequency: number }).frequency, 880);
    await tick();
    await hub.ready();
    assert.equal(counted.layouts, 1, "a config change laid the graph out");
    assert.deepEqual(hub.snapshot().layout, layout);

    // A topology change still does.
    rt.add("NullSink", {}, { id: "sink_2" });
    await tick();
    await hub.ready();
    assert.equal(counted.layouts, 2);
    assert.ok(hub.snapshot().layout.nodes.sink_2);
  } finally {
    hub.close();
  }
});

Deno.test("StreamHub: a config change during a layout is in the graph once the layout is done", async () => {
  await using rt = createRuntime();
  rt.add("TestToneGenerator", { frequency: 440 }, { id: "tone" });
  const { hub, counted } = countingHub(rt);
  try {
    await hub.ready();
    rt.add("NullSink", {}, { id: "sink" }); // a layout is under way
    rt.setConfig("tone", { frequency: 660 });
    await tick();
    await hub.ready();
    assert.equal(counted.layouts, 2);
    const tone = hub.snapshot().graph.nodes.find((n) => n.id === "tone")!;
    assert.equal((tone.config as { frequency: number }).frequency, 660);
    assert.ok(hub.snapshot().layout.nodes.sink);
  } finally {
    hub.close();
  }
});
