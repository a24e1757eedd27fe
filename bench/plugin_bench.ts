/**
 * Per-block cost of a subprocess node against the same gain as a built-in TypeScript processor,
 * one table, every row measured in this run. Each processor is driven directly (no scheduler):
 * write one stereo block, call `process()`, read the result.
 *
 * Run: `deno run -A bench/plugin_bench.ts [--blocks N] [--frames F]` (needs python3 with numpy).
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
  monotonicClock,
  type NodeDefinition,
  OutputBinding,
  type ProcessContext,
} from "../mod.ts";
import { gainNode } from "../processors/gain.gen.ts";
import { subprocessProcessorNode } from "../plugins/subprocess_processor.gen.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    blocks: { type: "string", default: "2000" },
    frames: { type: "string", default: "480" },
  },
});
const BLOCKS = Number(values.blocks);
const FRAMES = Number(values.frames);
const ctx: ProcessContext = { node: "bench", clock: monotonicClock };
const script = fileURLToPath(new URL("../plugins/python/gain_node.py", import.meta.url));

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

const rows = [
  await measure("Gain (built-in TypeScript)", gainNode, { gain: 0.5 }),
  await measure("SubprocessProcessor + gain_node.py (numpy)", subprocessProcessorNode, {
    command: "python3",
    args: [script, "0.5"],
  }),
];
console.log(`${BLOCKS} blocks of ${FRAMES} stereo frames, µs per block\n`);
console.log("| Processor | mean | p50 | p99 |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(`| ${r.name} | ${r.mean.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
}
