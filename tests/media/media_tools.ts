/**
 * Helpers for the media integration tests: running sox, ffmpeg and ffprobe, and temporary
 * directories. Not a test module itself.
 *
 * @module
 */

/** The output of a finished tool run. */
export interface ToolOutput {
  /** Standard output, raw. */
  stdout: Uint8Array;
  /** Standard output as text. */
  text: string;
  /** Standard error as text (sox prints `stat` results there). */
  stderr: string;
}

/**
 * Runs `command` with `args` and fails with its standard error when it exits non-zero.
 *
 * @param command The executable, e.g. `"sox"`.
 * @param args Its arguments.
 * @returns What it printed.
 */
export async function run(command: string, args: string[]): Promise<ToolOutput> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    // A missing tool fails the test loudly, saying how to get it (never a silent skip).
    throw new Error(
      `'${command}' is not installed; this test needs it: run 'bash scripts/install_test_deps.sh' (deno task test runs it first)`,
      { cause: error },
    );
  }
  const { code, stdout, stderr } = output;
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(
      `'${command} ${args.join(" ")}' exited with ${code}: ${decoder.decode(stderr).trim()}`,
    );
  }
  return { stdout, text: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * Runs `fn` with a fresh temporary directory and removes the directory afterwards.
 *
 * @param fn The test body.
 */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_media_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Reads one `key: value` field of `sox file -n stat` output as a number.
 *
 * @param stat The text sox printed (on standard error).
 * @param field The field name, e.g. `"RMS     amplitude"` (spacing as sox prints it).
 * @returns The value.
 */
export function soxStat(stat: string, field: string): number {
  const line = stat.split("\n").find((l) => l.startsWith(field));
  if (line === undefined) throw new Error(`sox stat has no '${field}' line:\n${stat}`);
  return Number(line.slice(line.indexOf(":") + 1).trim());
}

/**
 * Decodes an audio file with sox (`sox file -t f32 -`) to interleaved 32-bit float samples, so
 * tests check what a real tool reads, not what the project's own decoder reads.
 *
 * @param path The file.
 * @returns Every sample, channels interleaved as in the file.
 */
export async function soxSamples(path: string): Promise<Float32Array> {
  const raw = (await run("sox", [path, "-t", "f32", "-"])).stdout;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}
