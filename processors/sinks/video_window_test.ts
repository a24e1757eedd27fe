import assert from "node:assert/strict";
import { ConfigValidationError, createProcessContext } from "../../mod.ts";
import { videoWindowNode } from "./video_window.gen.ts";

Deno.test("VideoWindow's config: the first frame's size, and closing ends the graph, by default", () => {
  const window = videoWindowNode.create({});
  assert.deepEqual(window.config, {
    title: "streamlib",
    width: 0,
    height: 0,
    closeEndsGraph: true,
  });
  assert.deepEqual(window.reportStats(), {
    framesPresented: 0,
    framesSkipped: 0,
    windowOpen: false,
  });
});

Deno.test("VideoWindow refuses sizes out of range", () => {
  assert.throws(() => videoWindowNode.create({ width: -1 }), ConfigValidationError);
  assert.throws(() => videoWindowNode.create({ height: 1.5 }), ConfigValidationError);
  assert.throws(() => videoWindowNode.create({ width: 8000 }), ConfigValidationError);
});

Deno.test("VideoWindow.process() before setup() and teardown() twice do nothing", () => {
  const ports = videoWindowNode.ports();
  const window = videoWindowNode.create({}, ports);
  window.process(createProcessContext("win", { ports }));
  window.teardown();
  window.teardown();
  assert.equal(window.windowOpen, false);
});

Deno.test("VideoWindow's closeEndsGraph is a live boolean", () => {
  assert.equal(videoWindowNode.create({ closeEndsGraph: false }).config.closeEndsGraph, false);
  assert.throws(() => videoWindowNode.create({ closeEndsGraph: "no" }), ConfigValidationError);
  const schema = videoWindowNode.descriptor.config.properties?.closeEndsGraph;
  assert.equal((schema as Record<string, unknown>)["x-live"], true);
});
