/**
 * The {@linkcode H264Decoder} processor.
 *
 * @module
 */

import {
  type EncodedVideoFrame,
  type FrameAllocator,
  input,
  type InputPort,
  output,
  type OutputPort,
  PlainFrameAllocator,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../mod.ts";
import { CodecError } from "../ffi/errors.ts";
import { H264Decoder as NativeH264Decoder } from "../ffi/h264_decoder.ts";
import type { H264DecoderTypes } from "./h264_decoder.gen.ts";

/** Frames that stay valid: keep downstream connection capacities below this minus one. */
const POOL_SIZE = 8;

/**
 * Decodes H.264 access units (Annex B, as `H264Encoder` and `Mp4FileSource` produce them) to I420
 * frames with OpenH264 in native code.
 *
 * Each picture carries the timestamp and frame number of the access unit it came from, in display
 * order. A stream must start at a keyframe; access units that cannot be decoded (a corrupt one,
 * or deltas before the first keyframe) are skipped and counted in
 * {@linkcode H264Decoder.decodeErrors}, and decoding resumes at the next keyframe. Output frames
 * come from the runtime's frame allocator (`ctx.frameAllocator`; the decoder writes each picture
 * straight into the frame's memory, a frame-pool slot when the graph spans Workers) with 8 valid
 * at a time; when no frame memory is free the picture is dropped and counted in
 * {@linkcode H264Decoder.droppedFrames}.
 *
 * @example Decode what the encoder made of three test-pattern frames
 * ```ts
 * import { connectLocal, InputBinding, monotonicClock, type VideoFrame } from "@streamlib/streamlib";
 * import { h264DecoderNode, h264EncoderNode, testPatternNode } from "@streamlib/streamlib/processors";
 *
 * const patternPorts = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "I420" }, patternPorts);
 * const encoderPorts = h264EncoderNode.ports();
 * const encoder = h264EncoderNode.create({ backend: "openh264" }, encoderPorts);
 * const ports = h264DecoderNode.ports();
 * const decoder = h264DecoderNode.create({}, ports);
 * const sink = new InputBinding<VideoFrame>("sink", "VideoFrame");
 * connectLocal(patternPorts.output("video"), encoderPorts.input("in"));
 * connectLocal(encoderPorts.output("out"), ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "codec", clock: monotonicClock };
 * for (const node of [pattern, encoder, decoder]) node.setup(ctx);
 * for (let i = 0; i < 3; i++) {
 *   pattern.process(ctx);
 *   encoder.process(ctx);
 *   decoder.process(ctx);
 * }
 * const first = sink.read()!;
 * console.log(first.width, first.height, first.format, first.frameNumber); // 64 48 I420 0
 * console.log(decoder.decodedFrames, decoder.decodeErrors); // 3 0
 * for (const node of [pattern, encoder, decoder]) node.teardown();
 * ```
 */
@processor({ tags: ["video", "codec", "decoder"], mode: "push" })
export class H264Decoder extends Processor<H264DecoderTypes> {
  /** H.264 access units in decode order. */
  @input({ required: true })
  in!: InputPort<EncodedVideoFrame>;

  /** The decoded pictures, I420. */
  @output()
  out!: OutputPort<VideoFrame>;

  #decoder: NativeH264Decoder | undefined;
  #allocator: FrameAllocator | undefined;
  #errors = 0;
  #dropped = 0;
  #waitForKeyframe = true;
  #decoded = 0;
  #frameNumbers = new Map<number, number>();

  /** Access units that could not be decoded. */
  get decodeErrors(): number {
    return this.#errors;
  }

  /** Pictures dropped because the frame allocator had no memory free. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /** Pictures written. */
  get decodedFrames(): number {
    return this.#decoded;
  }

  /**
   * Creates the native decoder and the frame allocator.
   *
   * @param ctx The node's name, clock and frame allocator.
   */
  override setup(ctx: SetupContext): void {
    this.teardown();
    this.#decoder = NativeH264Decoder.create();
    this.#allocator = ctx.frameAllocator?.(POOL_SIZE) ??
      new PlainFrameAllocator({ hold: POOL_SIZE });
    this.#errors = 0;
    this.#dropped = 0;
    this.#decoded = 0;
    this.#waitForKeyframe = true;
  }

  /**
   * Decodes every access unit waiting on `in` and writes the pictures that come out.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    const decoder = this.#decoder;
    if (!decoder) return;
    let unit;
    // At most one picture per access unit: read only what the output takes now.
    while (this.outputs.out.space > 0 && (unit = this.inputs.in.read()) !== undefined) {
      if (this.#waitForKeyframe && !unit.keyframe) {
        this.#errors++;
        continue;
      }
      this.#waitForKeyframe = false;
      let ready;
      try {
        // Pictures come out in display order: remember which frame number each time had.
        if (this.#frameNumbers.size > 64) this.#frameNumbers.clear();
        this.#frameNumbers.set(unit.timestampNs, unit.frameNumber);
        ready = decoder.decode(unit.data, unit.timestampNs);
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
        this.#errors++;
        this.#waitForKeyframe = true;
        continue;
      }
      if (ready) this.#emit(decoder);
    }
  }

  /** Frees the native decoder and gives the frame allocator back. Idempotent. */
  override teardown(): void {
    this.#decoder?.close();
    this.#decoder = undefined;
    this.#allocator?.close();
    this.#allocator = undefined;
    this.#frameNumbers.clear();
  }

  #emit(decoder: NativeH264Decoder): void {
    this.#allocator!.fit(this.outputs.out.capacity);
    const frame = this.#allocator!.allocateVideo("I420", decoder.width, decoder.height);
    if (!frame) {
      this.#dropped++;
      return;
    }
    decoder.read(frame.data);
    frame.timestampNs = decoder.timestampNs;
    frame.frameNumber = this.#frameNumbers.get(decoder.timestampNs) ?? this.#decoded;
    this.#frameNumbers.delete(decoder.timestampNs);
    this.#decoded++;
    this.outputs.out.write(frame);
  }
}
