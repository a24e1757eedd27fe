/**
 * Formatting generated code exactly as `deno fmt` would, so `deno fmt --check` and
 * `deno task codegen --check` always agree.
 *
 * @module
 */

/**
 * Thrown when `deno fmt` rejects generated code (a generator bug).
 *
 * @example Format code that does not parse
 * ```ts
 * import assert from "node:assert/strict";
 * import { FormatError, formatTypeScript } from "@streamlib/streamlib/codegen";
 *
 * try {
 *   await formatTypeScript("export const = ;", ".", "broken.gen.ts");
 * } catch (error) {
 *   assert.equal(error instanceof FormatError && error.file, "broken.gen.ts");
 * }
 * ```
 */
export class FormatError extends Error {
  /** The file that was being formatted. */
  readonly file: string;

  /**
   * Creates the error.
   *
   * @param file The file.
   * @param detail What `deno fmt` said.
   */
  constructor(file: string, detail: string) {
    super(`Cannot format generated '${file}': ${detail}`);
    this.name = "FormatError";
    this.file = file;
  }
}

/**
 * Formats TypeScript with the `deno fmt` of the running Deno, reading the `fmt` options of the
 * project at `cwd` (it pipes the text through `deno fmt --ext ts -`, a few milliseconds each).
 *
 * @param text The code.
 * @param cwd The project root, whose `deno.json` `fmt` options apply.
 * @param file The file name, for errors.
 * @returns The formatted code.
 * @throws {FormatError} When the code does not parse.
 *
 * @example Format a line
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTypeScript } from "@streamlib/streamlib/codegen";
 *
 * assert.equal(await formatTypeScript("const  x={a:1}", ".", "x.ts"), "const x = { a: 1 };\n");
 * ```
 */
export async function formatTypeScript(text: string, cwd: string, file: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ts", "-"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new FormatError(file, new TextDecoder().decode(stderr).trim());
  return new TextDecoder().decode(stdout);
}

/**
 * Runs `tasks` with at most `limit` in flight.
 *
 * @param items The inputs.
 * @param limit The most concurrent tasks.
 * @param task The task.
 * @returns The results, in input order.
 *
 * @example Double numbers two at a time
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapConcurrent } from "@streamlib/streamlib/codegen";
 *
 * assert.deepEqual(await mapConcurrent([1, 2, 3], 2, async (n) => n * 2), [ 2, 4, 6 ]);
 * ```
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
