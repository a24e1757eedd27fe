import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedPathOf, listFolderFiles, mayDeclareProcessor } from "./discover.ts";

Deno.test("listFolderFiles() splits sources from generated files and skips tests and hidden folders", () => {
  const root = Deno.makeTempDirSync();
  try {
    for (
      const path of [
        "p/a.ts",
        "p/a.gen.ts",
        "p/a_test.ts",
        "p/b_bench.ts",
        "p/x.d.ts",
        "p/sub/c.ts",
        "p/.hidden/d.ts",
        "p/node_modules/e.ts",
        "p/readme.md",
      ]
    ) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), "");
    }
    assert.deepEqual(listFolderFiles(root, "p"), {
      sources: ["p/a.ts", "p/sub/c.ts"],
      generated: ["p/a.gen.ts"],
    });
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("mayDeclareProcessor() skips files without a decorator call", () => {
  assert.equal(mayDeclareProcessor("/** @param x */\nexport class A {}"), false);
  assert.equal(
    mayDeclareProcessor('import { processor } from "x";\n@processor()\nexport class A {}'),
    true,
  );
  assert.equal(generatedPathOf("a/b.ts"), "a/b.gen.ts");
});
