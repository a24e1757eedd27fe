/**
 * Bisects the in-isolate pass-through rows of `bench/graph_bench.ts` over any number of git
 * revisions in one run: each revision is checked out in a temporary worktree (sharing this
 * checkout's `node_modules` and native library, like `bench/revisions.ts`), and a child process
 * runs that revision's own `chainRate()` (`bench/graph_bench_runs.ts`). It prints one table with a
 * column per revision.
 *
 * Two measures:
 * - `--measure time` (the default): buffers per second, revisions alternating in every round, the
 *   median of the rounds. Needs a quiet machine.
 * - `--measure instructions`: instructions per buffer from valgrind's cachegrind, the count of a
 *   run of `2 x frames` minus a run of `frames`, divided by `frames` (start-up, compilation and the
 *   warm-up cancel out). Independent of other load on the machine, so commits can be told apart
 *   while other work runs; V8's tiering makes it repeatable to about 1%.
 *
 * Run: `deno run -A bench/bisect_isolate.ts [--measure time|instructions] [--rounds 3]
 * [--frames 400000] [--hops 1,4] [--capacity 8] <rev> <rev> ...`, for example
 * `deno run -A bench/bisect_isolate.ts --measure instructions --frames 100000 3d6f0da 25a5332 HEAD`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nativeLibraryFileName } from "../ffi/native/load.ts";
import { countInstructions, requireValgrind } from "./cachegrind.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    measure: { type: "string", default: "time" },
    rounds: { type: "string", default: "3" },
    frames: { type: "string", default: "400000" },
    hops: { type: "string", default: "1,4" },
    capacity: { type: "string", default: "8" },
  },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const frames = Number(values.frames);
const capacity = Number(values.capacity);
const hops = values.hops.split(",").map(Number);
const measure = values.measure;
if (
  positionals.length < 1 || !Number.isInteger(rounds) || rounds < 1 ||
  !Number.isInteger(frames) || frames < 1000 || !Number.isInteger(capacity) || capacity < 1 ||
  hops.some((h) => !Number.isInteger(h) || h < 1) ||
  (measure !== "time" && measure !== "instructions")
) {
  console.error(
    "Cannot bisect: expected one or more revisions, --measure time|instructions, --rounds >= 1, " +
      "--frames >= 1000, --capacity >= 1 and --hops a comma list of integers >= 1; got " +
      JSON.stringify({ positionals, ...values }),
  );
  Deno.exit(2);
}
if (measure === "instructions") await requireValgrind();

async function git(...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd: root, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).trim();
}

const library = Deno.env.get("STREAMLIB_NATIVE_LIB") ??
  join(root, "crates/target/release", nativeLibraryFileName());
const revisions = await Promise.all(positionals.map((rev) => git("rev-parse", "--short", rev)));
const scratch = await Deno.makeTempDir({ prefix: "streamlib-bisect-" });
const children: string[] = [];
try {
  for (const [i, rev] of revisions.entries()) {
    const tree = join(scratch, `${i}-${rev}`);
    await git("worktree", "add", "--detach", tree, rev);
    await Deno.symlink(join(root, "node_modules"), join(tree, "node_modules"));
    const runs = pathToFileURL(join(tree, "bench/graph_bench_runs.ts")).href;
    const child = join(scratch, `child-${i}.ts`);
    // The child: a warm-up of 20,000 buffers, then the measured chain; prints buffers/s.
    await Deno.writeTextFile(
      child,
      `import { chainRate } from ${JSON.stringify(runs)};\n` +
        "const [hops, frames, capacity] = Deno.args.map(Number);\n" +
        "await chainRate(hops, 20_000, capacity);\n" +
        "console.log(await chainRate(hops, frames, capacity));\n" +
        "Deno.exit(0);\n",
    );
    children.push(child);
  }

  const run = async (i: number, hop: number, n: number): Promise<number> => {
    const command = [Deno.execPath(), "run", "-A", children[i], `${hop}`, `${n}`, `${capacity}`];
    if (measure === "instructions") {
      return (await countInstructions(command)).instructions;
    }
    const out = await new Deno.Command(command[0], {
      args: command.slice(1),
      env: { STREAMLIB_NATIVE_LIB: library },
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`chainRate of ${revisions[i]} failed`);
    return Number(new TextDecoder().decode(out.stdout).trim());
  };

  Deno.env.set("STREAMLIB_NATIVE_LIB", library); // for cachegrind's children
  const results = new Map<number, number[][]>(hops.map((h) => [h, revisions.map(() => [])]));
  for (let round = 0; round < rounds; round++) {
    for (const hop of hops) {
      for (let i = 0; i < revisions.length; i++) {
        let value: number;
        if (measure === "time") value = await run(i, hop, frames);
        else value = ((await run(i, hop, 2 * frames)) - (await run(i, hop, frames))) / frames;
        results.get(hop)![i].push(value);
        console.error(`bisect: round ${round + 1}, ${hop} hop(s), ${revisions[i]}: ${value}`);
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const unit = measure === "time" ? "buffers/s" : "instructions/buffer";
  console.log(
    `\nin-isolate pass-through chains, 64 B, capacity ${capacity}: ${unit}, median of ${rounds} ` +
      `round(s), ${frames} buffers\n`,
  );
  console.log(`| hops | ${revisions.join(" | ")} |`);
  console.log(`| ---: | ${revisions.map(() => "---:").join(" | ")} |`);
  for (const [hop, byRevision] of results) {
    const cells = byRevision.map((xs) => {
      const m = median(xs);
      return m >= 100 ? Math.round(m).toLocaleString("en-US") : m.toFixed(1);
    });
    console.log(`| ${hop} | ${cells.join(" | ")} |`);
  }
} finally {
  for (const child of children) await Deno.remove(child).catch(() => {});
  for (const [i, rev] of revisions.entries()) {
    await git("worktree", "remove", "--force", join(scratch, `${i}-${rev}`)).catch(() => {});
  }
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
}
