/**
 * The streamlib side of `bench/graph_bench.ts`: builds each benchmark graph, runs it once and
 * returns what it measured. Every run checks its output (the sink's count and frame order) and
 * throws rather than report a figure for a run that lost or reordered frames.
 *
 * @module
 */

import type { Runtime } from "../mod.ts";
import { peakRssKb } from "./gstreamer.ts";
import { createRuntime } from "../processors/mod.ts";
import { sinkDone, type SinkReport } from "./processors/counting_sink.ts";
import { registry as benchRegistry } from "./processors/registry.gen.ts";

/**
 * A main-isolate runtime with the built-in and the bench processors.
 *
 * @returns A stopped runtime.
 */
function benchRuntime(): Runtime {
  return createRuntime({ registry: benchRegistry, workers: false });
}

/** Resolves with the report of the sink `node` once its expected count arrived. */
function sinkReport(node: string): Promise<SinkReport> {
  return new Promise((resolve) => {
    const listener = (event: Event) => {
      const report = (event as CustomEvent<SinkReport>).detail;
      if (report.node !== node) return;
      sinkDone.removeEventListener("done", listener);
      resolve(report);
    };
    sinkDone.addEventListener("done", listener);
  });
}

/**
 * What a run that timed out had done: the sink's frames in, and each connection's queued,
 * written and read counts (a stall shows as a full ring that nobody reads, say).
 */
function stalled(rt: Runtime, sink: string): string {
  const stats = rt.stats();
  const connections = Object.entries(stats.connections).map(([id, c]) =>
    `${id} queued ${c.queued}/${c.capacity}, written ${c.written}, read ${c.read}`
  );
  return `sink '${sink}' has ${stats.nodes[sink]?.framesIn ?? 0} frames; ${connections.join("; ")}`;
}

/**
 * Starts `rt`, waits until its `sink` node has received its expected frames, stops it, and
 * checks that they arrived in order.
 *
 * @param rt The runtime, stopped, with a `CountingSink` called `sink`.
 * @param sink The sink's id.
 * @param what What ran, for the error message.
 * @param options `allowGaps`: a live source may drop a frame its full output refuses, so a gap
 * in the frame numbers is not an error (the report counts it); `timeoutMs`: how long to wait
 * for the sink, default 120 s.
 * @returns The sink's report.
 * @throws {Error} When frames were lost or reordered (unless `allowGaps`), a node failed, or the
 * sink did not get its frames in time.
 */
