/**
 * Audio blocks held by a processor until it decides what to do with them, their samples copied
 * into one ring of its own, so that holding them pins no frame of the runtime however small the
 * blocks or long the hold.
 *
 * @module
 */

import type { AudioFrame } from "../../core/frames/audio_frame.ts";

/** One held block: where it was on the input and on the caller's timeline. */
export interface HeldBlock {
  /** Its span on the caller's timeline (`[start, end)`). */
  readonly start: number;
  readonly end: number;
  /** The input block's frames, rate, timestamp and position in its stream. */
  readonly frameCount: number;
  readonly sampleRate: number;
  readonly timestampNs: number;
  readonly frameNumber: number;
  /** Frames of it the caller is done with (it resumes there). */
  done: number;
  /** Its first frame in the ring's stream. */
  readonly first: number;
}

/**
 * A queue of audio blocks of one channel count, oldest first, with their samples in a ring that
 * grows (doubling) only when the blocks held outgrow it.
 *
 * @example Hold two blocks, copy part of the first, let it go
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAudioFrame } from "../../core/frames/audio_frame.ts";
 * import { HeldAudio } from "./held_audio.ts";
 *
 * const held = new HeldAudio();
 * held.reset(1);
 * const a = createAudioFrame(1, 16_000, 4);
 * a.samples.set([1, 2, 3, 4]);
 * held.push(a, 0, 4);
 * held.push(createAudioFrame(1, 16_000, 4), 4, 8);
 * const out = new Float32Array(2);
 * held.copy(held.oldest!, 1, 3, out);
 * assert.deepEqual([...out], [2, 3]);
 * held.shift();
 * assert.equal(held.length, 1);
 * assert.equal(held.oldest!.start, 4);
 * ```
 */
export class HeldAudio {
  readonly #blocks: HeldBlock[] = [];
  #ring = new Float32Array(0);
  #channels = 1;
  /** Frames pushed since `reset()`. */
  #frames = 0;

  /** Blocks held. */
  get length(): number {
    return this.#blocks.length;
  }

  /** The oldest block held. */
  get oldest(): HeldBlock | undefined {
    return this.#blocks[0];
  }

  /** The blocks held, oldest first. */
  get blocks(): readonly HeldBlock[] {
    return this.#blocks;
  }

  /**
   * Lets every block go and starts a stream of `channels` channels (the ring is kept).
   *
   * @param channels Channels of the blocks to come.
   */
  reset(channels: number): void {
    this.#blocks.length = 0;
    this.#channels = channels;
    this.#frames = 0;
  }

  /**
   * Holds a copy of `frame` (of the channel count `reset()` was given).
   *
   * @param frame The block; it may be released once this returns.
   * @param start Its start on the caller's timeline.
   * @param end Its end on the caller's timeline.
   */
  push(frame: AudioFrame, start: number, end: number): void {
    const channels = this.#channels;
    const first = this.#frames;
    const oldest = this.#blocks.length > 0 ? this.#blocks[0].first : first;
    const needed = (first + frame.frameCount - oldest) * channels;
    if (needed > this.#ring.length) this.#grow(needed, oldest);
    this.#write(frame.samples.subarray(0, frame.frameCount * channels), first * channels);
    this.#frames += frame.frameCount;
    this.#blocks.push({
      start,
      end,
      frameCount: frame.frameCount,
      sampleRate: frame.sampleRate,
      timestampNs: frame.timestampNs,
      frameNumber: frame.frameNumber,
      done: 0,
      first,
    });
  }

  /** Lets the oldest block go. */
  shift(): void {
    this.#blocks.shift();
  }

  /**
   * Copies frames `[from, to)` of a held block, interleaved, into `into`.
   *
   * @param block A block held.
   * @param from Its first frame to copy.
   * @param to The frame after its last.
   * @param into At least `(to - from) * channels` samples.
   */
  copy(block: HeldBlock, from: number, to: number, into: Float32Array): void {
    const ring = this.#ring;
    const channels = this.#channels;
    let at = ((block.first + from) * channels) % ring.length;
    let n = (to - from) * channels;
    let out = 0;
    while (n > 0) {
      const run = Math.min(n, ring.length - at);
      into.set(ring.subarray(at, at + run), out);
      out += run;
      n -= run;
      at = 0;
    }
  }

  /** Writes `samples` at absolute sample `position`, wrapping. */
  #write(samples: Float32Array, position: number): void {
    const ring = this.#ring;
    let at = position % ring.length;
    let done = 0;
    while (done < samples.length) {
      const run = Math.min(samples.length - done, ring.length - at);
      ring.set(samples.subarray(done, done + run), at);
      done += run;
      at = 0;
    }
  }

  /** A ring of at least `needed` samples holding the samples from frame `oldest` on. */
  #grow(needed: number, oldest: number): void {
    const old = this.#ring;
    let size = Math.max(old.length, 4096);
    while (size < needed) size *= 2;
    this.#ring = new Float32Array(size);
    const channels = this.#channels;
    const held = (this.#frames - oldest) * channels;
    if (held > 0) {
      const keep = new Float32Array(held);
      let at = (oldest * channels) % old.length;
      let out = 0;
      while (out < held) {
        const run = Math.min(held - out, old.length - at);
        keep.set(old.subarray(at, at + run), out);
        out += run;
        at = 0;
      }
      this.#write(keep, oldest * channels);
    }
  }
}
