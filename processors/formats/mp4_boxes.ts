/**
 * A walk over the top-level boxes of an MP4 file (size and type only), so a file that is empty,
 * not an MP4, or cut short is refused with a precise `Mp4ReadError` before the demuxer sees it
 * (mediabunny would otherwise play the complete part of a truncated file without a word).
 *
 * @module
 */

import { Mp4ReadError, TruncatedMp4Error } from "./mp4_errors.ts";
import { openRegularFile } from "./regular_file.ts";

/**
 * The largest `moov` box (the movie header the demuxer reads into memory) accepted: hours of
 * video need a few megabytes; a larger one is refused with code `too_large`.
 */
export const MAX_MOOV_BYTES = 64 * 1024 * 1024;

/** A top-level box: its type, where it starts and its size. */
export interface Mp4Box {
  /** The four-character type, e.g. `"moov"`. */
  readonly type: string;
  /** Where the box starts, in bytes. */
  readonly offset: number;
  /** Its size including the header, in bytes. */
  readonly size: number;
}

/** Box types whose four characters must be printable ASCII. */
const PRINTABLE = /^[\x20-\x7e]{4}$/;

/**
 * Reads the top-level box headers of `path` and checks they tile the file: it starts with
 * `ftyp`, every box fits, and there is a `moov` box of at most {@linkcode MAX_MOOV_BYTES}. Only
 * box headers (16 bytes each) are read. The path must be a regular file: a folder, FIFO or device
 * is refused before it is opened (code `not_regular_file`), so a FIFO with no writer never blocks.
 *
 * @param path An MP4 file.
 * @returns The boxes, in file order.
 * @throws {Mp4ReadError} When the file is missing (`not_found`), not a regular file
 *   (`not_regular_file`), cannot be opened, is empty, does not start with an `ftyp` box, has no
 *   `moov` box, or a `moov` box above the bound (`too_large`).
 * @throws {TruncatedMp4Error} When a box runs past the end of the file.
 *
 * @example Refuse a file that is an `ftyp` box and nothing else
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTopLevelBoxes } from "./mp4_boxes.ts";
 * import { Mp4ReadError } from "./mp4_errors.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".mp4" });
 * await Deno.writeFile(path, new Uint8Array([0, 0, 0, 12, ...new TextEncoder().encode("ftypisom")]));
 * try {
 *   await checkTopLevelBoxes(path);
 * } catch (error) {
 *   if (!(error instanceof Mp4ReadError)) throw error;
 *   assert.ok(error.message.endsWith("it has no 'moov' box (movie header); expected an MP4 file"));
 * }
 * await Deno.remove(path);
 * ```
 */
export async function checkTopLevelBoxes(path: string): Promise<Mp4Box[]> {
  let file: Deno.FsFile;
  try {
    file = await openRegularFile(
      path,
      (kind) =>
        new Mp4ReadError(path, `it is a ${kind}, expected a regular .mp4 file`, {
          code: "not_regular_file",
        }),
    );
  } catch (error) {
    if (error instanceof Mp4ReadError) throw error;
    throw new Mp4ReadError(path, `it cannot be opened (${(error as Error).message})`, {
      cause: error,
      code: error instanceof Deno.errors.NotFound ? "not_found" : "unreadable",
    });
  }
  try {
    const fileBytes = (await file.stat()).size;
    if (fileBytes === 0) {
      throw new Mp4ReadError(path, "it is empty (0 bytes); expected an MP4 file");
    }
    const boxes: Mp4Box[] = [];
    const header = new Uint8Array(16);
    const view = new DataView(header.buffer);
    let offset = 0;
    while (offset < fileBytes) {
      await file.seek(offset, Deno.SeekMode.Start);
      const got = await readUpTo(file, header);
      if (got < 8) {
        throw new TruncatedMp4Error(path, "(box header)", offset, 8, fileBytes);
      }
      const type = String.fromCharCode(...header.subarray(4, 8));
      if (!PRINTABLE.test(type) || (offset === 0 && type !== "ftyp")) {
        const hex = [...header.subarray(0, Math.min(got, 8))]
          .map((b) => b.toString(16).padStart(2, "0")).join(" ");
        throw new Mp4ReadError(
          path,
          offset === 0
            ? `it is not an MP4 file: it starts with bytes ${hex}, expected an 'ftyp' box`
            : `it is corrupt: the box header at byte ${offset} (${hex}) has no valid type`,
        );
      }
      let size = view.getUint32(0);
      if (size === 1) {
        if (got < 16) throw new TruncatedMp4Error(path, type, offset, 16, fileBytes);
        size = Number(view.getBigUint64(8));
      } else if (size === 0) {
        size = fileBytes - offset; // "to the end of the file"
      }
      if (size < 8) {
        throw new Mp4ReadError(
          path,
          `it is corrupt: its '${type}' box at byte ${offset} declares ${size} bytes, less than its header`,
        );
      }
      if (offset + size > fileBytes) {
        throw new TruncatedMp4Error(path, type, offset, size, fileBytes);
      }
      if (type === "moov" && size > MAX_MOOV_BYTES) {
        throw new Mp4ReadError(
          path,
          `its 'moov' box (movie header) at byte ${offset} is ${size} bytes, expected at most ${MAX_MOOV_BYTES}`,
          { code: "too_large" },
        );
      }
      boxes.push({ type, offset, size });
      offset += size;
    }
    if (!boxes.some((b) => b.type === "moov")) {
      throw new Mp4ReadError(path, "it has no 'moov' box (movie header); expected an MP4 file");
    }
    return boxes;
  } finally {
    file.close();
  }
}

async function readUpTo(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let filled = 0;
  while (filled < into.length) {
    const n = await file.read(into.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled;
}
