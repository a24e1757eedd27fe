/**
 * Golden tests of the generator: each `tests/fixtures/codegen/*.txtar` holds a small project
 * tree and the files and diagnostics the generator must produce for it. The tree is written to a
 * temp dir, the generator runs, and its output is compared with the `expected/` entries.
 *
 * Update the expectations after an intended change with
 * `UPDATE_GOLDEN=1 deno test -A tests/codegen/golden_test.ts`.
 * Fixtures whose comment says `typecheck` are also type-checked with `deno check --doc`, the
 * `@example` blocks of the generated files included.
 */

import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CodegenSession, formatDiagnostic, generate } from "../../codegen/mod.ts";
import { formatArchive, parseArchive } from "./txtar.ts";

const fixtures = fileURLToPath(new URL("../fixtures/codegen/", import.meta.url));
const repoMod = pathToFileURL(fileURLToPath(new URL("../../mod.ts", import.meta.url))).href;
const repoProcessors =
  pathToFileURL(fileURLToPath(new URL("../../processors/mod.ts", import.meta.url))).href;
const update = Deno.env.get("UPDATE_GOLDEN") === "1";
const session = new CodegenSession();

function listGenerated(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory() && !entry.name.startsWith(".")) out.push(...listGenerated(dir, path));
    else if (entry.name.endsWith(".gen.ts")) out.push(path);
  }
  return out.sort();
}

for (const name of readdirSync(fixtures).filter((f) => f.endsWith(".txtar")).sort()) {
  Deno.test(`generate() matches golden fixture ${name}`, async () => {
    const path = join(fixtures, name);
    const archive = parseArchive(readFileSync(path, "utf8"));
    const dir = await Deno.makeTempDir({ prefix: "streamlib_golden_" });
    try {
      for (const file of archive.files) {
        if (file.name.startsWith("expected/")) continue;
        let text = file.text;
        if (file.name === "deno.json") {
          const json = JSON.parse(text);
          json.imports = {
            ...json.imports,
            "@streamlib/streamlib": repoMod,
            "@streamlib/streamlib/processors": repoProcessors,
          };
          text = JSON.stringify(json);
        }
        mkdirSync(dirname(join(dir, file.name)), { recursive: true });
        writeFileSync(join(dir, file.name), text);
      }
      const result = await generate({ root: dir, cache: false, session });
      const actual = new Map<string, string>();
      for (const file of listGenerated(dir)) {
        actual.set(`expected/${file}`, readFileSync(join(dir, file), "utf8"));
      }
      if (result.diagnostics.length > 0) {
        actual.set(
          "expected/diagnostics",
          result.diagnostics.map(formatDiagnostic).join("\n") + "\n",
        );
      }
      if (update) {
        archive.files = [
          ...archive.files.filter((f) => !f.name.startsWith("expected/")),
          ...[...actual].map(([name, text]) => ({ name, text })),
        ];
        writeFileSync(path, formatArchive(archive));
        return;
      }
      const expected = new Map(
        archive.files.filter((f) => f.name.startsWith("expected/")).map((f) => [f.name, f.text]),
      );
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
      for (const [file, text] of expected) assert.equal(actual.get(file), text, file);
      if (archive.comment.includes("typecheck")) {
        const check = await new Deno.Command(Deno.execPath(), {
          args: ["check", "--quiet", "--doc", "."],
          cwd: dir,
          env: { NO_COLOR: "1" },
        }).output();
        assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
