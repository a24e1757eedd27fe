/**
 * Codegen speed on a synthetic package, one table, every row measured in this run:
 *
 * 1. cold: `deno task codegen` on 100 processors with no cache and no generated files;
 * 2. warm `--check` on the unchanged tree (the cache by content hash answers; no parsing);
 * 3. a re-run after one source changes (one file parsed, the rest from the cache).
 *
 * Each step is a fresh `deno run` of the CLI, as a developer or CI would run it. Goals on the
 * reference machine: cold under 5 s, unchanged `--check` under 1 s, one-file change under 1.5 s.
 *
 * Run: `deno run -A bench/codegen_bench.ts [--processors 100] [--runs 3]`.
 *
 * @module
 */

import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const repo = fileURLToPath(new URL("..", import.meta.url));
const cli = join(repo, "codegen/cli.ts");

/** One synthetic processor source; `variant` changes a default so the output changes too. */
function processorSource(i: number, variant = 0): string {
  const name = `Synth${i}`;
  const inputs = 1 + (i % 3);
  const arrayInput = i % 5 === 0;
  const frame = ["AudioFrame<2>", "VideoFrame", "DataFrame<Stats>", "EncodedVideoFrame"][i % 4];
  const ports = [
    ...Array.from(
      { length: inputs },
      (_, k) =>
        `  /** Input ${k}. */\n  @input({ required: ${
          k === 0
        } })\n  in${k}!: InputPort<${frame}>;\n`,
    ),
    arrayInput
      ? `  /** Side chain. */\n  @input({ array: 4 })\n  side!: readonly InputPort<${frame}>[];\n`
      : "",
    `  /** Result. */\n  @output()\n  out!: OutputPort<${frame}>;\n`,
    i % 2 ? `  /** Copy. */\n  @output()\n  copy!: OutputPort<${frame}>;\n` : "",
  ];
  return `import {
  type AudioFrame,
  config,
  type DataFrame,
  type EncodedVideoFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  Processor,
  processor,
  type VideoFrame,
} from "@streamlib/streamlib";
import type { ${name}Types } from "./synth_${i}.gen.ts";

/** Statistics. */
export interface Stats {
  count: number;
  label: string;
}

/** Settings of {@linkcode ${name}}. */
export interface ${name}Config {
  /**
   * Level.
   *
   * @minimum 0
   * @maximum 10
   * @default ${1 + variant}
   */
  level: number;
  /** @integer @minimum 1 @default 4 */
  count: number;
  /** @default "fast" */
  speed: "slow" | "fast";
  /** Names. @maxItems 8 */
  names?: string[];
  /** Nested. */
  nested: { enabled: boolean; ratio?: number };
}

/** Synthetic processor number ${i}. */
@processor({ tags: ["synthetic", "group${i % 10}"], mode: "${["push", "loop", "pull"][i % 3]}" })
export class ${name} extends Processor<${name}Types> {
${ports.join("\n")}
  /** Settings. */
  @config()
  config!: ${name}Config;

  process(): void {
    const frame = this.inputs.in0.read();
    if (frame) this.outputs.out.write(frame);
  }
}
`;
}

function makeTree(root: string, count: number): void {
  writeFileSync(join(root, "deno.json"), JSON.stringify({ streamlib: { codegen: ["procs"] } }));
  for (let i = 0; i < count; i++) {
    const dir = join(root, "procs", `g${i % 10}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `synth_${i}.ts`), processorSource(i));
  }
}

function clean(root: string): void {
  rmSync(join(root, ".cache"), { recursive: true, force: true });
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".gen.ts")) rmSync(path);
    }
  };
  walk(join(root, "procs"));
}

async function timeCli(root: string, ...args: string[]): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--root", root, ...args],
    cwd: repo,
    env: { NO_COLOR: "1" },
  }).output();
  const ms = performance.now() - started;
  if (code !== 0) {
    throw new Error(`codegen ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  return ms;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      processors: { type: "string", default: "100" },
      runs: { type: "string", default: "3" },
    },
  });
  const count = Number(values.processors);
  const runs = Number(values.runs);
  const root = await Deno.makeTempDir({ prefix: "streamlib_codegen_bench_" });
  const samples = { cold: [] as number[], check: [] as number[], change: [] as number[] };
  try {
    makeTree(root, count);
    for (let run = 0; run < runs; run++) {
      clean(root);
      samples.cold.push(await timeCli(root));
      samples.check.push(await timeCli(root, "--check"));
      const changed = join(root, "procs", "g7", "synth_37.ts");
      writeFileSync(changed, processorSource(37, run + 1));
      samples.change.push(await timeCli(root));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const startup = await (async () => {
    const started = performance.now();
    await new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).output();
    return performance.now() - started;
  })();
  const rows = [
    ["cold codegen", samples.cold, 5000],
    ["unchanged --check", samples.check, 1000],
    ["one file changed", samples.change, 1500],
  ] as const;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const table = [["step", "goal", "min", "median", "max", "meets goal"]];
  for (const [step, list, goal] of rows) {
    const sorted = [...list].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    table.push([
      step,
      `< ${fmt(goal)}`,
      fmt(sorted[0]),
      fmt(median),
      fmt(sorted.at(-1)!),
      median < goal ? "yes" : "no",
    ]);
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;
  console.log(
    `codegen on ${count} synthetic processors, ${runs} runs each (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs)\n`,
  );
  console.log(line(table[0]));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of table.slice(1)) console.log(line(row));
  console.log(`\n(a bare \`deno eval 0\` takes ${fmt(startup)} here; every row includes one)`);
}

if (import.meta.main) await main();
