/**
 * Every class and function exported from a public entry point (the `exports` of `deno.json`) has
 * JSDoc with a titled `@example` (`@example Title` followed by a code block), as the public API's
 * main symbols in denoland/std do. Interfaces, type aliases and constants need none (their use
 * shows in the examples of the classes and functions that take them), nor do generated symbols
 * (`*.gen.ts`, STYLE.md rule 9: `./types` names the built-ins' generated port classes, shown in
 * the examples of the processors that use them). `deno test --doc` runs the examples; this test
 * checks that they exist.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface DocTag {
  kind: string;
  doc?: string;
}

interface DocDeclaration {
  kind?: string;
  declarationKind?: string;
  location: { filename: string; line: number };
  jsDoc?: { doc?: string; tags?: DocTag[] };
}

interface DocJson {
  nodes: Record<string, { symbols?: { name: string; declarations: DocDeclaration[] }[] }>;
}

/** The entry points published to JSR, from `deno.json`. */
async function entryPoints(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  return Object.values(config.exports as Record<string, string>);
}

/** True when `tag` is an `@example` whose first line is a title, not the code fence. */
function isTitledExample(tag: DocTag): boolean {
  if (tag.kind !== "example" || tag.doc === undefined) return false;
  const [title, ...rest] = tag.doc.split("\n");
  return title.trim() !== "" && !title.trimStart().startsWith("```") &&
    rest.some((line) => line.trimStart().startsWith("```"));
}

/** `file:line name` of every exported symbol of `entry` without a titled example. */
async function missingExamples(entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const doc = JSON.parse(new TextDecoder().decode(output.stdout)) as DocJson;
  const missing = new Set<string>();
  for (const node of Object.values(doc.nodes)) {
    for (const symbol of node.symbols ?? []) {
      const exported = symbol.declarations.filter((d) => d.declarationKind === "export");
      if (exported.length === 0) continue;
      if (!exported.some((d) => d.kind === "class" || d.kind === "function")) continue;
      if (exported.every((d) => d.location.filename.endsWith(".gen.ts"))) continue;
      // Overloads and declaration merging: one titled example on any declaration is enough.
      if (exported.some((d) => d.jsDoc?.tags?.some(isTitledExample))) continue;
      const { filename, line } = exported[0].location;
      missing.add(`${filename.replace(`file://${ROOT}`, "")}:${line} ${symbol.name}`);
    }
  }
  return [...missing];
}

Deno.test("every exported class and function of every entry point has a titled @example", async (t) => {
  for (const entry of await entryPoints()) {
    await t.step(entry, async () => {
      const missing = await missingExamples(entry);
      assert.deepEqual(
        missing,
        [],
        `${missing.length} exported classes and functions of ${entry} have no titled @example:\n  ` +
          missing.join("\n  "),
      );
    });
  }
});

Deno.test("a titled example is told from an untitled one", () => {
  assert.equal(isTitledExample({ kind: "example", doc: "Push a frame\n```ts\nx\n```" }), true);
  assert.equal(isTitledExample({ kind: "example", doc: "```ts\nx\n```" }), false);
  assert.equal(isTitledExample({ kind: "example", doc: "Just prose, no code" }), false);
  assert.equal(isTitledExample({ kind: "deprecated", doc: "Title\n```ts\nx\n```" }), false);
});
