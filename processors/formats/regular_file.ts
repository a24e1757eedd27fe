/**
 * Opening a media file that must be a regular file: a FIFO with no writer would block its open
 * and reads forever, a device (`/dev/zero`) never ends, a folder cannot be read. The kind is
 * checked with `stat` before opening (which never blocks) and again on the open file.
 *
 * @module
 */

import { NotRegularFileTargetError } from "./writer_errors.ts";

/** What a path names, when it is not a regular file. */
export type NonRegularKind =
  | "directory"
  | "FIFO"
  | "character device"
  | "block device"
  | "socket"
  | "special file";

/**
 * The kind of a file that is not a regular file, or `undefined` for a regular one.
 *
 * @param info A `stat` result.
 * @returns The kind, for messages and errors.
 *
 * @example A folder is not a media file
 * ```ts
 * import assert from "node:assert/strict";
 * import { nonRegularKind } from "./regular_file.ts";
 *
 * assert.equal(nonRegularKind(await Deno.stat(Deno.cwd())), "directory");
 * ```
 */
export function nonRegularKind(info: Deno.FileInfo): NonRegularKind | undefined {
  if (info.isFile) return undefined;
  if (info.isDirectory) return "directory";
  if (info.isFifo) return "FIFO";
  if (info.isCharDevice) return "character device";
  if (info.isBlockDevice) return "block device";
  if (info.isSocket) return "socket";
  return "special file";
}

/**
 * Opens `path` for reading if it is a regular file (symbolic links are followed).
 *
 * @param path The file.
 * @param refuse Makes the error to throw for a file that is not regular (the format's typed
 *   error), given what the path names.
 * @returns The open file.
 * @throws {Deno.errors.NotFound} When nothing is at `path` (and other open errors as they are).
 * @throws What `refuse` makes, when `path` is not a regular file.
 *
 * @example Refuse a folder before opening it
 * ```ts
 * import assert from "node:assert/strict";
 * import { openRegularFile } from "./regular_file.ts";
 *
 * await assert.rejects(
 *   () => openRegularFile(Deno.cwd(), (kind) => new TypeError(`not a file: ${kind}`)),
 *   { message: "not a file: directory" },
 * );
 * ```
 */
export async function openRegularFile(
  path: string,
  refuse: (kind: NonRegularKind) => Error,
): Promise<Deno.FsFile> {
  const before = nonRegularKind(await Deno.stat(path));
  if (before !== undefined) throw refuse(before);
  const file = await Deno.open(path, { read: true });
  try {
    // The path may have been replaced between stat and open.
    const after = nonRegularKind(await file.stat());
    if (after !== undefined) throw refuse(after);
  } catch (error) {
    file.close();
    throw error;
  }
  return file;
}

/**
 * Refuses a path to record to that exists and is not a regular file (symbolic links followed): a
 * FIFO would block the open until a reader comes, a device or a socket is not a recording, a
 * folder cannot be written. A missing path is fine (the writer creates it).
 *
 * @param path Where a writer is about to create or replace a file.
 * @throws {NotRegularFileTargetError} When `path` names a FIFO, device, folder or socket.
 *
 * @example Refuse a device
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseNonRegularTarget } from "./regular_file.ts";
 *
 * await assert.rejects(refuseNonRegularTarget("/dev/zero"), { code: "not_regular_file" });
 * await refuseNonRegularTarget("/tmp/streamlib-no-such-file.wav"); // fine: it will be created
 * ```
 */
export async function refuseNonRegularTarget(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return; // missing (or not reachable): the open reports what is wrong
  }
  const kind = nonRegularKind(info);
  if (kind !== undefined) throw new NotRegularFileTargetError(path, kind);
}

/**
 * Reads at most `maxBytes + 1` bytes of `file` from where it stands: the caller tells a file that
 * fits (`length <= maxBytes`) from one that is too large or grew while being read, without ever
 * holding more than one byte past its limit (`/dev/zero` or a growing file cannot exhaust memory).
 *
 * @param file An open file.
 * @param maxBytes The most bytes the caller accepts.
 * @returns The bytes read: `maxBytes + 1` of them when the file holds more than `maxBytes`.
 *
 * @example Tell a small file from a big one
 * ```ts
 * import assert from "node:assert/strict";
 * import { openRegularFile, readAtMost } from "./regular_file.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "12345");
 * {
 *   using file = await openRegularFile(path, (kind) => new TypeError(kind));
 *   assert.equal((await readAtMost(file, 3)).length, 4); // too large: 3 + 1 bytes
 * }
 * using file = await openRegularFile(path, (kind) => new TypeError(kind));
 * assert.equal(new TextDecoder().decode(await readAtMost(file, 8)), "12345");
 * await Deno.remove(path);
 * ```
 */
export async function readAtMost(file: Deno.FsFile, maxBytes: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(maxBytes + 1);
  let size = 0;
  while (size < bytes.length) {
    const n = await file.read(bytes.subarray(size));
    if (n === null) break;
    size += n;
  }
  return bytes.subarray(0, size);
}
