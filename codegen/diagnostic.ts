/**
 * Diagnostics: what the generator reports about a processor source, pointing at `file:line:col`
 * with a hint that says how to fix it.
 *
 * @module
 */

/**
 * The kinds of problem the generator reports.
 *
 * - `port-type`: `@input`/`@output` on a field whose type is not an input/output port (or that
 *   is not a public instance field, or whose array-ness does not match its `array` option).
 * - `unknown-frame-type`: a port carries something that is not a frame type.
 * - `duplicate-port`: two ports of one direction share a name.
 * - `unexported-class`: a `@processor` class is not a named export.
 * - `config-not-json`: a config type (or a `DataFrame` payload) has no JSON Schema: functions,
 *   symbols, class instances, bigints, recursive types.
 * - `missing-process`: a `@processor` class has no `process()` method.
 * - `not-a-processor`: a `@processor` class does not extend `Processor<NameTypes>`, or imports
 *   `NameTypes` from another source's generated module (not the `.gen.ts` codegen writes).
 * - `invalid-options`: decorator options that are not literals, unknown or of the wrong type.
 * - `invalid-tag`: a JSDoc tag (`@minimum`, `@default`, ...) whose value does not fit its field.
 * - `duplicate-config`: more than one `@config()` field.
 * - `duplicate-processor`: two processor classes of one name in one package.
 * - `builtin-name`: a processor class has the name of a built-in processor.
 * - `syntax-error`: the source does not parse.
 * - `bare-decorator`: `@processor`, `@input`, `@output` or `@config` written without `()`, or
 *   `@live` (a JSDoc tag) written as a decorator.
 */
export type DiagnosticCode =
  | "port-type"
  | "unknown-frame-type"
  | "duplicate-port"
  | "unexported-class"
  | "config-not-json"
  | "missing-process"
  | "not-a-processor"
  | "invalid-options"
  | "invalid-tag"
  | "duplicate-config"
  | "duplicate-processor"
  | "builtin-name"
  | "syntax-error"
  | "bare-decorator";

/**
 * One problem in a processor source.
 *
 * @example Report a problem the way the command line does
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Diagnostic, formatDiagnostic } from "@streamlib/streamlib/codegen";
 *
 * const problem: Diagnostic = {
 *   code: "duplicate-port",
 *   message: "Processor 'Mixer' has two inputs named 'in_0'",
 *   hint: "rename one of the fields",
 *   file: "processors/mixer.ts",
 *   line: 12,
 *   column: 3,
 * };
 * assert.ok(formatDiagnostic(problem).split("\n")[0].startsWith("processors/mixer.ts:12:3:"));
 * ```
 */
export interface Diagnostic {
  /** The kind of problem. */
  readonly code: DiagnosticCode;
  /** What is wrong, one sentence. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
  /** The file, relative to the project root, with `/` separators. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/**
 * Formats a diagnostic as `file:line:col: error[code]: message` and an indented hint line.
 *
 * @param diagnostic The diagnostic.
 * @returns Two lines of text.
 *
 * @example Format a diagnostic
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDiagnostic } from "@streamlib/streamlib/codegen";
 *
 * const text = formatDiagnostic({
 *   code: "missing-process",
 *   message: "Processor 'Gain' has no process() method",
 *   hint: "add `process(ctx: ProcessContext): void { ... }` to the class",
 *   file: "processors/transforms/gain.ts",
 *   line: 3,
 *   column: 14,
 * });
 * assert.deepEqual(text.split("\n"), [
 *   "processors/transforms/gain.ts:3:14: error[missing-process]: Processor 'Gain' has no process() method",
 *   "  hint: add `process(ctx: ProcessContext): void { ... }` to the class",
 * ]);
 * ```
 */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column, code, message, hint } = diagnostic;
  return `${file}:${line}:${column}: error[${code}]: ${message}\n  hint: ${hint}`;
}

/**
 * Orders diagnostics by file, line and column.
 *
 * @param diagnostics The diagnostics.
 * @returns A sorted copy.
 *
 * @example Sort two diagnostics
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortDiagnostics } from "@streamlib/streamlib/codegen";
 *
 * assert.equal(sortDiagnostics([]).length, 0);
 * ```
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column ||
    a.code.localeCompare(b.code)
  );
}
