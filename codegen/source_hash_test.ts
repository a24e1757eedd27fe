import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SourceHasher } from "./source_hash.ts";

Deno.test("SourceHasher.closure() follows relative imports and leaves generated modules out", () => {
  const root = Deno.makeTempDirSync();
  try {
    mkdirSync(join(root, "src/lib"), { recursive: true });
    writeFileSync(
      join(root, "src/a.ts"),
      'import { b } from "./lib/b.ts";\nimport type { T } from "./a.gen.ts";\nimport x from "npm:x";\nexport * from "./c.ts";\n',
    );
    writeFileSync(
      join(root, "src/lib/b.ts"),
      'export { a } from "../a.ts";\nexport const b = 1;\n',
    );
    writeFileSync(join(root, "src/c.ts"), "export const c = await import('./lib/b.ts');\n");
    writeFileSync(join(root, "src/a.gen.ts"), "export type T = 1;\n");
    const hasher = new SourceHasher(root);
    assert.deepEqual(hasher.closure("src/a.ts"), ["src/a.ts", "src/c.ts", "src/lib/b.ts"]);
    const before = hasher.hash("src/a.ts");
    assert.equal(new SourceHasher(root).hash("src/a.ts"), before);
    writeFileSync(join(root, "src/a.gen.ts"), "export type T = 2;\n");
    assert.equal(new SourceHasher(root).hash("src/a.ts"), before);
    writeFileSync(join(root, "src/lib/b.ts"), "export const b = 2;\n");
    assert.notEqual(new SourceHasher(root).hash("src/a.ts"), before);
  } finally {
    rmSync(root, { recursive: true });
  }
});
