/**
 * Codegen refuses broken sources on the command line: exit 1, `file:line:col` diagnostics with a
 * hint, and no file written for any source of the run. The decorators refuse the bare form at
 * run time too, with a typed error.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../codegen/mod.ts";
import { BareDecoratorError } from "../../core/processor/decorators.ts";
import { echoSource, makeProject } from "./project.ts";

async function codegen(root: string) {
  const err: string[] = [];
  const code = await main(["--root", root, "--no-cache"], {
    out: () => {},
    err: (t) => err.push(t),
  });
  return { code, err: err.join("\n") };
}

Deno.test("main() exits 1 and writes nothing when one source has a syntax error", async () => {
  const root = await makeProject(["src"], {
    "src/echo.ts": echoSource("Echo", "echo.gen.ts"),
    // The class's closing brace is missing.
    "src/broken.ts": echoSource("Broken", "broken.gen.ts").trimEnd().slice(0, -1),
  });
  try {
    const { code, err } = await codegen(root);
    assert.equal(code, 1);
    assert.match(
      err,
      /^src\/broken\.ts:\d+:\d+: error\[syntax-error\]: Syntax error: '\}' expected/m,
    );
    assert.match(err, /hint: fix the source so it parses/);
    assert.match(err, /codegen: 1 problem; no files written/);
    assert.ok(!existsSync(join(root, "src/echo.gen.ts")), "the good source got no output");
    assert.ok(!existsSync(join(root, "src/registry.gen.ts")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("main() exits 1 on a bare @input and a built-in's name, naming both places", async () => {
  const root = await makeProject(["src"], {
    "src/echo.ts": echoSource("Echo", "echo.gen.ts").replace("@input()", "@input"),
    "src/gain.ts": echoSource("Gain", "gain.gen.ts"),
  });
  try {
    const { code, err } = await codegen(root);
    assert.equal(code, 1);
    assert.match(
      err,
      /^src\/echo\.ts:8:3: error\[bare-decorator\]: Decorator `@input` is used without parentheses\n {2}hint: write `@input\(\)`/m,
    );
    assert.match(
      err,
      /^src\/gain\.ts:6:14: error\[builtin-name\]: Processor name 'Gain' is the name of a built-in processor, declared at processors\/transforms\/gain\.ts:\d+:14 of @streamlib\/streamlib/m,
    );
    assert.ok(!existsSync(join(root, "src/echo.gen.ts")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("BareDecoratorError is thrown by every bare decorator at class definition", async () => {
  const { config, input, output, Processor, processor } = await import("../../mod.ts");
  // The bare forms, called the way the TC39 decorator runtime calls them.
  const field = (name: string) => ({ kind: "field", name, static: false, private: false });
  const cases: [string, () => unknown][] = [
    [
      "processor",
      () => (processor as (...a: unknown[]) => unknown)(Processor, { kind: "class", name: "Tone" }),
    ],
    ["input", () => (input as (...a: unknown[]) => unknown)(undefined, field("in"))],
    ["output", () => (output as (...a: unknown[]) => unknown)(undefined, field("out"))],
    ["config", () => (config as (...a: unknown[]) => unknown)(undefined, field("config"))],
  ];
  for (const [name, call] of cases) {
    assert.throws(call, (error: unknown) => {
      assert.ok(error instanceof BareDecoratorError);
      assert.equal(error.code, "bare_decorator");
      assert.equal(error.decorator, name);
      assert.match(error.message, new RegExp(`write '@${name}\\(\\)'`));
      return true;
    });
  }
  // The called forms still work.
  assert.equal(typeof processor({}), "function");
  assert.equal(typeof input(), "function");
});
