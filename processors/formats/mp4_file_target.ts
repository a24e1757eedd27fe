/**
 * A mediabunny `StreamTarget` that writes straight into a file, chunk by chunk as the muxer
 * hands them over (no in-memory accumulation), so everything the muxer has finished is on disk:
 * with fragmented MP4 that is every complete fragment.
 *
 * @module
 */

import { dirname } from "node:path";
import { StreamTarget, type StreamTargetChunk } from "mediabunny";
import { writeAll } from "./file_io.ts";
import { FirstFragmentWatch } from "./mp4_first_fragment.ts";
import { Mp4WriteError } from "./mp4_errors.ts";
import { nonRegularKind } from "./regular_file.ts";
import { NotRegularFileTargetError } from "./writer_errors.ts";

/** A target and the file it writes. */
export interface Mp4FileTarget {
  /** Give this to `new Output({ target })`. */
  readonly target: StreamTarget;
  /** Bytes written so far (the end of the furthest write). */
  readonly bytesWritten: () => number;
  /**
   * Moves the file to its path if it is still `<path>.partial` (call after `output.finalize()`
   * succeeded: the file is complete even if the scan of box headers missed its first fragment).
   */
  readonly complete: () => Promise<void>;
  /** Closes the file (after `output.finalize()` or `cancel()`); idempotent. */
  readonly close: () => void;
  /** Closes the file and deletes it (a recording that holds nothing); idempotent. */
  readonly remove: () => Promise<void>;
}

/**
 * The name a recording has until its first fragment is complete: `take.mp4.partial`.
 *
 * @param path The recording's path.
 * @returns The temporary path next to it.
 */
export function partialPath(path: string): string {
  return `${path}.partial`;
}

/**
 * Creates (or truncates) `<path>.partial` and returns a target writing into it. Once the first
 * fragment is complete (the file has its `moov` and one `moof` + `mdat`, so it plays) the file is
 * renamed to `path` and written there in place from then on. So at every moment the file at
 * `path` is a playable MP4 (or absent, or a previous file of that name, untouched until then),
 * and a process killed before its first fragment leaves only `<path>.partial` (the 28-byte `ftyp`
 * box mediabunny writes first), a name no player mistakes for the recording.
 *
 * @param path The file.
 * @returns The target, a byte counter, and close and remove functions.
 * @throws {Mp4WriteError} When the file cannot be created: no such directory, no permission, a
 *   directory in the way.
 * @throws {NotRegularFileTargetError} When `path` is a FIFO, device or socket.
 *
 * @example Open a target
 * ```ts
 * import assert from "node:assert/strict";
 * import { openMp4FileTarget, partialPath } from "./mp4_file_target.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const file = await openMp4FileTarget(`${dir}/take.mp4`);
 * assert.equal(file.bytesWritten(), 0);
 * assert.ok((await Deno.stat(partialPath(`${dir}/take.mp4`))).isFile);
 * await file.remove();
 * await Deno.remove(dir);
 * ```
 */
export async function openMp4FileTarget(path: string): Promise<Mp4FileTarget> {
  const partial = partialPath(path);
  let file: Deno.FsFile;
  try {
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isDirectory) throw new Deno.errors.IsADirectory(`Is a directory: ${path}`);
    const kind = info && nonRegularKind(info);
    // A FIFO, device or socket at the path would be replaced by the rename: refuse it.
    if (kind) throw new NotRegularFileTargetError(path, kind);
    const before = await Deno.stat(partial).catch(() => undefined);
    const partialKind = before && nonRegularKind(before);
    if (partialKind) throw new NotRegularFileTargetError(partial, partialKind);
    file = await Deno.open(partial, { write: true, create: true, truncate: true });
  } catch (error) {
    if (error instanceof NotRegularFileTargetError) throw error;
    throw new Mp4WriteError(path, openFailure(path, error), { cause: error });
  }
  let current = partial;
  const watch = new FirstFragmentWatch();
  let position = 0;
  let end = 0;
  let closed = false;
  const writable = new WritableStream<StreamTargetChunk>({
    async write(chunk) {
      if (chunk.position !== position) {
        await file.seek(chunk.position, Deno.SeekMode.Start);
      }
      await writeAll(file, chunk.data);
      position = chunk.position + chunk.data.length;
      end = Math.max(end, position);
      if (current === partial && watch.observe(chunk.position, chunk.data)) await publish();
    },
  });
  const publish = async () => {
    if (current !== partial) return;
    try {
      await Deno.rename(partial, path);
    } catch (error) {
      throw new Mp4WriteError(path, openFailure(path, error), { cause: error });
    }
    current = path;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return {
    target: new StreamTarget(writable, { chunked: false }),
    bytesWritten: () => end,
    complete: publish,
    close,
    remove: async () => {
      close();
      await Deno.remove(current).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
  };
}

/** Why `Deno.open` could not create `path`, in words. */
function openFailure(path: string, error: unknown): string {
  if (error instanceof Deno.errors.NotFound) {
    return `its directory ${dirname(path)} does not exist`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `permission denied (${(error as Error).message})`;
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (error instanceof Deno.errors.NotADirectory) {
    return `its directory ${dirname(path)} is not a directory`;
  }
  return (error as Error).message;
}
