/**
 * The {@linkcode H264Encoder} processor.
 *
 * @module
 */

import {
  config,
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
import type {
  H264Encoder as NativeH264Encoder,
  H264Level,
  H264Profile,
} from "../../ffi/media/h264_encoder.ts";
import type { H264EncoderTypes } from "./h264_encoder.gen.ts";

/**
 * Config of {@linkcode H264Encoder}.
 */
export interface H264EncoderConfig {
  /**
   * Implementation: `auto` tries the hardware encoder first (VideoToolbox on macOS) and falls
   * back to OpenH264; `videotoolbox` is macOS only; `openh264` runs everywhere.
   *
   * @default "auto"
   */
  backend: "auto" | "videotoolbox" | "openh264";
  /**
   * Target bit rate in bits per second; the bounds are the native encoder's (`H264_BITRATE_MIN`
   * and `H264_BITRATE_MAX` of the ffi module).
   *
   * @integer
   * @minimum 1000
   * @maximum 800000000
   * @default 2000000
   */
  bitrate: number;
  /**
   * The frame rate rate control plans for (timestamps come from the frames).
   *
   * @exclusiveMinimum 0
   * @maximum 240
   * @default 30
   */
  fps: number;
  /**
   * A keyframe every this many frames; 0 for only the first.
   *
   * @integer
   * @minimum 0
   * @maximum 100000
   * @default 60
   */
  keyframeInterval: number;
  /**
   * H.264 profile; `baseline` decodes everywhere.
   *
   * @default "baseline"
   */
  profile: H264Profile;
  /**
   * H.264 level, or `auto`. VideoToolbox has constants only for 1.3 (baseline) and 3 to 5.2: the
   * `videotoolbox` backend refuses other levels with `UnsupportedError`, and `auto` falls back to
   * OpenH264 for them.
   *
   * @default "auto"
   */
  level: H264Level;
  /**
   * Real-time mode: no look-ahead or frame reordering, one access unit per frame right away.
   *
   * @default true
   */
  lowLatency: boolean;
  /**
   * Encoding threads: OpenH264 cuts each picture into this many slices and encodes them in
   * parallel (no added delay; a slightly larger output at the same bit rate); 0 is one per core,
   * at most 4. VideoToolbox ignores it.
   *
   * @integer
   * @minimum 0
   * @maximum 4
   * @default 1
   */
  threads: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Encodes video to H.264 in native code (no pixel copy through JS), one access unit per frame.
 *
 * The encoder is created for the size of the first frame; frames of another size are dropped and
 * counted in {@linkcode H264Encoder.droppedFrames} and the node's `framesDropped` stat (put a
 * `VideoScale` in front). Frames in RGBA
 * and BGRA are converted to I420 natively; I420 and NV12 go in as they are. Output access units
 * are Annex B; keyframes carry SPS and PPS, so a muxer or decoder can start at any of them. Each
 * access unit goes out in a frame from `ctx.frames` (reference-counted: it crosses to a Worker or a
 * native plugin by reference); when no frame memory is free the access unit waits and goes out
 * first on the next run, so none is lost.
 *
 * @example Encode one test-pattern frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { connectLocal, type EncodedVideoFrame, InputBinding, monotonicClock } from "@streamlib/streamlib";
 * import { h264EncoderNode } from "./h264_encoder.gen.ts";
 * import { testPatternNode } from "../sources/test_pattern.gen.ts";
 *
 * const patternPorts = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "I420" }, patternPorts);
 * const ports = h264EncoderNode.ports();
 * const encoder = h264EncoderNode.create({ backend: "openh264" }, ports);
 * const sink = new InputBinding<EncodedVideoFrame>("sink", "EncodedVideoFrame");
 * connectLocal(patternPorts.output("video"), ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = createProcessContext("enc");
 * await pattern.setup(ctx);
 * await encoder.setup(ctx);
 * pattern.process(ctx);
 * encoder.process(ctx);
 * assert.ok(sink.read()?.keyframe);
 * encoder.teardown();
 * ```
 */
@processor({ tags: ["video", "codec", "encoder"], mode: "push" })
export class H264Encoder extends Processor<H264EncoderTypes> {
  /** Video to encode: RGBA, BGRA, I420 or NV12, tightly packed rows. */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** H.264 access units (Annex B), one per input frame. */
  @output()
  out!: OutputPort<EncodedVideoFrame>;

  /** Backend, rate control, keyframes, profile and latency. */
  @config()
  config!: H264EncoderConfig;

  #native: typeof NativeH264Encoder | undefined;
  #encoder: NativeH264Encoder | undefined;
  #buffer = new Uint8Array(0);
  #dropped = 0;
  #pending: Uint8Array = EMPTY;
  #pendingMeta = { keyframe: false, timestampNs: 0, frameNumber: 0 };
  #encoded = 0;

  /** Frames dropped because their size differs from the first frame's. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /** Access units written. */
  get encodedFrames(): number {
    return this.#encoded;
  }

  /** The backend encoding (`undefined` before the first frame). */
  get backend(): "openh264" | "videotoolbox" | undefined {
    return this.#encoder?.backend;
  }

  /**
   * Checks the backend exists on this OS and imports the native encoder (on first use, so a
   * program that never encodes does not load it); the encoder itself is made for the first
   * frame's size.
   *
   * @param _ctx The node's name and clock.
   * @throws {UnsupportedPlatformError} For `videotoolbox` off macOS.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    this.teardown();
    if (this.config.backend === "videotoolbox" && Deno.build.os !== "darwin") {
      const { UnsupportedPlatformError } = await import("../../ffi/media/media_errors.ts");
      throw new UnsupportedPlatformError("the videotoolbox H.264 encoder", Deno.build.os, [
        "darwin",
      ]);
    }
    this.#dropped = 0;
    this.#encoded = 0;
    this.#pending = EMPTY;
    this.#native = (await import("../../ffi/media/h264_encoder.ts")).H264Encoder;
  }

  /**
   * Encodes every frame waiting on `in`.
   *
   * @param ctx The node's name, clock and frames.
   */
  process(ctx: ProcessContext): void {
    // An access unit encoded when no frame memory was free goes out first (back-pressure: the
    // runtime ran us again once memory was freed), so none is ever lost.
    if (this.#pending.length > 0 && !this.#emit(ctx, this.#pending.length)) return;
    let frame;
    // At most one access unit per frame: read only what the output takes now (back-pressure).
    while (this.outputs.out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const encoder = this.#encoder ?? this.#open(frame);
      if (frame.width !== encoder.width || frame.height !== encoder.height) {
        ctx.frames.drop(frame); // counted in the node's stats too
        this.#dropped++;
        continue;
      }
      // A reader's keyframe request (a WebRTC viewer's PLI/FIR, a new viewer) makes this
      // picture an IDR one.
      const n = encoder.encode(frame, this.#buffer, this.outputs.out.takeKeyframeRequest());
      if (n === 0) continue;
      this.#pendingMeta = {
        keyframe: encoder.keyframe,
        timestampNs: frame.timestampNs,
        frameNumber: frame.frameNumber,
      };
      if (!this.#emit(ctx, n)) {
        // No frame memory for the access unit (rare): it is kept here and goes out first next
        // run; the picture went into the encoder, so it must not come back to be encoded again.
        ctx.frames.consume(frame);
        this.#pending = this.#buffer.slice(0, n);
        return;
      }
    }
  }

  /** Writes `n` bytes of access unit (the pending one, or the buffer's) to `out`. */
  #emit(ctx: ProcessContext, n: number): boolean {
    const encoded = ctx.frames.encoded({ codec: "h264", byteLength: n });
    if (encoded === undefined) return false;
    const source = this.#pending.length > 0 ? this.#pending : this.#buffer;
    encoded.data.set(source.subarray(0, n));
    encoded.keyframe = this.#pendingMeta.keyframe;
    encoded.timestampNs = this.#pendingMeta.timestampNs;
    encoded.frameNumber = this.#pendingMeta.frameNumber;
    this.#pending = EMPTY;
    this.#encoded++;
    this.outputs.out.write(encoded);
    return true;
  }

  /** Frees the native encoder. Idempotent. */
  override teardown(): void {
    this.#encoder?.close();
    this.#encoder = undefined;
  }

  #open(frame: VideoFrame): NativeH264Encoder {
    const { backend, bitrate, fps, keyframeInterval, profile, level, lowLatency, threads } =
      this.config;
    const encoder = this.#native!.create({
      width: frame.width,
      height: frame.height,
      backend,
      bitrate,
      fps,
      keyframeInterval,
      profile,
      level,
      lowLatency,
      threads,
    });
    this.#buffer = new Uint8Array(encoder.maxAccessUnitBytes);
    this.#encoder = encoder;
    return encoder;
  }
}
