/**
 * The video transform in docs/writing_processors.md, copied as written into a fresh project,
 * generated, type-checked and run: a user following the page gets a working processor.
 */

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeProject, repoRoot } from "../codegen/project.ts";

function docBlock(marker: string): string {
  const doc = readFileSync(join(repoRoot, "docs/writing_processors.md"), "utf8");
  const at = doc.indexOf(marker);
  assert.ok(at >= 0, `docs/writing_processors.md has a block starting with ${marker}`);
  const end = doc.indexOf("\n```", at);
  return doc.slice(at, end + 1);
}

async function deno(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd, env: { NO_COLOR: "1" } })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, out: text(out.stdout), err: text(out.stderr) };
}

const RUN = `import assert from "node:assert/strict";
import { Runtime } from "@streamlib/streamlib";
import { brightnessNode } from "./src/processors/brightness.gen.ts";
import { Processor, defineNode, type OutputPort, type InputPort, type ProcessContext, type SetupContext, type VideoFrame, type TypesOf, type PortTable } from "@streamlib/streamlib";

// A tiny source of grey RGBA frames and a sink that checks them, written by hand.
class Grey extends Processor<{ inputs: Record<never, never>; outputs: { out: OutputPort<VideoFrame> }; config: Record<never, never>; handle: never }> {
  #n = 0;
  #wake?: () => void;
  override setup(ctx: SetupContext) { this.#wake = ctx.wake; ctx.wake?.(); }
  process(ctx: ProcessContext) {
    while (this.#n < 20 && this.outputs.out.space > 0) {
      const f = ctx.frames.video({ width: 4, height: 2, format: "RGBA" });
      if (!f) return;
      f.data.fill(100);
      f.frameNumber = this.#n++;
      this.outputs.out.write(f);
    }
    if (this.#n < 20) this.#wake?.();
  }
}
const seen: number[][] = [];
class Check extends Processor<{ inputs: { in: InputPort<VideoFrame> }; outputs: Record<never, never>; config: Record<never, never>; handle: never }> {
  process() {
    let f;
    while ((f = this.inputs.in.read()) !== undefined) seen.push([...f.data.subarray(0, 4)]);
  }
}
const port = (name: string, direction: "input" | "output") => ({ name, direction, portType: "VideoFrame", required: false, description: name });
const descriptor = (name: string, mode: "pull" | "push", inputs: string[], outputs: string[]) => ({
  name, description: name, tags: [], mode, source: "run.ts",
  inputs: inputs.map((p) => port(p, "input")), outputs: outputs.map((p) => port(p, "output")),
  config: { type: "object" as const, properties: {}, additionalProperties: false },
});
const accessors = (i: string[], o: string[]) => (ports: PortTable) => ({
  inputs: Object.fromEntries(i.map((p) => [p, ports.input(p)])),
  outputs: Object.fromEntries(o.map((p) => [p, ports.output(p)])),
});
const grey = defineNode<TypesOf<Grey>, Grey>({ descriptor: descriptor("Grey", "pull", [], ["out"]), processorClass: Grey, accessors: accessors([], ["out"]) as never });
const check = defineNode<TypesOf<Check>, Check>({ descriptor: descriptor("Check", "push", ["in"], []), processorClass: Check, accessors: accessors(["in"], []) as never });

const rt = new Runtime();
rt.add(grey, {}, { id: "grey" });
rt.add(brightnessNode, { offset: 50 }, { id: "bright" });
rt.add(check, {}, { id: "check" });
rt.connectByName("grey", "out", "bright", "in", { capacity: 4, policy: "fifo" });
rt.connectByName("bright", "out", "check", "in", { capacity: 4, policy: "fifo" });
await rt.start();
for (let i = 0; i < 500 && seen.length < 20; i++) await new Promise((r) => setTimeout(r, 2));
await rt.stop();
assert.equal(seen.length, 20);
assert.deepEqual(seen[0], [150, 150, 150, 100]); // RGB brightened, alpha kept
assert.deepEqual(rt.frameLeaks(), []);

// Again with frame memory running out over and over: a hog takes every free byte on one run and
// gives it back on the next, and reads the source's frames late, so Brightness must copy them
// and often finds no memory. The transform returns (as written in the docs) and loses nothing.
class Hog extends Processor<{ inputs: { in: InputPort<VideoFrame> }; outputs: Record<never, never>; config: Record<never, never>; handle: never }> {
  #held: { release(): void }[] = [];
  #timer?: ReturnType<typeof setInterval>;
  override setup(ctx: SetupContext) { this.#timer = setInterval(() => ctx.wake?.(), 2); }
  process(ctx: ProcessContext) {
    if (this.#held.length > 0) {
      for (const kept of this.#held) kept.release();
      this.#held = [];
      while (this.inputs.in.read() !== undefined) { /* released after the run */ }
      return;
    }
    let piece;
    while ((piece = ctx.frames.video({ width: 2, height: 1, format: "RGBA" }))) this.#held.push(ctx.frames.keep(piece));
  }
  override teardown() { clearInterval(this.#timer); for (const kept of this.#held) kept.release(); this.#held = []; }
}
const hog = defineNode<TypesOf<Hog>, Hog>({ descriptor: descriptor("Hog", "push", ["in"], []), processorClass: Hog, accessors: accessors(["in"], []) as never });
seen.length = 0;
const tight = new Runtime({ frameMemoryBytes: 8 * 32 });
tight.add(grey, {}, { id: "grey" });
tight.add(hog, {}, { id: "hog" });
tight.add(brightnessNode, { offset: 50 }, { id: "bright" });
tight.add(check, {}, { id: "check" });
tight.connectByName("grey", "out", "hog", "in", { capacity: 64, policy: "fifo" });
tight.connectByName("grey", "out", "bright", "in", { capacity: 64, policy: "fifo" });
tight.connectByName("bright", "out", "check", "in", { capacity: 64, policy: "fifo" });
await tight.start();
for (let i = 0; i < 2500 && seen.length < 20; i++) await new Promise((r) => setTimeout(r, 2));
const stats = tight.stats().nodes.bright;
await tight.stop();
assert.equal(seen.length, 20);
for (const pixel of seen) assert.deepEqual(pixel, [150, 150, 150, 100]);
assert.equal(stats.framesDropped, 0);
assert.ok(stats.blockedRuns > 0, "Brightness never waited for memory: nothing was tested");
assert.deepEqual(tight.frameLeaks(), []);
console.log("brightness ok");
`;

