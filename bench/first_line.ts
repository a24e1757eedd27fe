/**
 * {@linkcode firstLine}: the line a server started by a bench prints when it listens, and
 * {@linkcode startServe}, which starts `streamlib serve` and reads it.
 *
 * @module
 */

/**
 * Reads a child process's output up to its first line, then keeps draining it, so the child
 * never blocks on a full pipe.
 *
 * @param stream The child's stdout.
 * @returns The first line, without its newline.
 * @throws {Error} When the output ends before a line (the server exited before it listened).
 */
export async function firstLine(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before it listened: ${text}`);
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drained */ }
  })();
  return text.slice(0, text.indexOf("\n"));
}

/**
 * Starts `streamlib serve` on a folder of manifests, on a free port, with `--json` (its first line
 * says where it listens), a pool and a session limit, its stderr dropped.
 *
 * @param dir The folder.
 * @param pool Isolates started ahead of sessions.
 * @param maxSessions The most sessions at once.
 * @returns The child process and its sessions URL.
 */
export async function startServe(
  dir: string,
  pool: number,
  maxSessions: number,
): Promise<{ child: Deno.ChildProcess; sessionsUrl: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../cli/streamlib.ts", import.meta.url).pathname,
      "serve",
      dir,
      "--port",
      "0",
      "--json",
      "--pool",
      String(pool),
      "--max-sessions",
      String(maxSessions),
      "--idle-timeout",
      "120",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const { sessionsUrl } = JSON.parse(await firstLine(child.stdout));
  return { child, sessionsUrl };
}
