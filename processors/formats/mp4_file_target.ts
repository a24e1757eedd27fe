/**
 * A mediabunny `StreamTarget` that writes straight into a file, chunk by chunk as the muxer
 * hands them over (no in-memory accumulation), so everything the muxer has finished is on disk:
 * with fragmented MP4 that is every complete fragment.
 *
 * @module
 */

import { StreamTarget, type StreamTargetChunk } from "mediabunny";
import { writeAll } from "./file_io.ts";

/** A target and the file it writes. */
export interface Mp4FileTarget {
  /** Give this to `new Output({ target })`. */
  readonly target: StreamTarget;
  /** Bytes written so far (the end of the furthest write). */
  readonly bytesWritten: () => number;
  /** Closes the file (after `output.finalize()` or `cancel()`); idempotent. */
  readonly close: () => void;
}

/**
 * Creates (or truncates) `path` and returns a target writing into it.
 *
 * @param path The file.
 * @returns The target, a byte counter and a close function.
 * @throws {Deno.errors.NotFound} When the directory does not exist (and other open errors).
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
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
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
  return {
    target: new StreamTarget(writable, { chunked: false }),
    bytesWritten: () => end,
    close: () => {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
}
