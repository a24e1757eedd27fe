import assert from "node:assert/strict";
import { join } from "node:path";
import type { ManifestIssue } from "../core/manifest/issue.ts";
import { explainUnknownProcessors } from "./_project_hint.ts";
import { main } from "./streamlib.ts";

const unknown = (name: string): ManifestIssue => ({
  path: "nodes[0].type",
  code: "processor_not_found",
  message: `nodes[0].type: unknown processor '${name}', available processors: Gain`,
});

const DIMMER = `import { Processor, processor } from "@streamlib/streamlib";
/** Dims. */
@processor({ description: "Dims" })
export class Dimmer extends Processor {}
`;

async function project(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, path, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

Deno.test("explainUnknownProcessors(): a class codegen has not run on says so", async () => {
  const root = await project({
    "deno.json": '{ "streamlib": { "codegen": ["processors"] } }',
    "processors/dimmer.ts": DIMMER,
  });
  try {
    const [issue] = explainUnknownProcessors([unknown("Dimmer")], root);
    assert.match(
      issue.message,
      /unknown processor 'Dimmer' \(processors\/dimmer\.ts declares it, but codegen has not run on it since: run `deno task codegen`\), available processors: Gain$/,
    );
    // Generated (its .gen.ts and the registry naming it): no such hint.
    await Deno.writeTextFile(join(root, "processors/dimmer.gen.ts"), "");
    await Deno.writeTextFile(join(root, "processors/registry.gen.ts"), "// Dimmer");
    assert.deepEqual(explainUnknownProcessors([unknown("Dimmer")], root), [unknown("Dimmer")]);
    // Other issues and other names are left as they are.
    const other = { ...unknown("Nope"), code: "port_not_found" as const };
    assert.deepEqual(explainUnknownProcessors([other], root), [other]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("explainUnknownProcessors(): a misspelt or mistyped streamlib setting is named", async () => {
  const misspelt = await project({
    "deno.json": '{ "streamlib": { "codegn": ["processors"] } }',
    "processors/dimmer.ts": DIMMER,
  });
  const mistyped = await project({ "deno.json": '{ "streamlib": { "codegen": "processors" } }' });
  try {
    const [a] = explainUnknownProcessors([unknown("Dimmer")], misspelt);
    assert.match(
      a.message,
      /deno\.json has "streamlib": \{ "codegn" \}, not a setting: did you mean codegen\?/,
    );
    const [b] = explainUnknownProcessors([unknown("Dimmer")], mistyped);
    assert.match(
      b.message,
      /must be an array of folder names, such as \["processors"\], got "processors"/,
    );
  } finally {
    await Deno.remove(misspelt, { recursive: true });
    await Deno.remove(mistyped, { recursive: true });
  }
});

Deno.test("streamlib validate from outside the manifest's project says where to run it", async () => {
  const parent = await project({
    "studio/deno.json": '{ "streamlib": { "codegen": ["processors"] } }',
    "studio/p.json": JSON.stringify({
      version: 1,
      nodes: [{ id: "d", type: "Dimmer" }],
      connections: [],
    }),
  });
  const cwd = Deno.cwd();
  try {
    Deno.chdir(parent);
    const err: string[] = [];
    const code = await main(["validate", "studio/p.json"], {
      out: () => {},
      err: (line) => err.push(line),
    });
    assert.equal(code, 1);
    assert.match(
      err.join("\n"),
      /unknown processor 'Dimmer' \(processors are looked up in the project of the working directory, .*'studio' has them: run the command from there\)/,
    );
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(parent, { recursive: true });
  }
});
