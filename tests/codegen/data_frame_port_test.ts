/**
 * At run time, a `DataFrame<Level>` output connects to a `DataFrame<{ peak: number, rms: number }>`
 * input (one structure, two spellings: codegen writes both in canonical form), and a different
 * structure is still refused. The project is generated in a temp dir and run there, with its own
 * import map.
 */

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { generate } from "../../codegen/mod.ts";
import { makeProject } from "./project.ts";

const meters =
  `import { type DataFrame, input, type InputPort, output, type OutputPort, Processor, processor } from "@streamlib/streamlib";
import type { Level } from "./level.ts";
import type { DisplayTypes, MeterTypes, PeakOnlyTypes } from "./meters.gen.ts";

/** Measures. */
@processor()
export class Meter extends Processor<MeterTypes> {
  /** Readings. */
  @output()
  level!: OutputPort<DataFrame<Level>>;

  process(): void {}
}

/** Shows readings. */
@processor()
export class Display extends Processor<DisplayTypes> {
  /** Readings, spelt inline. */
  @input()
  level!: InputPort<DataFrame<{ peak: number, rms: number }>>;

  process(): void {}
}

/** Shows peaks. */
@processor()
export class PeakOnly extends Processor<PeakOnlyTypes> {
  /** Peaks only. */
  @input()
  level!: InputPort<DataFrame<{ peak: number }>>;

  process(): void {}
}
`;

const run = `import { PortTypeMismatchError, Runtime } from "@streamlib/streamlib";
import { registry } from "./registry.gen.ts";

const rt = new Runtime({ registry });
rt.add("Meter", {}, { id: "meter" });
rt.add("Display", {}, { id: "display" });
rt.add("PeakOnly", {}, { id: "peak" });
rt.connectByName("meter", "level", "display", "level");
console.log("connected", rt.describe().connections.length);
try {
  rt.connectByName("meter", "level", "peak", "level");
  console.log("connected a different structure");
} catch (error) {
  console.log("refused", error instanceof PortTypeMismatchError);
}
`;

Deno.test("A DataFrame<Level> output connects at run time to an input spelling the same structure inline", async () => {
  const root = await makeProject(["nodes"], {
    "nodes/level.ts":
      "/** A reading. */\nexport interface Level {\n  rms: number;\n  peak: number;\n}\n",
    "nodes/meters.ts": meters,
    "nodes/run.ts": run,
  });
  try {
    const result = await generate({ root, cache: false });
    assert.deepEqual(result.diagnostics, []);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "nodes/run.ts"],
      cwd: root,
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder();
    assert.equal(output.code, 0, text.decode(output.stderr));
    assert.equal(text.decode(output.stdout), "connected 1\nrefused true\n");
  } finally {
    rmSync(root, { recursive: true });
  }
});
