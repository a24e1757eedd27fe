import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { renderProcessorReference } from "./processor_reference.ts";
import { registry } from "./registry.gen.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `text` as `deno fmt` formats Markdown with the project's settings. */
async function fmtMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

Deno.test("renderProcessorReference() has a section with ports and config for every processor", () => {
  const page = renderProcessorReference();
  for (const definition of registry) {
    const d = definition.descriptor;
    assert.ok(page.includes(`\n## ${d.name}\n`), d.name);
    const section = page.slice(page.indexOf(`\n## ${d.name}\n`)).split("\n## ")[1];
    for (const port of [...d.inputs, ...d.outputs]) {
      // A union in a DataFrame payload has its `|` escaped inside the table cell.
      const portType = port.portType.replaceAll("|", "\\|");
      assert.ok(
        section.includes(`| \`${port.name}\` | \`${portType}\` |`),
        `${d.name}.${port.name}`,
      );
    }
    for (const field of Object.keys(d.config.properties ?? {})) {
      assert.ok(section.includes(`| \`${field}\` |`), `${d.name} config ${field}`);
    }
  }
});

Deno.test("docs/processors.md is the rendered reference (run processors/processor_reference.ts)", async () => {
  const committed = await Deno.readTextFile(`${root}docs/processors.md`);
  assert.equal(committed, await fmtMarkdown(renderProcessorReference()));
});
