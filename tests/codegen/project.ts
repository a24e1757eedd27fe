/**
 * Temp projects for codegen integration tests: a `deno.json` that lists the scanned folders and
 * maps `@streamlib/streamlib` (and its `processors` entry point, which the examples in generated
 * files use) to this checkout, plus the given files.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root. */
export const repoRoot: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Creates a temp project.
 *
 * @param folders The folders codegen scans.
 * @param files Paths relative to the project and their text.
 * @returns The project root.
 */
export async function makeProject(
  folders: string[],
  files: Record<string, string>,
): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "streamlib_project_" });
  const config = {
    streamlib: { codegen: folders },
    imports: {
      "@streamlib/streamlib": pathToFileURL(join(repoRoot, "mod.ts")).href,
      "@streamlib/streamlib/processors": pathToFileURL(join(repoRoot, "processors/mod.ts")).href,
    },
  };
  writeProjectFile(root, "deno.json", JSON.stringify(config, null, 2));
  for (const [path, text] of Object.entries(files)) writeProjectFile(root, path, text);
  return root;
}

/**
 * Writes one file of a project, creating folders.
 *
 * @param root The project root.
 * @param path The path relative to it.
 * @param text The text.
 */
export function writeProjectFile(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/**
 * A processor source: one `DataFrame<string>` input and output named `in`/`out`.
 *
 * @param name The class name.
 * @param genModule The generated module's file name.
 * @param extra Extra class members.
 * @returns The source.
 */
export function echoSource(name: string, genModule: string, extra = ""): string {
  return `import { type DataFrame, input, type InputPort, output, type OutputPort, Processor, processor } from "@streamlib/streamlib";
import type { ${name}Types } from "./${genModule}";

/** Repeats every message. */
@processor({ tags: ["data"] })
export class ${name} extends Processor<${name}Types> {
  /** Messages. */
  @input()
  in!: InputPort<DataFrame<string>>;

  /** The same messages. */
  @output()
  out!: OutputPort<DataFrame<string>>;
${extra}
  process(): void {
    let message;
    while ((message = this.inputs.in.read()) !== undefined) this.outputs.out.write(message);
  }
}
`;
}
