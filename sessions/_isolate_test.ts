import assert from "node:assert/strict";
import { CAN_UNREF } from "./_isolate.ts";

const deno = Deno.execPath();

/** Runs `code` as a script in a new process; its exit code, stdout, and how long it ran. */
async function script(code: string): Promise<{ code: number; out: string; ms: number }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const started = performance.now();
    const child = new Deno.Command(deno, {
      args: ["run", "-A", file],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const result = await child.output();
    clearTimeout(timer);
    return {
      code: result.code,
      out: new TextDecoder().decode(result.stdout),
      ms: performance.now() - started,
    };
  } finally {
    await Deno.remove(file);
  }
}

const RUNNER = new URL("./runner.ts", import.meta.url).href;

Deno.test("Deno's unnamed Worker ref symbol is there: pooled session isolates can be unref'd", () => {
  assert.ok(
    CAN_UNREF,
    "this Deno has no ref/unref on web Workers: a PipelineRunner's pool would keep a script alive",
  );
});

Deno.test("A script that leaves a runner's pool open still exits", async () => {
  const pooled = await script(`
    import { PipelineRunner } from "${RUNNER}";
    const runner = new PipelineRunner({ pool: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the pool's isolates are up
    console.log("pool", runner.pooled);
  `);
  assert.equal(pooled.code, 0);
  assert.match(pooled.out, /pool 2/);
  assert.ok(pooled.ms < 20_000, `ran ${pooled.ms.toFixed(0)} ms`);
});
