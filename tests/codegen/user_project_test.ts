/**
 * A user's project runs the generator on its own folder, without copying ours, and its
 * processors join the same registry API and `nodes` command next to the built-in ones.
 */

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../../codegen/mod.ts";
import { echoSource, makeProject, repoRoot } from "./project.ts";

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

    // The examples of the generated files import them by relative path and run in the project.
    const examples = await deno(
      root,
      "test",
      "-A",
      "--doc",
      "my_nodes/echo.gen.ts",
      "my_nodes/registry.gen.ts",
    );
    assert.equal(examples.code, 0, examples.out + examples.err);
    assert.match(examples.out, /ok \| 6 passed \| 0 failed/);

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
