/**
 * A program the video window tests run (with `--unstable-webgpu`, `DISPLAY` set to their Xvfb): a
 * runtime with one `VideoWindow` fed through an application input with the test card, in the
 * format and sizes given as JSON in the first argument. It says on stdout, one JSON line each,
 * `{"event":"shown"}` once the window has shown five frames (it sends `frames` of them, or until the
 * end), `{"event":"eos","graph":...}` when the window's node ended (its window was closed; `graph`
 * whether it asked for the whole graph to end, `closeEndsGraph`), `{"event":"error","code":...}` when the node failed, and
 * `{"event":"stopped","stats":...}` after `rt.stop()`, which it calls after `eos`, an error, or a
 * line on stdin. Not a test module.
 *
 * @module
 */

import type { PixelFormat } from "../../mod.ts";
import { createRuntime, VideoWindow } from "../../processors/mod.ts";
import { cardAs } from "./window_fixture.ts";

interface Args {
  format: PixelFormat;
  width: number;
  height: number;
  title: string;
  windowWidth?: number;
  windowHeight?: number;
  /** Frames to send; default: until the end. */
  frames?: number;
  /** The window's `closeEndsGraph`; default: its default. */
  closeEndsGraph?: boolean;
}

const args: Args = JSON.parse(Deno.args[0]);
const say = (line: Record<string, unknown>) => console.log(JSON.stringify(line));

const rt = createRuntime();
const window = rt.add(VideoWindow, {
  title: args.title,
  width: args.windowWidth ?? 0,
  height: args.windowHeight ?? 0,
  ...(args.closeEndsGraph === undefined ? {} : { closeEndsGraph: args.closeEndsGraph }),
});
const input = rt.addInput("video", `${window.name}.in`);
let done = false;
const finished = Promise.withResolvers<void>();
rt.on((event) => {
  if (event.type === "node-eos" && event.node === window.name) {
    say({ event: "eos", graph: event.graph === true });
    finished.resolve();
  } else if (event.type === "node-error") {
    say({ event: "error", code: event.code, message: event.message });
    finished.resolve();
  }
});
new Response(Deno.stdin.readable).text().then(() => finished.resolve());

try {
  await rt.start();
} catch (error) {
  say({ event: "error", code: (error as { code?: string }).code, message: String(error) });
  finished.resolve();
}

const { payload } = cardAs(args.format, args.width, args.height);
const stats = () => rt.stats().nodes[window.name]?.processor as Record<string, number> | undefined;
const feeding = (async () => {
  let [shown, sent] = [false, 0];
  while (!done) {
    if (sent < (args.frames ?? Infinity)) {
      const frame = { width: args.width, height: args.height, format: args.format, data: payload };
      await input.send({ kind: "video", ...frame });
      sent++;
    }
    if (!shown && (stats()?.framesPresented ?? 0) >= 5) {
      shown = true;
      say({ event: "shown" });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();

await finished.promise;
done = true;
const last = stats();
await rt.stop(); // ends the application input: a send waiting on it returns
await feeding.catch(() => {});
say({ event: "stopped", stats: last });
