/**
 * {@linkcode FirstFragmentWatch}: notices, from the bytes a fragmented-MP4 muxer writes, when the
 * file first becomes playable (its first `mdat` box is complete).
 *
 * @module
 */

/**
 * Follows the top-level boxes (`ftyp`, `moov`, `moof`, `mdat`, ...) of a file written front to
 * back, reading only their 8- or 16-byte headers out of the written chunks, and reports when the
 * first `mdat` box is complete: from then on a fragmented MP4 has its `moov` and one whole
 * fragment, so players open it. Chunks may split a header; bytes written behind the scan point
 * (a patch) are ignored.
 *
 * @example A file is playable once its first mdat ends
 * ```ts
 * import assert from "node:assert/strict";
 * import { FirstFragmentWatch } from "./mp4_first_fragment.ts";
 *
 * const box = (type: string, size: number) => {
 *   const bytes = new Uint8Array(size);
 *   new DataView(bytes.buffer).setUint32(0, size);
 *   bytes.set(new TextEncoder().encode(type), 4);
 *   return bytes;
 * };
 * const watch = new FirstFragmentWatch();
 * assert.equal(watch.observe(0, box("ftyp", 28)), false);
 * const mdat = box("mdat", 100);
 * assert.equal(watch.observe(28, mdat.subarray(0, 60)), false);
 * assert.equal(watch.observe(88, mdat.subarray(60)), true);
 * ```
 */
export class FirstFragmentWatch {
  /** Offset of the next box header to read. */
  #next = 0;
  readonly #header = new Uint8Array(16);
  #have = 0;
  /** End of the first `mdat` box, once its header was read. */
  #mdatEnd: number | undefined;
  /** End of the bytes written contiguously from offset 0. */
  #written = 0;
  #lost = false;

  /** Whether the first `mdat` box is complete. */
  get complete(): boolean {
    return this.#mdatEnd !== undefined && this.#written >= this.#mdatEnd;
  }

  /**
   * Takes one chunk the muxer wrote.
   *
   * @param position Where in the file the chunk starts.
   * @param data Its bytes.
   * @returns {@linkcode FirstFragmentWatch.complete} after this chunk.
   */
  observe(position: number, data: Uint8Array): boolean {
    const end = position + data.length;
    if (position <= this.#written) this.#written = Math.max(this.#written, end);
    while (!this.#lost && this.#mdatEnd === undefined) {
      const at = this.#next + this.#have; // the next header byte wanted
      if (at < position || at >= end) break;
      const want = this.#have < 8 ? 8 : 16;
      const n = Math.min(want - this.#have, end - at);
      this.#header.set(data.subarray(at - position, at - position + n), this.#have);
      this.#have += n;
      if (this.#have < want) break;
      const view = new DataView(this.#header.buffer);
      let size = view.getUint32(0);
      if (size === 1) {
        if (this.#have < 16) continue; // a 64-bit size follows
        size = Number(view.getBigUint64(8));
      }
      if (size < 8) {
        this.#lost = true; // to the end of the file (0) or malformed: no box to wait for
        break;
      }
      const type = String.fromCharCode(...this.#header.subarray(4, 8));
      if (type === "mdat") this.#mdatEnd = this.#next + size;
      this.#next += size;
      this.#have = 0;
    }
    return this.complete;
  }
}
