import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type GenerateResult, watch } from "../../codegen/mod.ts";
import { echoSource, makeProject, writeProjectFile } from "./project.ts";

Deno.test("watch() regenerates when a source changes and stops when aborted", async () => {
  const root = await makeProject(["nodes"], { "nodes/echo.ts": echoSource("Echo", "echo.gen.ts") });
  const controller = new AbortController();
  const results: GenerateResult[] = [];
  let notify = () => {};
  const watching = watch({
    root,
    debounceMs: 20,
    signal: controller.signal,
    onResult: (result) => {
      results.push(result);
      notify();
    },
  });
  const next = () => new Promise<void>((resolve) => notify = resolve);
  try {
    while (results.length === 0) await next();
    assert.deepEqual(results[0].written, ["nodes/echo.gen.ts", "nodes/registry.gen.ts"]);
    const changed = next();
    writeProjectFile(
      root,
      "nodes/echo.ts",
      echoSource("Echo", "echo.gen.ts").replace('tags: ["data"]', 'tags: ["data", "echo"]'),
    );
    await changed;
    // The tags are in the descriptor, which the registry's lazy entry carries too.
    assert.deepEqual(results.at(-1)!.written, ["nodes/echo.gen.ts", "nodes/registry.gen.ts"]);
    assert.equal(results.at(-1)!.parsed, 1);
    assert.match(readFileSync(join(root, "nodes/echo.gen.ts"), "utf8"), /tags: \["data", "echo"\]/);
  } finally {
    controller.abort();
    await watching;
    rmSync(root, { recursive: true });
  }
});
