/**
 * A mediabunny `StreamTarget` that writes straight into a file, chunk by chunk as the muxer
 * hands them over (no in-memory accumulation), so everything the muxer has finished is on disk:
 * with fragmented MP4 that is every complete fragment.
 *
 * @module
 */

import { dirname, extname } from "node:path";
import { StreamTarget, type StreamTargetChunk } from "mediabunny";
import { writeAll } from "./file_io.ts";
import { Mp4WriteError } from "./mp4_errors.ts";

/** A target and the file it writes. */
export interface Mp4FileTarget {
  /** Give this to `new Output({ target })`. */
  readonly target: StreamTarget;
  /** Bytes written so far (the end of the furthest write). */
  readonly bytesWritten: () => number;
  /** Closes the file (after `output.finalize()` or `cancel()`); idempotent. */
  readonly close: () => void;
  /** Closes the file and deletes it (a recording that holds nothing); idempotent. */
  readonly remove: () => Promise<void>;
}

/**
 * Creates (or truncates) `path` and returns a target writing into it.
 *
 * @param path The file.
 * @returns The target, a byte counter, and close and remove functions.
 * @throws {Mp4WriteError} When the file cannot be created: no such directory, no permission, a
 *   directory in the way.
 *
 * @example Open a target
 * ```ts
 * import { openMp4FileTarget } from "./mp4_file_target.ts";
 *
 * const path = await Deno.makeTempFile({ suffix: ".mp4" });
 * const file = await openMp4FileTarget(path);
 * console.log(file.bytesWritten()); // 0
 * file.close();
 * await Deno.remove(path);
 * ```
 */
export async function openMp4FileTarget(path: string): Promise<Mp4FileTarget> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true });
  } catch (error) {
    throw new Mp4WriteError(path, openFailure(path, error), { cause: error });
  }
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
    },
  });
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return {
    target: new StreamTarget(writable, { chunked: false }),
    bytesWritten: () => end,
    close,
    remove: async () => {
      close();
      await Deno.remove(path).catch((error) => {
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

/**
 * The first of `<name>-1<ext>`, `<name>-2<ext>`, ... that does not exist (`take.mp4` gives
 * `take-1.mp4`): where a writer records again without overwriting what it recorded before.
 *
 * @param path The path already used.
 * @returns A path next to it that does not exist.
 *
 * @example Pick the name after take.mp4
 * ```ts
 * import { nextFreePath } from "./mp4_file_target.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/take.mp4`, new Uint8Array(1));
 * await Deno.writeFile(`${dir}/take-1.mp4`, new Uint8Array(1));
 * console.log((await nextFreePath(`${dir}/take.mp4`)).endsWith("/take-2.mp4")); // true
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function nextFreePath(path: string): Promise<string> {
  const ext = extname(path);
  const stem = path.slice(0, path.length - ext.length);
  for (let n = 1;; n++) {
    const candidate = `${stem}-${n}${ext}`;
    try {
      await Deno.lstat(candidate);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return candidate;
      throw new Mp4WriteError(candidate, openFailure(candidate, error), { cause: error });
    }
  }
}
