/**
 * Runs `bench/graph_bench.ts` of two git revisions in one run, alternating A, B, A, B, ..., and
 * prints one table: each row's streamlib median per revision and their ratio. It answers "did
 * this change make the graph slower?" with both sides measured under the same conditions.
 *
 * Each revision is checked out in a temporary worktree that shares this checkout's
 * `node_modules`; both load this checkout's native library (`crates/target/release`, or
 * `STREAMLIB_NATIVE_LIB`), so use it for revisions whose Rust code and ABI agree (the loader
 * refuses a library of another ABI). Progress goes to stderr, the table to stdout.
 *
 * Run: `deno run -A bench/revisions.ts <rev-a> <rev-b> [--rounds 2] [-- graph_bench args...]`,
 * for example `deno run -A bench/revisions.ts HEAD~5 HEAD -- --runs 3 --frames 200000`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nativeLibraryFileName } from "../ffi/native/load.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const split = Deno.args.indexOf("--");
const own = split < 0 ? Deno.args : Deno.args.slice(0, split);
const benchArgs = split < 0 ? [] : Deno.args.slice(split + 1);
const { values, positionals } = parseArgs({
  args: own,
  options: { rounds: { type: "string", default: "2" } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
if (positionals.length !== 2 || !Number.isInteger(rounds) || rounds < 1) {
  console.error(
    "Cannot run revisions: expected two revisions and --rounds of 1 or more, got " +
      `${JSON.stringify(positionals)} and ${JSON.stringify(values.rounds)}; ` +
      "usage: deno run -A bench/revisions.ts <rev-a> <rev-b> [--rounds 2] [-- graph_bench args]",
  );
  Deno.exit(2);
}

async function git(...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd: root, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`git ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout).trim();
}

const library = Deno.env.get("STREAMLIB_NATIVE_LIB") ??
  join(root, "crates/target/release", nativeLibraryFileName());
const revisions = await Promise.all(positionals.map((rev) => git("rev-parse", "--short", rev)));
const scratch = await Deno.makeTempDir({ prefix: "streamlib-revisions-" });
const trees: string[] = [];
try {
  for (const [i, rev] of revisions.entries()) {
    const tree = join(scratch, `${i}-${rev}`);
    await git("worktree", "add", "--detach", tree, rev);
    await Deno.symlink(join(root, "node_modules"), join(tree, "node_modules"));
    trees.push(tree);
  }
  // row -> revision index -> medians of each round
  const figures = new Map<string, { unit: string; values: number[][] }>();
  for (let round = 0; round < rounds; round++) {
    for (const [i, tree] of trees.entries()) {
      console.error(`revisions: round ${round + 1}/${rounds}, ${revisions[i]}`);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "bench/graph_bench.ts", ...benchArgs],
        cwd: tree,
        env: { STREAMLIB_NATIVE_LIB: library },
        stderr: "inherit",
      }).output();
      if (!out.success) throw new Error(`graph_bench of ${revisions[i]} failed`);
      for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
        const cells = line.split("|").slice(1, -1).map((c) => c.trim());
        const value = Number(cells[2]?.replaceAll(",", ""));
        if (cells.length < 3 || !Number.isFinite(value) || cells[0] === "row") continue;
        const row = figures.get(cells[0]) ?? { unit: cells[1], values: [[], []] };
        row.values[i].push(value);
        figures.set(cells[0], row);
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const fmt = (x: number) => x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(3);
  console.log(
    `\nrevisions ${revisions[0]} (A) and ${revisions[1]} (B): graph_bench's streamlib medians, ` +
      `${rounds} alternating round(s) each, median of rounds\n`,
  );
  console.log(`| row | unit | A ${revisions[0]} | B ${revisions[1]} | B / A |`);
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const [row, { unit, values: [a, b] }] of figures) {
    if (a.length === 0 || b.length === 0) continue;
    const [ma, mb] = [median(a), median(b)];
    console.log(`| ${row} | ${unit} | ${fmt(ma)} | ${fmt(mb)} | ${(mb / ma).toFixed(2)}x |`);
  }
} finally {
  for (const tree of trees) await git("worktree", "remove", "--force", tree).catch(() => {});
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
}