const ADD_BY_CLASS = `import assert from "node:assert/strict";
import { Runtime } from "@streamlib/streamlib";
import { Brightness } from "./src/processors/brightness.ts";

// Only the class's module is imported: its own import of brightness.gen.ts registers the
// definition, so add(Class) works without rt.use(registry).
const rt = new Runtime();
const node = rt.add(Brightness, { offset: 10 });
assert.equal(node.processor, "Brightness");
assert.deepEqual(rt.describe().nodes[0].config, { offset: 10 });
console.log("add by class ok");
`;

Deno.test("A user's processor from docs/writing_processors.md is added by class after importing only its module", async () => {
  const root = await makeProject(["src/processors"], {
    "src/processors/brightness.ts": docBlock("// src/processors/brightness.ts"),
    "add_by_class.ts": ADD_BY_CLASS,
  });
  try {
    const gen = await deno(root, "run", "-A", join(repoRoot, "codegen/mod.ts"));
    assert.equal(gen.code, 0, gen.out + gen.err);
    const check = await deno(root, "check", "--quiet", "add_by_class.ts");
    assert.equal(check.code, 0, check.err);
    const run = await deno(root, "run", "-A", "add_by_class.ts");
    assert.equal(run.code, 0, run.out + run.err);
    assert.match(run.out, /add by class ok/);
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("The video transform of docs/writing_processors.md generates, type-checks and brightens frames in a fresh project, losing none when frame memory runs out", async () => {
  const root = await makeProject(["src/processors"], {
    "src/processors/brightness.ts": docBlock("// src/processors/brightness.ts"),
    "run.ts": RUN,
  });
  try {
    const gen = await deno(root, "run", "-A", join(repoRoot, "codegen/mod.ts"));
    assert.equal(gen.code, 0, gen.out + gen.err);
    const check = await deno(root, "check", "--quiet", "src/processors/", "run.ts");
    assert.equal(check.code, 0, check.err);
    const run = await deno(root, "run", "-A", "run.ts");
    assert.equal(run.code, 0, run.out + run.err);
    assert.match(run.out, /brightness ok/);
  } finally {
    rmSync(root, { recursive: true });
  }
});
