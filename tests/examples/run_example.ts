/**
 * Runs the scripts in `examples/` as a user would, in a subprocess, for the end-to-end tests.
 * Not a test module itself.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The repository root (where `deno.json` is). */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** What a finished subprocess printed. */
export interface ExampleOutput {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `deno <args>` from the repository root and fails with everything it printed when it
 * exits non-zero.
 *
 * @param args Arguments to `deno` (`["run", "-A", "examples/x.ts", ...]`).
 * @returns What it printed.
 */
export async function runDeno(args: string[]): Promise<ExampleOutput> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  const output = { stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  if (code !== 0) {
    const command = `deno ${args.join(" ")}`;
    throw new Error(
      `'${command}' exited with ${code}\n--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`,
    );
  }
  return output;
}

/**
 * Runs `examples/<name>` with `deno run -A` and the given arguments.
 *
 * @param name The script's file name, e.g. `"tone_to_wav.ts"`.
 * @param args Its arguments.
 * @returns What it printed.
 */
export function runExample(name: string, args: string[]): Promise<ExampleOutput> {
  return runDeno(["run", "-A", `examples/${name}`, ...args]);
}

/**
 * The number after `label` in `text` (`"frames written: 31"`), failing when there is none.
 *
 * @param text Printed output.
 * @param label The text before the number.
 * @returns The number.
 */
export function numberAfter(text: string, label: string): number {
  const at = text.indexOf(label);
  if (at < 0) throw new Error(`no '${label}' in:\n${text}`);
  const match = /^\s*(-?[\d.]+)/.exec(text.slice(at + label.length));
  if (!match) throw new Error(`no number after '${label}' in:\n${text}`);
  return Number(match[1]);
}
