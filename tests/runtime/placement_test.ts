import assert from "node:assert/strict";
import { PlacementUnavailableError, Runtime } from "../../mod.ts";
import { LocalIsolate } from "../../core/isolates/local/host.ts";
import { FakeTime } from "../fixtures/runtime/fake_time.ts";
import { InProcessTransport } from "../fixtures/runtime/in_process_transport.ts";
import {
  collectorNode,
  counterNode,
  probe,
  relayNode,
  resetProbes,
  testRegistry,
} from "../fixtures/runtime/test_nodes.ts";

Deno.test("Runtime.add() with a worker placement and no worker host throws PlacementUnavailableError", () => {
  const rt = new Runtime({ registry: testRegistry });
  assert.throws(
    () => rt.add(relayNode, {}, { id: "fft", placement: { worker: "analysis" } }),
    (e) =>
      e instanceof PlacementUnavailableError && e.node === "fft" &&
      e.message ===
        `Cannot place node 'fft' on worker:analysis: no worker host or cross-isolate transport was injected, pass { isolates } to new Runtime() or place it on "main"`,
  );
  assert.equal(rt.describe().nodes.length, 0);
});

function setup() {
  resetProbes();
  const time = new FakeTime();
  const transport = new InProcessTransport();
  const analysis = new LocalIsolate({
    isolate: "worker:analysis",
    clock: time,
    timers: time,
    transport,
  });
  const rt = new Runtime({
    registry: testRegistry,
    clock: time,
    timers: time,
    isolates: { transport, workers: { analysis } },
  });
  return { rt, time, transport };
}

Deno.test("Runtime.add() names the worker hosts there are when a placement has none", () => {
  const { rt } = setup();
  assert.throws(
    () => rt.add(relayNode, {}, { placement: { worker: "video" } }),
    /Cannot place node 'relay_1' on worker:video: no host was injected for it, available isolates: main, worker:analysis$/,
  );
});

Deno.test("Runtime refuses a worker host whose isolate name does not match its key", () => {
  const host = new LocalIsolate({ isolate: "worker:b" });
  assert.throws(
    () => new Runtime({ isolates: { transport: new InProcessTransport(), workers: { a: host } } }),
    /Cannot use the host of worker 'a': its isolate is 'worker:b', expected 'worker:a'/,
  );
});

Deno.test("Runtime groups nodes by isolate and connects isolates through the transport", async () => {
  const { rt, time, transport } = setup();
  const src = rt.add(counterNode, {}, { id: "src" });
  const relay = rt.add(relayNode, {}, { id: "relay", placement: { worker: "analysis" } });
  const tap = rt.add(collectorNode, {}, { id: "tap", placement: { worker: "analysis" } });
  const sink = rt.add(collectorNode, {}, { id: "sink" });
  rt.connect(src.outputs.out, relay.inputs.in, { capacity: 8 });
  rt.connect(relay.outputs.out, tap.inputs.in); // inside the worker: a local connection
  rt.connect(relay.outputs.out, sink.inputs.in); // back to main
  assert.deepEqual(
    transport.opened.map((s) => [s.connection, s.fromIsolate, s.toIsolate, s.capacity]),
    [["conn_1", "main", "worker:analysis", 8], ["conn_3", "worker:analysis", "main", 16]],
  );
  const described = rt.describe();
  assert.deepEqual(described.isolates, {
    main: ["src", "sink"],
    "worker:analysis": ["relay", "tap"],
  });
  assert.deepEqual(described.connections.map((c) => c.crossIsolate), [true, false, true]);
  assert.deepEqual(described.nodes.find((n) => n.id === "relay")!.placement, {
    worker: "analysis",
  });

  await rt.start();
  assert.equal(rt.describe().nodes.find((n) => n.id === "relay")!.state, "running");
  await time.advance(4e6);
  await rt.stop();
  assert.deepEqual(probe("sink").received, [0, 1, 2, 3, 4]);
  assert.deepEqual(probe("tap").received, [0, 1, 2, 3, 4]);
  assert.equal(rt.stats().connections.conn_3.read, 5);
  assert.equal(probe("relay").teardowns, 1);

  rt.remove("relay");
  assert.equal(transport.closed, 2);
  assert.deepEqual(rt.describe().isolates, { main: ["src", "sink"], "worker:analysis": ["tap"] });
});
