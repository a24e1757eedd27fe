import assert from "node:assert/strict";
import { join } from "node:path";
import type { CliOutput } from "./cli_output.ts";
import { main } from "./validate.ts";

async function validate(manifest: unknown, options = {}) {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_validate_" });
  const path = join(dir, "pipeline.json");
  await Deno.writeTextFile(path, JSON.stringify(manifest));
  const out: string[] = [];
  const err: string[] = [];
  const output: CliOutput = { out: (t) => out.push(t), err: (t) => err.push(t) };
  try {
    const code = await main([path], output, options);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("validate: an input fed by an application input is not warned about", async () => {
  const result = await validate({
    version: 1,
    nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
    inputs: { voice: "fx.in" },
    outputs: { voice: { port: "fx.out" } },
  });
  assert.equal(result.code, 0);
  assert.match(result.out, /: valid$/);
  assert.equal(result.err, "");
});

Deno.test("validate: an input fed by a node of a plugin's type (not checked) is not warned about", async () => {
  const result = await validate({
    version: 1,
    nodes: [
      { id: "tone", type: "TestToneGenerator" },
      { id: "hum", type: "Hum" },
      { id: "sink", type: "NullSink" },
    ],
    connections: [{ from: "tone.audio", to: "hum.in" }, { from: "hum.out", to: "sink.in" }],
  }, { pluginProcessors: new Map([["Hum", "hum"]]) });
  assert.equal(result.code, 0);
  assert.match(result.out, /: valid, 1 not checked$/);
  assert.doesNotMatch(result.err, /warning/);
});

Deno.test("validate: an input nothing feeds is still warned about", async () => {
  const result = await validate({
    version: 1,
    nodes: [{ id: "g", type: "Gain" }, { id: "n", type: "NullSink" }],
    connections: [{ from: "g.out", to: "n.in" }],
  });
  assert.equal(result.code, 0);
  assert.match(result.out, /: valid, 1 warning$/);
  assert.match(result.err, /required input 'in' of 'g' \(Gain\) is not connected/);
});
