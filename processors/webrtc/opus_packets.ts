/**
 * Cuts audio blocks of any length into 20 ms Opus packets (libopus takes whole frames only).
 *
 * @module
 */

import type { AudioFrame } from "../../core/frames/audio_frame.ts";
import { OPUS_MAX_PACKET_BYTES, OpusEncoder } from "../../ffi/media/opus_encoder.ts";

/** A jump forward in the blocks' timestamps this large or larger is padded with silence. */
const MIN_GAP_NS = 1_000_000;

/**
 * 20 ms Opus packets from audio blocks: samples are gathered until a packet is full, each packet
 * carries the presentation time of its first sample. A block stamped 1 ms or more after the point
 * the packet being filled has reached (the source skipped time) pads that packet with silence up
 * to it, so every sample keeps its time within a sample. The encoder is made for the first
 * block's rate and channels; blocks of another format are refused (counted by the caller).
 *
 * @example Two 10 ms blocks make one packet
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpusPackets } from "./opus_packets.ts";
 *
 * using packets = new OpusPackets(64_000);
 * const block = (t: number) => ({
 *   kind: "audio" as const, channels: 1, sampleRate: 48_000, frameCount: 480,
 *   samples: new Float32Array(480), timestampNs: t, frameNumber: 0,
 * });
 * const out: number[] = [];
 * packets.add(block(0), (_packet, t) => out.push(t));
 * assert.equal(out.length, 0);
 * packets.add(block(10e6), (_packet, t) => out.push(t));
 * assert.deepEqual(out, [0]);
 * ```
 */
export class OpusPackets {
  readonly #bitrate: number;
  #encoder: OpusEncoder | undefined;
  #block = new Float32Array(0);
  #fill = 0;
  #blockStartNs = 0;
  /** Where the packet after the last one encoded starts. */
  #nextStartNs = 0;
  #gapsBridged = 0;
  readonly #packet = new Uint8Array(OPUS_MAX_PACKET_BYTES);

  /**
   * Creates the packetizer.
   *
   * @param bitrate Opus bit rate in bits per second.
   */
  constructor(bitrate: number) {
    this.#bitrate = bitrate;
  }

  /**
   * Adds one block; calls `emit` for each packet it completes (the packet is valid only during
   * the call).
   *
   * @param frame Interleaved samples at 8, 12, 16, 24 or 48 kHz, one or two channels.
   * @param emit Receives each packet and its presentation time in ns.
   * @returns `false` when the block's format differs from the first block's (it is skipped).
   * @throws {InvalidArgumentError} For a rate or channel count libopus does not take.
   */
  add(frame: AudioFrame, emit: (packet: Uint8Array, timestampNs: number) => void): boolean {
    const encoder = this.#encoder ??= this.#open(frame);
    if (frame.sampleRate !== encoder.sampleRate || frame.channels !== encoder.channels) {
      return false;
    }
    const channels = encoder.channels;
    const nsPerFrame = 1e9 / encoder.sampleRate;
    this.#bridgeGap(frame.timestampNs, nsPerFrame, channels, emit);
    let offset = 0;
    const samples = frame.samples.subarray(0, frame.frameCount * channels);
    while (offset < samples.length) {
      if (this.#fill === 0) this.#blockStartNs = frame.timestampNs + offset / channels * nsPerFrame;
      const take = Math.min(samples.length - offset, this.#block.length - this.#fill);
      this.#block.set(samples.subarray(offset, offset + take), this.#fill);
      this.#fill += take;
      offset += take;
      if (this.#fill === this.#block.length) {
        const n = encoder.encode(this.#block, this.#packet);
        this.#fill = 0;
        this.#nextStartNs = this.#blockStartNs + this.#block.length / channels * nsPerFrame;
        if (n > 0) emit(this.#packet.subarray(0, n), this.#blockStartNs);
      }
    }
    return true;
  }

  /**
   * When a block starts later than the packet being filled continues (the source skipped
   * time), pads that packet with silence up to the block's time, or to its end, so no sample of
   * the block is stamped earlier than it was made; a packet then starts at the block.
   */
  /**
   * At the end of the stream: encodes the partial packet padded with silence, then silence until
   * the encoder's lookahead (`preSkip`) has come out, so the last samples added are in the packets
   * emitted. Nothing before the first `add()`.
   *
   * @param emit Receives each packet (a view, valid until the next call) and its start time.
   */
  flush(emit: (packet: Uint8Array, timestampNs: number) => void): void {
    const encoder = this.#encoder;
    if (encoder === undefined) return;
    const channels = encoder.channels;
    const blockFrames = this.#block.length / channels;
    const nsPerFrame = 1e9 / encoder.sampleRate;
    if (this.#fill === 0) this.#blockStartNs = this.#nextStartNs;
    let left = this.#fill / channels + encoder.preSkip; // frames still inside
    while (left > 0) {
      this.#block.fill(0, this.#fill);
      this.#fill = 0;
      const n = encoder.encode(this.#block, this.#packet);
      if (n > 0) emit(this.#packet.subarray(0, n), this.#blockStartNs);
      this.#blockStartNs += blockFrames * nsPerFrame;
      left -= blockFrames;
    }
    this.#nextStartNs = this.#blockStartNs;
  }

  #bridgeGap(
    timestampNs: number,
    nsPerFrame: number,
    channels: number,
    emit: (packet: Uint8Array, timestampNs: number) => void,
  ): void {
    if (this.#fill === 0) return;
    const continuesNs = this.#blockStartNs + (this.#fill / channels) * nsPerFrame;
    const gapFrames = Math.round((timestampNs - continuesNs) / nsPerFrame);
    if (gapFrames * nsPerFrame < MIN_GAP_NS) return;
    const pad = Math.min(gapFrames * channels, this.#block.length - this.#fill);
    this.#block.fill(0, this.#fill, this.#fill + pad);
    this.#fill += pad;
    this.#gapsBridged++;
    if (this.#fill < this.#block.length) return;
    const n = this.#encoder!.encode(this.#block, this.#packet);
    this.#fill = 0;
    this.#nextStartNs = this.#blockStartNs + this.#block.length / channels * nsPerFrame;
    if (n > 0) emit(this.#packet.subarray(0, n), this.#blockStartNs);
  }

  /** Gaps in the blocks' timestamps (of 1 ms or more) padded with silence since creation. */
  get gapsBridged(): number {
    return this.#gapsBridged;
  }

  #open(frame: AudioFrame): OpusEncoder {
    const encoder = OpusEncoder.create({
      sampleRate: frame.sampleRate,
      channels: frame.channels,
      bitrate: this.#bitrate,
    });
    this.#block = new Float32Array(frame.sampleRate / 50 * frame.channels);
    return encoder;
  }

  /**
   * How far the encoder delays its output, in ns (its lookahead, the Ogg/MP4 pre-skip): a
   * decoder that does not skip it plays each sample this much after its packet's time; 0 before
   * the first block.
   */
  get preSkipNs(): number {
    const encoder = this.#encoder;
    return encoder ? (encoder.preSkip * 1e9) / encoder.sampleRate : 0;
  }

  /** Frees the encoder. Idempotent. */
  close(): void {
    this.#encoder?.close();
    this.#encoder = undefined;
    this.#fill = 0;
  }

  /** Same as {@linkcode OpusPackets.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
