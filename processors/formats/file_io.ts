/**
 * Whole-buffer reads and writes on a `Deno.FsFile`, which may transfer fewer bytes per call.
 *
 * @module
 */

/**
 * Reads until `buffer` is full or the file ends.
 *
 * @param file An open file.
 * @param buffer Where to put the bytes.
 * @returns Bytes read: `buffer.length`, or fewer when the file ended first.
 *
 * @example Read the first bytes of a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFull } from "./file_io.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([1, 2, 3]));
 * using file = await Deno.open(path);
 * const buffer = new Uint8Array(8);
 * assert.equal(await readFull(file, buffer), 3);
 * await Deno.remove(path);
 * ```
 */
export async function readFull(file: Deno.FsFile, buffer: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(filled === 0 ? buffer : buffer.subarray(filled));
    if (n === null || n === 0) break;
    filled += n;
  }
  return filled;
}

/**
 * Writes every byte of `bytes`.
 *
 * @param file A file open for writing.
 * @param bytes The bytes to write.
 *
 * @example Write a buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "./file_io.ts";
 *
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * await writeAll(file, new TextEncoder().encode("hello"));
 * assert.equal(await Deno.readTextFile(path), "hello");
 * await Deno.remove(path);
 * ```
 */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await file.write(written === 0 ? bytes : bytes.subarray(written));
  }
}
