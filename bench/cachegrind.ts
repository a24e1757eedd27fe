/**
 * Instruction counts from valgrind's cachegrind, for benches whose effects are smaller than this
 * machine's timing noise (`bench/encode_instructions.ts`, `bench/probe_instructions.ts`).
 *
 * @module
 */

/**
 * Throws when valgrind is missing, with how to install it.
 *
 * @throws {Error} When `valgrind --version` does not run.
 */
export async function requireValgrind(): Promise<void> {
  const valgrind = await new Deno.Command("valgrind", { args: ["--version"], stdout: "null" })
    .output().catch(() => undefined);
  if (!valgrind?.success) {
    throw new Error("valgrind is not installed: apt-get install valgrind (Debian/Ubuntu)");
  }
}

/**
 * Runs `command` under cachegrind (no cache simulation) and returns the instructions it executed,
 * every thread included, with its standard error (the valgrind lines removed).
 *
 * @param command The program and its arguments.
 * @returns The instruction count and the program's own standard error.
 * @throws {Error} When the program fails or cachegrind prints no count.
 */
export async function countInstructions(
  command: readonly string[],
): Promise<{ instructions: number; stderr: string }> {
  const out = await new Deno.Command("valgrind", {
    args: ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", ...command],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(text)?.[1];
  if (!out.success || refs === undefined) {
    throw new Error(`valgrind ${command.join(" ")} failed: ${text.slice(-500)}`);
  }
  const stderr = text.split("\n").filter((line) => !/^==\d+==/.test(line)).join("\n");
  return { instructions: Number(refs.replaceAll(",", "")), stderr };
}
