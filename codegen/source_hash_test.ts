import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
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

Deno.test("SourceHasher.closure() follows bare imports the nearest deno.json maps to local files, and not imports in comments", () => {
  const root = Deno.makeTempDirSync();
  const outside = Deno.makeTempDirSync();
  try {
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(
      join(root, "deno.json"),
      JSON.stringify({ imports: { "pkg": `${outside}/mod.ts`, "lib/": "./lib/", "x": "npm:x@1" } }),
    );
    writeFileSync(
      join(root, "src/a.ts"),
      [
        'import { p } from "pkg";',
        'import { l } from "lib/l.ts";',
        'import x from "x";',
        '/** @example\n * import { c } from "./commented.ts";\n */',
        '// import "./also_commented.ts";',
        'export const s = "/* not a comment */";',
      ].join("\n"),
    );
    mkdirSync(join(root, "lib"));
    writeFileSync(join(root, "lib/l.ts"), "export const l = 1;\n");
    writeFileSync(join(outside, "mod.ts"), 'export { q } from "./q.ts";\nexport const p = 1;\n');
    writeFileSync(join(outside, "q.ts"), "export const q = 1;\n");
    const hasher = new SourceHasher(root);
    const rel = relative(root, outside);
    assert.deepEqual(
      hasher.closure("src/a.ts"),
      [
        `${rel}/mod.ts`,
        `${rel}/q.ts`,
        "deno.json",
        "lib/l.ts",
        "src/a.ts",
      ].sort(),
    );
    const before = hasher.hash("src/a.ts");
    writeFileSync(join(outside, "q.ts"), "export const q = 2;\n");
    assert.notEqual(new SourceHasher(root).hash("src/a.ts"), before);
  } finally {
    rmSync(root, { recursive: true });
    rmSync(outside, { recursive: true });
  }
});
