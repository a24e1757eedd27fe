import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { FormatError, formatTypeScript } from "./format.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

Deno.test("formatTypeScript() formats with the project's fmt options", async () => {
  const long =
    `const x = { alpha: 1, beta: 2, gamma: 3, delta: 4, epsilon: 5, zeta: 6, eta: 7 };\n`;
  assert.equal(long.length > 80 && long.length < 100, true);
  assert.equal(await formatTypeScript(long, repo, "x.ts"), long);
  const elsewhere = await formatTypeScript(long, Deno.makeTempDirSync(), "x.ts");
  assert.match(elsewhere, /^const x = \{\n {2}alpha: 1,/);
});

Deno.test("formatTypeScript() throws FormatError on code that does not parse", async () => {
  await assert.rejects(() => formatTypeScript("const = ;", repo, "bad.ts"), FormatError);
});
