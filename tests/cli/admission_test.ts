/**
 * `--memory-budget` and `--max-frame` of `streamlib run`: admission control's limits from the
 * command line (issue 14, item 6).
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { main } from "../../cli/streamlib.ts";

async function manifestFile(width: number, height: number): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "pattern.json");
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      version: 1,
      nodes: [
        { id: "pattern", type: "TestPattern", config: { width, height, fps: 5 } },
        { id: "sink", type: "NullSink" },
      ],
      connections: [{ from: "pattern.video", to: "sink.in" }],
    }),
  );
  return path;
}

async function run(...args: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const output = { out: () => {}, err: (text: string) => lines.push(text) };
  const code = await main(["run", ...args], output);
  return { code, err: lines.join("\n") };
}

Deno.test("streamlib run --memory-budget refuses a manifest whose nodes would pin more, naming the budget", async () => {
  const path = await manifestFile(3840, 2160); // 31.6 MiB frames, 158 MiB with their slots
  const refused = await run(path, "--seconds", "0.3", "--memory-budget", "100");
  assert.equal(refused.code, 1, refused.err);
  assert.match(refused.err, /Cannot admit 'pattern' \(TestPattern\).*memory budget of 100\.0 MiB/);
  const ran = await run(path, "--seconds", "0.3");
  assert.equal(ran.code, 0, ran.err);
  await Deno.remove(dirname(path), { recursive: true });
});

Deno.test("streamlib run --max-frame and --memory-budget raise the limits for an 8K pattern", async () => {
  const path = await manifestFile(7680, 4320);
  const refused = await run(path, "--seconds", "0.2");
  assert.equal(refused.code, 1);
  assert.match(refused.err, /memory budget of 512\.0 MiB.*--memory-budget/);
  const tooLarge = await run(path, "--seconds", "0.2", "--memory-budget", "1024");
  assert.equal(tooLarge.code, 1);
  assert.match(tooLarge.err, /over the 67108864 bytes one frame may hold/);
  const ran = await run(path, "--seconds", "0.2", "--memory-budget", "1024", "--max-frame", "128");
  assert.equal(ran.code, 0, ran.err);
  await Deno.remove(dirname(path), { recursive: true });
});

Deno.test("streamlib run refuses a malformed --memory-budget as a usage error", async () => {
  for (const value of ["0", "-5", "lots", ""]) {
    const { code, err } = await run("x.json", "--memory-budget", value);
    assert.equal(code, 2, value);
    assert.match(err, /--memory-budget must be a number of MiB above 0/);
  }
});
