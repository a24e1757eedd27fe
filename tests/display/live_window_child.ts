/**
 * A program the video window tests run (with `--unstable-webgpu`, `DISPLAY` set to their Xvfb): a
 * live `TestPattern` (it never ends by itself) into a `VideoWindow` titled by the first argument,
 * as `VideoWindow`'s JSDoc example has it. It awaits the runtime's `end-of-stream` (the window
 * was closed), stops the runtime and says on stdout, one JSON line, `{"event":"stopped",...}` with
 * the nodes that ended, the window's counters and `rt.frameLeaks()`; then it returns, and the
 * process exits by itself (nothing keeps it alive). It never reads stdin. Not a test module.
 *
 * @module
 */

import { createRuntime, TestPattern, VideoWindow } from "../../processors/mod.ts";

const rt = createRuntime();
const bars = rt.add(TestPattern, { width: 160, height: 120, fps: 30, pixelFormat: "RGBA" });
const window = rt.add(VideoWindow, { title: Deno.args[0] });
rt.connect(bars.outputs.video, window.inputs.in);
const ended: string[] = [];
const failures: unknown[] = [];
const graphEnded = new Promise<void>((resolve) =>
  rt.on((e) => {
    if (e.type === "node-eos") ended.push(e.node);
    if (e.type === "node-error") failures.push({ node: e.node, code: e.code, message: e.message });
    if (e.type === "end-of-stream") resolve();
  })
);
await rt.start();
await graphEnded;
const stats = rt.stats().nodes[window.name].processor;
await rt.stop();
console.log(JSON.stringify({
  event: "stopped",
  ended: ended.sort(),
  window: window.name,
  stats,
  failures,
  leaks: rt.frameLeaks(),
}));
