/**
 * A user's project runs the generator on its own folder, without copying ours, and its
 * processors join the same registry API and `nodes` command next to the built-in ones.
 */

import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { generate } from "../../codegen/mod.ts";
import { echoSource, makeProject, repoRoot, writeProjectFile } from "./project.ts";

const cli = join(repoRoot, "codegen/mod.ts");

async function deno(cwd: string, ...args: string[]) {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, out: text(result.stdout), err: text(result.stderr) };
}

Deno.test("A user project generates, type-checks and lists its processors beside the built-in ones", async () => {
  const root = await makeProject(["my_nodes"], {
    "my_nodes/echo.ts": echoSource("Echo", "echo.gen.ts"),
    "my_nodes/use_echo.ts": `import { assertConnectable } from "@streamlib/streamlib";
import { echoNode } from "./echo.gen.ts";

const a = echoNode.handle("a");
const b = echoNode.handle("b");
assertConnectable(a.outputs.out, b.inputs.in);
const echo = echoNode.create({});
echo.inputs.in.read()?.value.toUpperCase();
`,
  });
  try {
    const result = await generate({ root });
    assert.deepEqual(result.written, ["my_nodes/echo.gen.ts", "my_nodes/registry.gen.ts"]);

    const check = await deno(root, "check", "--quiet", "my_nodes/");
    assert.equal(check.code, 0, check.err);

    // Generated files carry no examples (issue 16); the project's own code that uses them runs.
    for (const file of result.written) {
      assert.doesNotMatch(await Deno.readTextFile(join(root, file)), /@example/, file);
    }
    const use = await deno(root, "run", "-A", "my_nodes/use_echo.ts");
    assert.equal(use.code, 0, use.out + use.err);

    const list = await deno(root, "run", "-A", cli, "nodes", "list");
    assert.equal(list.code, 0, list.err);
    assert.match(
      list.out,
      /^Echo\s+data\s+Repeats every message\.\s+in: DataFrame<string>\s+out: DataFrame<string>$/m,
    );
    assert.match(list.out, /^TestToneGenerator\s/m);

    const info = await deno(root, "run", "-A", cli, "nodes", "info", "Echo");
    assert.match(info.out, /Source\s+my_nodes\/echo\.ts/);

    const upToDate = await deno(root, "run", "-A", cli, "--check");
    assert.equal(upToDate.code, 0, upToDate.err);
    writeFileSync(join(root, "my_nodes/registry.gen.ts"), "// stale\n");
    const stale = await deno(root, "run", "-A", cli, "--check");
    assert.equal(stale.code, 1);
    assert.match(stale.err, /my_nodes\/registry\.gen\.ts \(changed\)/);
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("The local form docs/writing_processors.md shows (relative paths in deno.json) generates and lists a project's processors", async () => {
  const root = await makeProject(["src/processors"], {
    "src/processors/echo.ts": echoSource("Echo", "echo.gen.ts"),
    "src/processors/formats.ts":
      `import { config, input, type InputPort, type PixelFormat, Processor, processor, type VideoFrame } from "@streamlib/streamlib";
import type { FormatsTypes } from "./formats.gen.ts";

/** Config of Formats. */
export interface FormatsConfig {
  /** The pixel format it expects. */
  format: PixelFormat;
}

/** Takes video of one format. */
@processor({ tags: ["video"] })
export class Formats extends Processor<FormatsTypes> {
  /** Video. */
  @input()
  video!: InputPort<VideoFrame>;

  /** Settings. */
  @config()
  config!: FormatsConfig;

  process(): void {
    this.inputs.video.read();
  }
}
`,
  });
  try {
    // The documented deno.json, with "../streamlib" standing for this checkout.
    const docs = readFileSync(join(repoRoot, "docs/writing_processors.md"), "utf8");
    const documented = /\*\*Until the package is on JSR\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(
      docs,
    );
    assert.ok(documented, "the local form is in docs/writing_processors.md");
    const checkout = relative(root, repoRoot).replaceAll("\\", "/").replace(/\/$/, "");
    writeProjectFile(root, "deno.json", documented[1].replaceAll("../streamlib", checkout));

    const generated = await deno(root, "task", "codegen");
    assert.equal(generated.code, 0, generated.err);
    assert.match(generated.out + generated.err, /2 processors in src\/processors/);

    const info = await deno(root, "task", "nodes", "info", "Formats");
    assert.equal(info.code, 0, info.err);
    assert.match(info.out, /format\s+one of "RGBA", "BGRA", "I420", "NV12"/);

    const list = await deno(root, "task", "nodes", "list");
    assert.match(list.out, /^Echo\s/m);
    assert.match(list.out, /^Gain\s/m);

    const check = await deno(root, "task", "codegen", "--check");
    assert.equal(check.code, 0, check.err);
  } finally {
    rmSync(root, { recursive: true });
  }
});
