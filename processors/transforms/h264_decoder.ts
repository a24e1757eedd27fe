/**
 * The {@linkcode H264Decoder} processor.
 *
 * @module
 */

import {
  type EncodedVideoFrame,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import type { OwnedVideoFrame } from "../../core/frames/owned_frame.ts";
import { CodecError } from "../../ffi/native/errors.ts";
import type { H264Decoder as NativeH264Decoder } from "../../ffi/media/h264_decoder.ts";
import type { H264DecoderTypes } from "./h264_decoder.gen.ts";

/**
 * Decodes H.264 access units (Annex B, as `H264Encoder` and `Mp4FileSource` produce them) to I420
 * frames with OpenH264 in native code.
 *
 * Each picture carries the timestamp and frame number of the access unit it came from, in display
 * order. A stream must start at a keyframe; access units that cannot be decoded (a corrupt one,
 * or deltas before the first keyframe) are skipped and counted in
 * {@linkcode H264Decoder.decodeErrors}, and decoding resumes at the next keyframe. The decoder
 * writes each picture straight into a frame from `ctx.frames` (a frame-pool slot when the graph
 * spans Workers, so it crosses by reference). Once the picture size is known, memory for the next
 * picture is taken before an access unit is read, so when no frame memory is free the units wait
 * on their connection (back-pressure) instead of being lost; a picture whose size changed and finds
 * no memory is dropped and counted in {@linkcode H264Decoder.droppedFrames}.
 *
 * @example Decode what the encoder made of three test-pattern frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectLocal, createProcessContext, InputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { h264DecoderNode } from "./h264_decoder.gen.ts";
 * import { h264EncoderNode } from "./h264_encoder.gen.ts";
 * import { testPatternNode } from "../sources/test_pattern.gen.ts";
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
 * const ctx = createProcessContext("codec");
 * for (const node of [pattern, encoder, decoder]) await node.setup(ctx);
 * for (let i = 0; i < 3; i++) {
 *   pattern.process(ctx);
 *   encoder.process(ctx);
 *   decoder.process(ctx);
 *   ctx.frames.flush(); // what the runtime does when each process() returns
 * }
 * const first = sink.read()!;
 * assert.deepEqual([first.width, first.height, first.format, first.frameNumber], [64, 48, "I420", 0]);
 * assert.deepEqual([decoder.decodedFrames, decoder.decodeErrors], [3, 0]);
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
  #errors = 0;
  #dropped = 0;
  #waitForKeyframe = true;
  #decoded = 0;
  #frameNumbers = new Map<number, number>();

  /** Access units that could not be decoded. */
  get decodeErrors(): number {
    return this.#errors;
  }

  /** Pictures dropped because no frame memory was free for a picture of a new size. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /** Pictures written. */
  get decodedFrames(): number {
    return this.#decoded;
  }

  /**
   * Creates the native decoder (its module is imported on first use, so a program that never
   * decodes does not load it).
   *
   * @param _ctx The node's name and clock.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.teardown();
    const { H264Decoder: NativeH264Decoder } = await import("../../ffi/media/h264_decoder.ts");
    this.#decoder = NativeH264Decoder.create();
    this.#errors = 0;
    this.#dropped = 0;
    this.#decoded = 0;
    this.#waitForKeyframe = true;
  }

  /**
   * Decodes every access unit waiting on `in` and writes the pictures that come out.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    const decoder = this.#decoder;
    if (!decoder) return;
    let spare: OwnedVideoFrame | undefined;
    // At most one picture per access unit: read only what the output takes now.
    while (this.outputs.out.space > 0 && this.inputs.in.available > 0) {
      // Memory for the next picture before its unit is read (back-pressure, nothing lost); the
      // size is known from the first picture on.
      if (spare === undefined && decoder.width > 0) {
        spare = ctx.frames.video({ format: "I420", width: decoder.width, height: decoder.height });
        if (spare === undefined) return; // the runtime runs the node again once memory is freed
      }
      const unit = this.inputs.in.read();
      if (unit === undefined) return;
      // The unit goes into the decoder (or is skipped) now: a later allocation of this run that
      // finds no memory must not give it back to be decoded twice.
      ctx.frames.consume(unit);
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
      if (!ready) continue;
      let frame = spare;
      if (frame === undefined || frame.width !== decoder.width || frame.height !== decoder.height) {
        frame = ctx.frames.video({ format: "I420", width: decoder.width, height: decoder.height });
      }
      spare = undefined;
      if (frame === undefined) {
        ctx.frames.drop(unit); // a picture of a new size found no memory: counted
        this.#dropped++;
        return;
      }
      this.#emit(decoder, frame);
    }
  }

  /** Frees the native decoder. Idempotent. */
  override teardown(): void {
    this.#decoder?.close();
    this.#decoder = undefined;
    this.#frameNumbers.clear();
  }

  #emit(decoder: NativeH264Decoder, frame: OwnedVideoFrame): void {
    decoder.read(frame.data);
    frame.timestampNs = decoder.timestampNs;
    frame.frameNumber = this.#frameNumbers.get(decoder.timestampNs) ?? this.#decoded;
    this.#frameNumbers.delete(decoder.timestampNs);
    this.#decoded++;
    this.outputs.out.write(frame);
  }
}
