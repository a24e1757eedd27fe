/**
 * streamlib's code generator: the equivalent of Rust's `#[derive(StreamProcessor)]`.
 *
 * It scans the folders listed in `deno.json` (`"streamlib": { "codegen": ["processors"] }`) for
 * `@processor` classes and writes, beside each source, a `*.gen.ts` with typed `inputs`/`outputs`
 * accessors, a node handle type for typed `connect`, a descriptor with the config's JSON Schema,
 * and a validating factory; and one `registry.gen.ts` per folder. Every generated export has a
 * titled `@example` that `deno test --doc` type-checks and runs. Run as a program it is the
 * `deno task codegen` and `deno task nodes` command line. Until the package is on JSR, run it from a
 * checkout by path (map `@streamlib/streamlib` to the checkout's `mod.ts` in your `deno.json`;
 * see `docs/writing_processors.md`):
 *
 * ```sh
 * deno run -A ../streamlib/codegen/mod.ts                  # generate
 * deno run -A ../streamlib/codegen/mod.ts --check          # CI: exit 1 when stale
 * deno run -A ../streamlib/codegen/mod.ts --watch          # regenerate on change
 * deno run -A ../streamlib/codegen/mod.ts nodes list
 * deno run -A jsr:@streamlib/streamlib/codegen             # the same, once published
 * ```
 *
 * @example Generate from code, and report what is wrong in a source
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDiagnostic, generate } from "@streamlib/streamlib/codegen";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/nodes`);
 * await Deno.writeTextFile(
 *   `${root}/nodes/idle.ts`,
 *   `import { Processor, processor } from "@streamlib/streamlib";
 *
 * @processor
 * export class Idle extends Processor {
 *   process(): void {}
 * }
 * `,
 * );
 * const result = await generate({ root, folders: ["nodes"] });
 * assert.deepEqual(result.written, []); // a source with a problem: nothing is written
 * assert.deepEqual(result.diagnostics.map((d) => d.code), ["bare-decorator", "not-a-processor"]);
 * assert.equal(
 *   formatDiagnostic(result.diagnostics[0]).split("\n")[0],
 *   "nodes/idle.ts:3:1: error[bare-decorator]: Decorator `@processor` is used without parentheses",
 * );
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */

export { type CliOutput, main } from "./cli.ts";
export {
  type Diagnostic,
  type DiagnosticCode,
  formatDiagnostic,
  sortDiagnostics,
} from "./diagnostic.ts";
export {
  type FolderFiles,
  GENERATED_HEADER,
  generatedPathOf,
  listFolderFiles,
  mayDeclareProcessor,
  REGISTRY_FILE,
} from "./discover.ts";
export { FormatError, formatTypeScript, mapConcurrent } from "./format.ts";
export { generate, type GenerateOptions, type GenerateResult, type StaleFile } from "./generate.ts";
export { formatNodeInfo, formatNodeList, loadProjectRegistry } from "./nodes_command.ts";
export { type CodegenConfig, CodegenConfigError, loadCodegenConfig } from "./project_config.ts";
export { CodegenSession } from "./session.ts";
export { SourceHasher } from "./source_hash.ts";
export { watch, type WatchOptions } from "./watch.ts";

if (import.meta.main) {
  const { main } = await import("./cli.ts");
  Deno.exit(await main(Deno.args));
}
