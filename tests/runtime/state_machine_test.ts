/**
 * The runtime goes only through the moves of the one state machine (core/lifecycle/state.ts),
 * for the graph and for every node, and refuses a lifecycle call naming the calls allowed now.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NODE_STATES, type NodeState } from "../../core/lifecycle/state.ts";
import { RuntimeStateError } from "../../core/lifecycle/errors.ts";
import { Runtime, type RuntimeEvent } from "../../mod.ts";
import { createRuntime } from "../../processors/mod.ts";

/** Every move of the nodes' table (core/lifecycle/state.ts NODE_TRANSITIONS). */
const NODE_MOVES = new Set([
  "stopped>starting",
  "starting>running",
  "starting>paused",
  "starting>stopping",
  "starting>error",
  "running>paused",
  "running>stopping",
  "running>error",
  "paused>running",
  "paused>stopping",
  "paused>error",
  "stopping>stopped",
  "stopping>starting",
  "stopping>error",
  "error>starting",
  "error>stopped",
]);

Deno.test("Runtime goes only through the table's moves, for the graph and every node, through a run with a pause, a failure and a restart", async () => {
  await using rt = createRuntime({ workers: false });
  const events: RuntimeEvent[] = [];
  rt.on((event) => events.push(event));
  rt.add("TestToneGenerator", {}, { id: "tone" });
  rt.add("NullSink", {}, { id: "sink" });
  rt.add("Y4mFileSource", { path: "/no/such/clip.y4m" }, { id: "clip", onError: "restart" });
  rt.connectByName("tone", "audio", "sink", "in");
  await rt.start();
  await rt.settled();
  await rt.pause();
  rt.setConfig("tone", { blockSize: 960 }); // paused: torn down and set up again
  await rt.settled();
  await rt.resume();
  await rt.stop();
  const graphMoves = events.flatMap((e) => e.type === "runtime-state" ? [`${e.from}>${e.to}`] : []);
  assert.deepEqual(graphMoves, [
    "stopped>starting",
    "starting>running",
    "running>paused",
    "paused>running",
    "running>stopping",
    "stopping>stopped",
  ]);
  const nodeMoves = events.flatMap((e) => e.type === "node-state" ? [`${e.from}>${e.to}`] : []);
  for (const move of nodeMoves) assert.ok(NODE_MOVES.has(move), move);
  // The failing clip went through error and a restart; the tone through a second setup.
  assert.ok(nodeMoves.includes("starting>error"));
  assert.ok(nodeMoves.includes("error>starting"));
  assert.ok(nodeMoves.includes("stopping>starting"));
  const states = new Set<NodeState>(Object.values(rt.stats().nodes).map((n) => n.state));
  for (const state of states) assert.ok(NODE_STATES.includes(state));
});

Deno.test("Runtime refuses a call its state does not allow with the calls it does allow", async () => {
  const rt = new Runtime();
  await assert.rejects(() => rt.pause(), (error) => {
    assert.ok(error instanceof RuntimeStateError);
    assert.equal(
      error.message,
      "Cannot pause the runtime: it is stopped, expected running; allowed now: start",
    );
    assert.deepEqual(error.details.available, ["start"]);
    return true;
  });
  await rt.start();
  await assert.rejects(
    () => rt.resume(),
    /it is running, expected paused; allowed now: pause, stop/,
  );
  await rt.stop();
});
