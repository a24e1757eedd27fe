/**
 * {@linkcode firstLine}: the line a server started by a bench prints when it listens.
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
