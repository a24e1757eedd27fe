import assert from "node:assert/strict";
import { OutputBinding } from "../ports/output_binding.ts";
import { ProbeSampler } from "./sampler.ts";

Deno.test("ProbeSampler with everyFrame gets every frame, back-to-back writes included", async () => {
  const output = new OutputBinding<{ kind: string; frameNumber: number }>("out", "DataFrame");
  const seen: number[] = [];
  const sampler = new ProbeSampler(output, {
    node: "n",
    port: "out",
    everyMs: 1000,
    everyFrame: true,
  }, (s) => {
    seen.push(s.summary.frameNumber!);
  });
  output.write({ kind: "data", frameNumber: 1 });
  output.write({ kind: "data", frameNumber: 2 });
  await Promise.resolve();
  output.write({ kind: "data", frameNumber: 3 });
  await Promise.resolve();
  sampler.close();
  output.write({ kind: "data", frameNumber: 4 });
  await Promise.resolve();
  assert.deepEqual(seen, [1, 2, 3]);
});