export async function runToSink(
  rt: Runtime,
  sink: string,
  what: string,
  options: { allowGaps?: boolean; timeoutMs?: number } = {},
): Promise<SinkReport> {
  const { allowGaps = false, timeoutMs = 120_000 } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let off = () => {};
  const report = sinkReport(sink);
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no result in ${timeoutMs} ms: ${stalled(rt, sink)}`)),
      timeoutMs,
    );
    off = rt.on((event) => {
      if (event.type === "node-error") {
        reject(new Error(`${what}: node '${event.node}' failed: ${event.message}`));
      }
    });
  });
  failure.catch(() => {}); // raced below; a failure during start() must not go unhandled
  try {
    await rt.start();
    const result = await Promise.race([report, failure]);
    if (result.outOfOrder !== 0 && !allowGaps) {
      throw new Error(`${what}: ${result.outOfOrder} frames lost or out of order`);
    }
    return result;
  } finally {
    clearTimeout(timer);
    off();
    if (rt.state === "running" || rt.state === "paused") await rt.stop();
  }
}

/**
 * Frames per second at the sink, from the first frame's arrival to the last's: `expect - 1`
 * gaps. Setup and the first frame's trip are left out, as GStreamer's "Execution ended after"
 * leaves out preroll.
 *
 * @param report The sink's report.
 * @param expect Frames it expected.
 * @returns Frames per second.
 */
export function arrivalRate(report: SinkReport, expect: number): number {
  return (expect - 1) / ((report.doneNs - report.firstNs) / 1e9);
}

/**
 * `BurstSource` → `hops` × `PassThrough` → `CountingSink`, all in the main isolate.
 *
 * @param hops Pass-through processors between the source and the sink.
 * @param frames Frames to send (64-byte mono audio frames).
 * @param capacity Capacity of every connection (`fifo`); the source writes bursts of this size.
 * @returns Frames per second.
 */
export async function chainRate(hops: number, frames: number, capacity: number): Promise<number> {
  const rt = benchRuntime();
  rt.add("BurstSource", { frames, bytes: 64, burst: capacity }, { id: "source" });
  let from = "source";
  for (let i = 1; i <= hops; i++) {
    rt.add("PassThrough", {}, { id: `pass_${i}` });
    rt.connectByName(from, "out", `pass_${i}`, "in", { capacity, policy: "fifo" });
    from = `pass_${i}`;
  }
  rt.add("CountingSink", { expect: frames }, { id: "sink" });
  rt.connectByName(from, "out", "sink", "in", { capacity, policy: "fifo" });
  return arrivalRate(await runToSink(rt, "sink", `chain of ${hops}`), frames);
}

/**
 * Two `ToneBurstSource`s (stereo float sine, 1024-sample blocks at 44.1 kHz) → `AudioMixer` →
 * `CountingSink`, as fast as it goes.
 *
 * @param blocks Blocks per source.
 * @param wave What the sources compute: a sine per sample, or silence (cleared blocks).
 * @returns The real-time factor: seconds of audio mixed per second.
 */
/**
 * Frames per second from one source fanned out to `sinks` sinks in one isolate (each frame is
 * shared by every connection, never copied), timed at the slowest sink.
 *
 * @param sinks How many sinks.
 * @param frames Frames to send.
 * @param bytes Payload bytes per frame (audio blocks of `bytes / 4` samples).
 * @returns Frames per second.
 */
export async function fanOutRate(sinks: number, frames: number, bytes: number): Promise<number> {
  const rt = benchRuntime();
  const capacity = 64;
  rt.add("BurstSource", { frames, bytes, burst: capacity }, { id: "source" });
  for (let i = 1; i <= sinks; i++) {
    rt.add("CountingSink", { expect: frames }, { id: `sink_${i}` });
    rt.connectByName("source", "out", `sink_${i}`, "in", { capacity, policy: "fifo" });
  }
  const reports = Array.from({ length: sinks - 1 }, (_, i) => sinkReport(`sink_${i + 2}`));
  const first = await runToSink(rt, "sink_1", `fan-out to ${sinks}`);
  const rest = await Promise.all(reports);
  const done = Math.max(first.doneNs, ...rest.map((r) => r.doneNs));
  return (frames - 1) / ((done - first.firstNs) / 1e9);
}

export async function mixerRealTimeFactor(
  blocks: number,
  wave: "sine" | "silence",
): Promise<number> {
  const rt = benchRuntime();
  const tone = { blocks, blockSize: 1024, sampleRate: 44_100, burst: 8, wave };
  rt.add("ToneBurstSource", { ...tone, frequency: 440 }, { id: "tone_a" });
  rt.add("ToneBurstSource", { ...tone, frequency: 660 }, { id: "tone_b" });
  rt.add("AudioMixer", {}, { id: "mix" });
  rt.add("CountingSink", { expect: blocks }, { id: "sink" });
  rt.connectByName("tone_a", "audio", "mix", "in_0", { capacity: 8 });
  rt.connectByName("tone_b", "audio", "mix", "in_1", { capacity: 8 });
  rt.connectByName("mix", "out", "sink", "in", { capacity: 15 }); // below the mixer's pool of 16
  const blocksPerSecond = arrivalRate(await runToSink(rt, "sink", "mixer"), blocks);
  return (blocksPerSecond * 1024) / 44_100;
}

/**
 * Peak RSS of `bench/graph_bench_rss.ts` (tone → mixer → WAV for 3 s) in its own process.
 *
 * @param out The WAV file it records.
 * @param imports `"minimal"`: the three processors' modules; `"all"`: `createRuntime()` from
 * `processors/runtime.ts` (every built-in registered, each class loaded on first setup).
 * @returns Kilobytes, from `/usr/bin/time`.
 */
export function ourPeakRssKb(out: string, imports: "minimal" | "all"): Promise<number> {
  const script = new URL("./graph_bench_rss.ts", import.meta.url).pathname;
  const args = ["run", "-A", script, "--out", out, "--seconds", "3", "--imports", imports];
  return peakRssKb(Deno.execPath(), args);
}
