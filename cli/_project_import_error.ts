/**
 * {@linkcode ProjectImportError}: the project's own processors did not import. Internal to the
 * command line, which prints it with its code and exits 1.
 *
 * @module
 */

/**
 * The project's own processors (the `registry.gen.ts` of its `deno.json` codegen folders) did not
 * import: `plugin_import_failed` (the code a plugin module that does not import has). Most often the command runs without the project's import map
 * (a `streamlib` installed without `--config deno.json`), so `@streamlib/streamlib` is unmapped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProjectImportError } from "./_project_import_error.ts";
 *
 * const error = new ProjectImportError(".", new TypeError('Import "@streamlib/streamlib" not a dependency'));
 * assert.equal(error.code, "plugin_import_failed");
 * assert.match(error.message, /--config deno\.json/);
 * ```
 */
export class ProjectImportError extends Error {
  /** Always `plugin_import_failed`. */
  readonly code = "plugin_import_failed";

  /**
   * @param root The project folder.
   * @param cause What importing threw.
   */
  constructor(root: string, cause: unknown) {
    const said = String((cause as Error | undefined)?.message ?? cause).split("\n")[0];
    const unmapped = /not a dependency|import map|bare specifier|Relative import path/i.test(said);
    super(
      `Cannot import the processors of the project in '${root}' (the registry.gen.ts of its ` +
        `deno.json "streamlib.codegen" folders): ${said}` +
        (unmapped
          ? ". The command runs without the project's import map: from the project folder, run " +
            "'deno run -A <streamlib>/cli/streamlib.ts <command>' (or 'deno task streamlib' in a " +
            "project made by 'streamlib new project'), or install it with the project's map: " +
            "'deno install -g -A -n streamlib --config deno.json <streamlib>/cli/streamlib.ts'"
          : ""),
      { cause },
    );
    this.name = "ProjectImportError";
  }
}
