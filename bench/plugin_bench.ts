/**
 * Per-block cost of a native plugin processor and of a subprocess node against the same gain as a
 * built-in TypeScript processor, one table, every row measured in this run. The TypeScript and
 * subprocess processors are driven directly (no scheduler): write one stereo block, call
 * `process()`, read the result. The native one runs on its own thread: write a block into its
 * input ring, spin until its output arrives.
 *
 * Run: `deno task build:native && deno run -A bench/plugin_bench.ts [--blocks N] [--frames F]`
 * (needs python3 with numpy).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import {
  type AudioFrame,
  connectLocal,
  createAudioFrame,
  InputBinding,
  type NodeDefinition,
  OutputBinding,
  type ProcessContext,
} from "../mod.ts";
import { FramePool, NativePlugin } from "../ffi/mod.ts";
import { NativeTransport } from "../ffi/transport/native_transport.ts";
import { NativePluginHost } from "../ffi/plugins/host.ts";
import { gainNode } from "../processors/transforms/gain.gen.ts";
import { subprocessProcessorNode } from "../plugins/subprocess_processor.gen.ts";
import { createProcessContext } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    blocks: { type: "string", default: "2000" },
    frames: { type: "string", default: "480" },
  },
});
const BLOCKS = Number(values.blocks);
const FRAMES = Number(values.frames);
const ctx: ProcessContext = createProcessContext("bench");
const script = fileURLToPath(new URL("../plugins/python/gain_node.py", import.meta.url));
const examplePlugin = fileURLToPath(
  new URL("../crates/target/release/libstreamlib_example_plugin.so", import.meta.url),
);

async function measure(name: string, definition: NodeDefinition, config: unknown) {
  const ports = definition.ports();
  const node = definition.create(config, ports);
  const source = new OutputBinding<AudioFrame<2>>("source", "AudioFrame<2>");
  const sink = new InputBinding<AudioFrame<2>>("sink", "AudioFrame<2>");
  connectLocal(source, ports.input("in"), { capacity: 4, policy: "fifo" });
  connectLocal(ports.output<AudioFrame<2>>("out"), sink, { capacity: 4, policy: "fifo" });
  await node.setup(ctx);
  const block = createAudioFrame(2, 48_000, FRAMES);
  block.samples.fill(0.25);
  const once = async () => {
    source.write(block);
    await node.process(ctx);
    if (sink.read()?.samples[0] !== 0.125) throw new Error(`${name}: wrong output`);
  };
  for (let i = 0; i < Math.min(200, BLOCKS); i++) await once(); // warm up
  const times = new Float64Array(BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    const start = performance.now();
    await once();
    times[i] = (performance.now() - start) * 1_000;
  }
  await node.teardown();
  times.sort();
  const mean = times.reduce((a, b) => a + b, 0) / BLOCKS;
  const at = (q: number) => times[Math.min(BLOCKS - 1, Math.floor(q * BLOCKS))];
  return { name, mean, p50: at(0.5), p99: at(0.99) };
}

/**
 * A NativeGain node on its own native thread, fed and read from this isolate through two native
 * connections (the runtime's transport): the per-block cost a graph pays for a native plugin
 * processor, thread hand-offs included. Also returns the plugin's own `process` time, from the
 * host's histogram.
 */
async function measureNative() {
  const plugin = NativePlugin.load(examplePlugin);
  const definition = plugin.definitions.find((d) => d.descriptor.name === "NativeGain")!;
  using pool = FramePool.create({ slotBytes: 64 + FRAMES * 8, slotCount: 16 });
  const transport = new NativeTransport({ pool });
  const host = new NativePluginHost(plugin, transport);
  host.addNode({
    id: "gain",
    definition,
    config: { gain: 0.5 },
    onError: "stop-processor",
    maxRestarts: 0,
  });
  const spec = (connection: string) => ({
    connection,
    fromIsolate: "main",
    toIsolate: host.isolate,
    portType: "AudioFrame<2>",
    capacity: 4,
    policy: "fifo" as const,
  });
  const into = transport.open(spec("into"));
  const out = transport.open({ ...spec("out"), fromIsolate: host.isolate, toIsolate: "main" });
  host.attachReader({
    connection: "into",
    port: { node: "gain", port: "in" },
    endpoint: into.reader,
  });
  host.attachWriter({
    connection: "out",
    port: { node: "gain", port: "out" },
    endpoint: out.writer,
  });
  using writer = transport.adoptWriter<AudioFrame<2>>(into.writer);
  using reader = transport.adoptReader<AudioFrame<2>>(out.reader, () => {});
  await host.setup();
  host.run();
  const block = createAudioFrame(2, 48_000, FRAMES);
  block.samples.fill(0.25);
  const once = () => {
    if (!writer.push(block)) throw new Error("native: input full");
    let frame: AudioFrame<2> | undefined;
    const deadline = performance.now() + 1000;
    while ((frame = reader.pop()) === undefined) {
      if (performance.now() > deadline) throw new Error("native: no output within 1 s");
    }
    if (frame.samples[0] !== 0.125) throw new Error("native: wrong output");
  };
  for (let i = 0; i < Math.min(200, BLOCKS); i++) once();
  const times = new Float64Array(BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    const start = performance.now();
    once();
    times[i] = (performance.now() - start) * 1_000;
  }
  const own = host.nodeStats("gain").processTime;
  await host.teardown();
  host[Symbol.dispose]();
  into.close();
  out.close();
  plugin.close();
  times.sort();
  const mean = times.reduce((a, b) => a + b, 0) / BLOCKS;
  const at = (q: number) => times[Math.min(BLOCKS - 1, Math.floor(q * BLOCKS))];
  return [
    {
      name: "NativeGain (native plugin): round trip through its thread",
      mean,
      p50: at(0.5),
      p99: at(0.99),
    },
    {
      name: "NativeGain: its process() alone, on the native thread",
      mean: own.meanNs / 1e3,
      p50: own.p50Ns / 1e3,
      p99: own.p99Ns / 1e3,
    },
  ];
}

const rows = [
  await measure("Gain (built-in TypeScript)", gainNode, { gain: 0.5 }),
  await measure("SubprocessProcessor + gain_node.py (numpy)", subprocessProcessorNode, {
    command: "python3",
    args: [script, "0.5"],
  }),
  ...(await measureNative()),
];
console.log(`${BLOCKS} blocks of ${FRAMES} stereo frames, µs per block\n`);
console.log("| Processor | mean | p50 | p99 |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.mean.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
}
