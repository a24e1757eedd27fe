/**
 * Graph edits while frames flow: the connections left in place must not lose or duplicate a
 * frame.
 */

import assert from "node:assert/strict";
import { Runtime } from "../../mod.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import {
  collectorNode,
  counterNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

/** One edit of branch B, by step number: unplug, replug, insert a relay, remove nodes. */
function rewire(rt: Runtime, step: number): void {
  const b = rt.describe().nodes.find((n) => n.id === "src")!.outputs[0].connections
    .filter((id) => id !== "conn_1");
  switch (step % 4) {
    case 0: // unplug branch B entirely
      for (const id of b) rt.disconnect(id);
      for (const node of rt.describe().nodes) {
        if (node.id.startsWith("b_")) rt.remove(node.id);
      }
      break;
    case 1: // a new sink on branch B
      rt.add(collectorNode, {}, { id: `b_sink_${step}` });
      rt.connectByName("src", "out", `b_sink_${step}`, "in", { capacity: 2, policy: "latest" });
      break;
    case 2: // move branch B behind a relay
      for (const id of b) rt.disconnect(id);
      rt.add(relayNode, { async: step % 8 === 2 }, { id: `b_relay_${step}` });
      rt.connectByName("src", "out", `b_relay_${step}`, "in");
      rt.connectByName(`b_relay_${step}`, "out", `b_sink_${step - 1}`, "in");
      break;
    case 3: // a second branch-B sink, then drop the relay's sink
      rt.add(collectorNode, {}, { id: `b_extra_${step}` });
      rt.connectByName("src", "out", `b_extra_${step}`, "in", { capacity: 1, policy: "latest" });
      rt.remove(`b_sink_${step - 2}`);
      break;
  }
}

Deno.test("Runtime edits while running, paused and stopped never lose or duplicate frames on untouched connections", async () => {
  resetProbes();
  const time = new FakeTime();
  const rt = new Runtime({ registry: testRegistry, clock: time, timers: time });
  const src = rt.add(counterNode, {}, { id: "src" });
  const a = rt.add(collectorNode, {}, { id: "a" });
  rt.connect(src.outputs.out, a.inputs.in, { capacity: 4, policy: "fifo" }); // conn_1: branch A
  let step = 0;
  const runs: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const start = probe("a").received.length;
    await rt.start();
    for (let tick = 0; tick < 40; tick++) {
      await time.advance(1e6);
      if (tick % 3 === 0) rewire(rt, step++);
      if (tick % 10 === 5) {
        await rt.pause();
        rewire(rt, step++);
        await time.advance(3e6);
        await rt.resume();
      }
    }
    await rt.stop();
    runs.push(probe("a").received.slice(start));
    rewire(rt, step++); // and while stopped
    rewire(rt, step++);
  }
  for (const values of runs) {
    assert.ok(values.length >= 40, `${values.length} frames`);
    assert.deepEqual(values, [...values.keys()], "every sequence number exactly once, in order");
  }
  assert.ok(step > 20, `${step} edits`);
  assert.ok(probe("b_sink_1").received.length > 0, "branch B carried frames too");
  assert.ok(probe("b_relay_2").received.length > 0, "and through its relays");
  const conn1 = rt.stats().connections.conn_1;
  assert.equal(conn1.dropped + conn1.fullRejections, 0);
  assert.equal(conn1.read, runs[0].length + runs[1].length);
});
