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
} from "../mod.ts";
import { H264Encoder as NativeH264Encoder } from "../ffi/h264_encoder.ts";
import { UnsupportedPlatformError } from "../ffi/media_errors.ts";
import type { H264EncoderTypes } from "./h264_encoder.gen.ts";

/**
 * Config of {@linkcode H264Encoder}.
 *
 * @example Encode with OpenH264 at 500 kbit/s, a keyframe every second
 * ```ts
 * import { createRuntime, H264Encoder, type H264EncoderConfig, NullSink, TestPattern } from "@streamlib/streamlib/processors";
 *
 * const config: Partial<H264EncoderConfig> = { backend: "openh264", bitrate: 500_000, keyframeInterval: 30 };
 * const rt = createRuntime();
 * const pattern = rt.add(TestPattern, { width: 320, height: 240, fps: 30, pixelFormat: "I420" });
 * const encoder = rt.add(H264Encoder, config, { id: "enc" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(pattern.outputs.video, encoder.inputs.in);
 * rt.connect(encoder.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 100)); // about 3 frames
 * await rt.stop();
 * console.log(rt.describe().nodes.find((n) => n.id === "enc")?.config);
 * // {
 * //   backend: "openh264",
 * //   bitrate: 500000,
 * //   fps: 30,
 * //   keyframeInterval: 30,
 * //   profile: "baseline",
 * //   level: "auto",
 * //   lowLatency: true
 * // }
 * console.log(rt.stats().nodes.sink.framesIn > 0); // true
 * ```
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
  profile: "baseline" | "main" | "high";
  /**
   * H.264 level, or `auto`. VideoToolbox has constants only for 1.3 (baseline) and 3 to 5.2: the
   * `videotoolbox` backend refuses other levels with `UnsupportedError`, and `auto` falls back to
   * OpenH264 for them.
   *
   * @default "auto"
   */
  level:
    | "auto"
    | "1b"
    | "1"
    | "1.1"
    | "1.2"
    | "1.3"
    | "2"
    | "2.1"
    | "2.2"
    | "3"
    | "3.1"
    | "3.2"
    | "4"
    | "4.1"
    | "4.2"
    | "5"
    | "5.1"
    | "5.2";
  /**
   * Real-time mode: no look-ahead or frame reordering, one access unit per frame right away.
   *
   * @default true
   */
  lowLatency: boolean;
}

/**
 * Encodes video to H.264 in native code (no pixel copy through JS), one access unit per frame.
 *
 * The encoder is created for the size of the first frame; frames of another size are dropped and
 * counted in {@linkcode H264Encoder.droppedFrames} (put a `VideoScale` in front). Frames in RGBA
 * and BGRA are converted to I420 natively; I420 and NV12 go in as they are. Output access units
 * are Annex B; keyframes carry SPS and PPS, so a muxer or decoder can start at any of them. Each
 * output frame owns a copy of its access unit (encoded sizes vary, so they are not pooled).
 *
 * @example Encode one test-pattern frame
 * ```ts
 * import { connectLocal, type EncodedVideoFrame, InputBinding, monotonicClock } from "@streamlib/streamlib";
 * import { h264EncoderNode, testPatternNode } from "@streamlib/streamlib/processors";
 *
 * const patternPorts = testPatternNode.ports();
 * const pattern = testPatternNode.create({ width: 64, height: 48, pixelFormat: "I420" }, patternPorts);
 * const ports = h264EncoderNode.ports();
 * const encoder = h264EncoderNode.create({ backend: "openh264" }, ports);
 * const sink = new InputBinding<EncodedVideoFrame>("sink", "EncodedVideoFrame");
 * connectLocal(patternPorts.output("video"), ports.input("in"));
 * connectLocal(ports.output("out"), sink);
 * const ctx = { node: "enc", clock: monotonicClock };
 * pattern.setup(ctx);
 * encoder.setup(ctx);
 * pattern.process(ctx);
 * encoder.process(ctx);
 * console.log(sink.read()?.keyframe); // true
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

  #encoder: NativeH264Encoder | undefined;
  #buffer = new Uint8Array(0);
  #dropped = 0;
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
   * Checks the backend exists on this OS; the encoder itself is made for the first frame's size.
   *
   * @param _ctx The node's name and clock.
   * @throws {UnsupportedPlatformError} For `videotoolbox` off macOS.
   */
  override setup(_ctx: SetupContext): void {
    this.teardown();
    if (this.config.backend === "videotoolbox" && Deno.build.os !== "darwin") {
      throw new UnsupportedPlatformError("the videotoolbox H.264 encoder", Deno.build.os, [
        "darwin",
      ]);
    }
    this.#dropped = 0;
    this.#encoded = 0;
  }

  /**
   * Encodes every frame waiting on `in`.
   *
   * @param _ctx The node's name and clock.
   */
  process(_ctx: ProcessContext): void {
    let frame;
    // At most one access unit per frame: read only what the output takes now (back-pressure).
    while (this.outputs.out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const encoder = this.#encoder ?? this.#open(frame);
      if (frame.width !== encoder.width || frame.height !== encoder.height) {
        this.#dropped++;
        continue;
      }
      const n = encoder.encode(frame, this.#buffer);
      if (n === 0) continue;
      const encoded: EncodedVideoFrame = {
        kind: "encoded-video",
        codec: "h264",
        keyframe: encoder.keyframe,
        timestampNs: frame.timestampNs,
        frameNumber: frame.frameNumber,
        data: this.#buffer.slice(0, n),
      };
      this.#encoded++;
      this.outputs.out.write(encoded);
    }
  }

  /** Frees the native encoder. Idempotent. */
  override teardown(): void {
    this.#encoder?.close();
    this.#encoder = undefined;
  }

  #open(frame: VideoFrame): NativeH264Encoder {
    const { backend, bitrate, fps, keyframeInterval, profile, level, lowLatency } = this.config;
    const encoder = NativeH264Encoder.create({
      width: frame.width,
      height: frame.height,
      backend,
      bitrate,
      fps,
      keyframeInterval,
      profile,
      level,
      lowLatency,
    });
    this.#buffer = new Uint8Array(encoder.maxAccessUnitBytes);
    this.#encoder = encoder;
    return encoder;
  }
}
