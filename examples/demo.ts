/**
 * The demo: a live pipeline (audio: two tones, a mixer and a reverb; video: a test pattern and a
 * scaler) with its dashboard. Prints the dashboard's URL, then runs until Ctrl-C.
 *
 * Run: `deno task demo` (options after `--`: `--port 8787`, `--host 127.0.0.1`, `--token <t>`,
 * `--seconds N` to stop by itself, `--video-worker` to run the video branch on a Worker). The
 * token can also come from `STREAMLIB_DASHBOARD_TOKEN`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRuntime } from "../processors/mod.ts";
import { serveDashboard } from "../web/mod.ts";
import { addDemoPipeline, addGpuDemo, gpuAdapterProblem } from "./demo_pipeline.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
    token: { type: "string" },
    seconds: { type: "string" },
    "video-worker": { type: "boolean", default: false },
  },
});

const rt = createRuntime({ workers: values["video-worker"] });
addDemoPipeline(rt, { videoWorker: values["video-worker"] ? "video" : undefined });
// The GPU branch runs in the main isolate: with the pattern on a Worker it is left out.
const gpuProblem = values["video-worker"]
  ? "the pattern runs on a Worker (--video-worker) and GPU nodes run in the main isolate"
  : await gpuAdapterProblem();
if (gpuProblem === undefined) addGpuDemo(rt);
const dashboard = await serveDashboard(rt, {
  port: Number(values.port),
  hostname: values.host,
  token: values.token ?? Deno.env.get("STREAMLIB_DASHBOARD_TOKEN") ?? undefined,
});
await rt.start();
console.log("streamlib demo: tone_a + tone_b -> mixer -> reverb; pattern -> scale (running)");
console.log(
  gpuProblem === undefined
    ? "GPU: pattern -> gpu_effect (a WGSL effect on WebGPU) -> gpu_out (running)"
    : `GPU: no GPU branch: ${gpuProblem}`,
);
console.log(`Dashboard: ${dashboard.url}`);
console.log("Press Ctrl-C to stop.");

const done = Promise.withResolvers<void>();
const stop = () => done.resolve();
Deno.addSignalListener("SIGINT", stop);
const timer = values.seconds === undefined
  ? undefined
  : setTimeout(stop, Number(values.seconds) * 1000);
await done.promise;
clearTimeout(timer);
Deno.removeSignalListener("SIGINT", stop);
await dashboard.close();
if (rt.state === "running" || rt.state === "paused") await rt.stop();
console.log("Stopped.");
