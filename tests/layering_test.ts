import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

function* tsFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("core/ imports nothing of ours outside core/ (it declares contracts; others implement them)", () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(root, "core"))) {
    const source = Deno.readTextFileSync(file);
    for (const match of source.matchAll(/^(.*?)(?:from|import)\s*\(?\s*["']([^"']+)["']/gm)) {
      // A JSDoc example (a line starting with `*`) is documentation, not a dependency of core/.
      if (match[1].trimStart().startsWith("*")) continue;
      const specifier = match[2];
      if (!specifier.startsWith(".")) continue;
      const target = relative(root, join(file, "..", specifier));
      if (!target.startsWith("core/")) offenders.push(`${relative(root, file)} -> ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});
