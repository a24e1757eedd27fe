/**
 * `deno doc --lint` over every entry point in `deno.json` `exports`, failing on any finding:
 * missing JSDoc, missing explicit types, and `private-type-ref` (a public symbol that names a type
 * no entry point exports, which would leave a hole in the published docs). The types public
 * symbols name are exported from the entry point of their audience or from `./types`; see
 * `docs/decisions/0026-public-surface.md`.
 *
 * Run: `deno run -A scripts/doc_lint.ts` (part of `deno task check`).
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const entries = Object.values(config.exports as Record<string, string>);

const output = await new Deno.Command(Deno.execPath(), {
  args: ["doc", "--lint", ...entries],
  cwd: root,
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);

// Findings are blocks that start with "error[rule]: ..." and run to the next one.
const findings = text.split(/\n(?=error\[)/).filter((block) => /^error\[/.test(block.trimStart()));

if (output.code !== 0 && findings.length === 0) {
  console.error(text);
  console.error("doc_lint: deno doc --lint failed without findings (see above)");
  Deno.exit(1);
}
for (const block of findings) console.error(block.trimEnd() + "\n");
console.log(`doc_lint: ${entries.length} entry points, ${findings.length} finding(s)`);
if (findings.length > 0 || output.code !== 0) Deno.exit(1);
