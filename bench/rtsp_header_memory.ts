/**
 * What a hostile RTSP server costs `RtspSource` in memory: a loopback TCP server (in this process)
 * answers every connection with `RTSP/1.0 200 OK`, then one header line that never ends, as fast
 * as the client reads. `retina` buffers a message's header without a bound, so `connectTimeoutMs`
 * is what ends each attempt; this prints the process's RSS growth every 2 s, the attempts made and
 * how long `rt.stop()` took. The server's writes wait for the client's reads, so it holds one
 * 256 KiB chunk at a time: the growth is the client's.
 *
 * Run: `deno run -A bench/rtsp_header_memory.ts [--seconds 12] [--timeout-ms 5000]`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createRuntime, NullSink, RtspSource } from "../processors/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "12" },
    "timeout-ms": { type: "string", default: "5000" },
  },
});
const seconds = Number(values.seconds);
const connectTimeoutMs = Number(values["timeout-ms"]);

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const serving = (async () => {
  for await (const conn of listener) {
    (async () => {
      await conn.write(new TextEncoder().encode("RTSP/1.0 200 OK\r\nX-Long: "));
      const chunk = new Uint8Array(256 * 1024).fill(0x61);
      for (;;) await conn.write(chunk);
    })().catch(() => {}); // the client hangs up at its timeout
  }
})().catch(() => {});

const rt = createRuntime({ workers: false });
const url = `rtsp://127.0.0.1:${listener.addr.port}/x`;
const cam = rt.add(RtspSource, { url, connectTimeoutMs }, { id: "cam" });
rt.connect(cam.outputs.video, rt.add(NullSink, {}, { id: "sink" }).inputs.in);
const base = Deno.memoryUsage().rss;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
await rt.start();
let peak = 0;
console.log("| s | RSS growth (MiB) | attempts failed |\n| -: | -: | -: |");
for (let t = 0.5; t <= seconds; t += 0.5) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const growth = Deno.memoryUsage().rss - base;
  peak = Math.max(peak, growth);
  if (t % 2 === 0) {
    console.log(`| ${t} | ${mib(growth)} | ${rt.stats().nodes.cam.processor?.connectFailures} |`);
  }
}
const stopAt = performance.now();
await rt.stop();
console.log(
  `\npeak growth ${mib(peak)} MiB with connectTimeoutMs ${connectTimeoutMs}; ` +
    `rt.stop() took ${(performance.now() - stopAt).toFixed(0)} ms`,
);
listener.close();
await serving;
