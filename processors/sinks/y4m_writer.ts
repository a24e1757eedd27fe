/**
 * The {@linkcode Y4mWriter} processor.
 *
 * @module
 */

import { config, input, type InputPort, processor, type VideoFrame } from "../../mod.ts";
import type { Y4mWriter as Y4mFileWriter } from "../formats/y4m_writer.ts";
import type { BilinearScaler } from "../video/scale.ts";
import { FrameWriter } from "../base/frame_writer.ts";
import { UnconvertibleFrameError } from "../formats/writer_errors.ts";
import type { Y4mWriterTypes } from "./y4m_writer.gen.ts";

/** The longest gap in the timestamps covered by repeating the last picture, in seconds. */
const MAX_REPEAT_S = 60;

/**
 * Config of {@linkcode Y4mWriter}.
 *
 * @example Record 64x48 bars at 29.97 fps
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime, TestPattern, Y4mWriter, type Y4mWriterConfig } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const config: Y4mWriterConfig = { path: `${dir}/bars.y4m`, width: 64, height: 48, fps: 29.97 };
 * const rt = createRuntime();
 * const pattern = rt.add(TestPattern, { width: 64, height: 48, fps: 29.97 });
 * const writer = rt.add(Y4mWriter, config);
 * rt.connect(pattern.outputs.video, writer.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await rt.stop();
 * const file = await Deno.readFile(config.path);
 * assert.equal(new TextDecoder().decode(file.subarray(0, file.indexOf(10))), "YUV4MPEG2 W64 H48 F30000:1001 Ip A1:1 C420jpeg");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface Y4mWriterConfig {
  /**
   * The `.y4m` file to record to; created, or replaced if it exists. Later takes of the same node
   * (a restart, or the graph started again) go to `<name>-1.y4m`, `<name>-2.y4m`, ...
   *
   * @minLength 1
   */
  path: string;
  /**
   * Frame width in pixels written in the header; frames of another size are scaled to it.
   *
   * @integer
   * @minimum 2
   * @maximum 7680
   * @multipleOf 2
   * @default 640
   */
  width: number;
  /**
   * Frame height in pixels written in the header; frames of another size are scaled to it.
   *
   * @integer
   * @minimum 2
   * @maximum 4320
   * @multipleOf 2
   * @default 480
   */
  height: number;
  /**
   * Frames per second written in the header (`F`); 29.97 and the like become `30000:1001`, other
   * rates the closest fraction (12.5 is `25:2`, one frame an hour `1:3600`).
   *
   * @exclusiveMinimum 0
   * @maximum 240
   * @default 30
   */
  fps: number;
}

/**
 * Records video to a YUV4MPEG2 (`.y4m`) file, which FFmpeg, x264 and most video tools read.
 *
 * The file is created in `setup()` with its stream header (`C420jpeg`: centred chroma, as this
 * library's conversions produce). `process()` appends every waiting frame with async file I/O;
 * each frame is complete in the file when its write finishes, so a recording cut short loses at
 * most the frame being written. `teardown()` waits for pending writes and closes the file; it is
 * idempotent.
 *
 * Frames in any pixel format and size are accepted: RGBA, BGRA and NV12 are converted to I420
 * (BT.601 limited range), and frames whose size is not `width` x `height` are scaled to it
 * (bilinear, as `VideoScale`), into buffers kept from frame to frame. A frame that cannot be
 * converted (an odd size for a 4:2:0 format, or a payload shorter than its size) fails the node with
 * `UnconvertibleFrameError`, so no frame is ever dropped silently. Input frames must have tightly
 * packed rows. Each take after the first goes to the next free `<name>-N.y4m` (`TakePaths`). A
 * file that cannot be created (no such folder, a read-only disk) fails `setup()`, and a disk that
 * fills up fails the node, with `RecordingWriteError` (code `write_failed`) naming the file; the
 * file then ends at its last whole frame.
 *
 * Frames are placed by their timestamps on the file's `fps` timeline: a frame stamped a period or
 * more after the slot following the picture before it (its source fell behind and skipped time)
 * is preceded by that picture repeated over the gap (up to 60 s), counted in
 * {@linkcode Y4mWriter.repeatedFrames} (and `repeatedFrames` of the node's processor stats), so
 * the file keeps its sources' timing. A Y4M has no timestamps of its own, so frames stamped closer
 * together than the period are all kept (nothing recorded is lost).
 *
 * @example Record one grey frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProcessContext } from "@streamlib/streamlib";
 * import { connectLocal, monotonicClock, OutputBinding, type VideoFrame } from "@streamlib/streamlib";
 * import { y4mWriterNode } from "./y4m_writer.gen.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const ports = y4mWriterNode.ports();
 * const writer = y4mWriterNode.create({ path: `${dir}/grey.y4m`, width: 4, height: 2 }, ports);
 * const source = new OutputBinding<VideoFrame>("source", "VideoFrame");
 * connectLocal(source, ports.input("in"));
 * const ctx = createProcessContext("rec");
 * await writer.setup(ctx);
 * const data = new Uint8Array(12).fill(128);
 * source.write({ kind: "video", width: 4, height: 2, format: "I420", stride: 4, timestampNs: 0, frameNumber: 0, data });
 * await writer.process(ctx);
 * await writer.teardown();
 * assert.equal(
 *   await Deno.readTextFile(`${dir}/grey.y4m`).then((t) => t.split("\n")[0]),
 *   "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg",
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
@processor({ tags: ["video", "sink", "file"], mode: "push" })
export class Y4mWriter extends FrameWriter<Y4mWriterTypes, Y4mFileWriter, VideoFrame, Uint8Array> {
  /** Video to record, any pixel format (converted to I420). */
  @input({ required: true })
  in!: InputPort<VideoFrame>;

  /** File, size and frame rate. */
  @config()
  config!: Y4mWriterConfig;

  #pixels: Awaited<ReturnType<typeof importPixelCode>> | undefined;
  #i420 = new Uint8Array(0);
  #scaled = new Uint8Array(0);
  #scaler: BilinearScaler | undefined;
  /** The last picture written (repeated over a gap), pictures so far, the timeline's origin. */
  #last = new Uint8Array(0);
  #placed = 0;
  #originNs = 0;
  /** Nanoseconds per frame of the file's `F` rate (what frames are placed by). */
  #periodNs = 0;
  #repeated = 0;

  /** Pictures written again to cover gaps in the frames' timestamps, in this take. */
  get repeatedFrames(): number {
    return this.#repeated;
  }

  /**
   * The counters in `rt.stats().nodes[id].processor`.
   *
   * @returns Pictures written, and repeated over timestamp gaps.
   */
  override reportStats(): { framesWritten: number; repeatedFrames: number } {
    return { framesWritten: this.framesWritten, repeatedFrames: this.#repeated };
  }

  /**
   * Creates the file, writes the stream header and loads the conversion code.
   *
   * @param path The take's path.
   * @returns The open file.
   * @throws {NotRegularFileTargetError} When `path` is a FIFO, device, folder or socket (code
   *   `not_regular_file`): refused before opening, so a FIFO never blocks.
   * @throws {RecordingWriteError} When the file cannot be created (no such folder, a full or
   *   read-only disk; code `write_failed`).
   */
  protected async open(path: string): Promise<Y4mFileWriter> {
    const { width, height, fps } = this.config;
    // The file and pixel code are imported here, on first use: a program that never writes Y4M
    // does not load them.
    const [{ Y4mWriter: Y4mFileWriter }, { y4mFrameRate }] = await Promise.all([
      import("../formats/y4m_writer.ts"),
      import("../formats/y4m_header.ts"),
    ]);
    this.#pixels = await importPixelCode();
    this.#placed = 0;
    this.#repeated = 0;
    const frameRate = y4mFrameRate(fps);
    // Frames are placed by the rate the header says, so the file plays at the times stamped.
    this.#periodNs = (1e9 * frameRate.denominator) / frameRate.numerator;
    return await Y4mFileWriter.create(path, { width, height, frameRate });
  }

  /** The next frame waiting on `in`. */
  protected read(): VideoFrame | undefined {
    return this.inputs.in.read();
  }

  /**
   * The frame as I420 at the file's size: the frame's own bytes when it already is.
   *
   * @param frame The frame.
   * @returns The I420 picture.
   * @throws {UnconvertibleFrameError} For an odd size, or a payload shorter than the size needs.
   */
  protected encode(frame: VideoFrame): Uint8Array {
    const { width, height } = this.config;
    const { BilinearScaler, convertFrame, frameByteLength } = this.#pixels!;
    const { format, width: w, height: h } = frame;
    const what = `${format} ${w}x${h}`;
    if (w % 2 !== 0 || h % 2 !== 0) {
      // The file is 4:2:0 at an even size: such a frame needs converting or scaling at an odd size.
      throw new UnconvertibleFrameError(this.path, what, "4:2:0 needs an even width and height");
    }
    const bytes = frameByteLength(format, w, h);
    if (frame.data.length < bytes) {
      throw new UnconvertibleFrameError(
        this.path,
        what,
        `its payload holds ${frame.data.length} bytes, the size needs ${bytes}`,
      );
    }
    let i420 = frame.data;
    if (format !== "I420") {
      const n = frameByteLength("I420", w, h);
      if (this.#i420.length < n) this.#i420 = new Uint8Array(n);
      convertFrame(frame.data, format, this.#i420, "I420", w, h);
      i420 = this.#i420;
    }
    if (w === width && h === height) return i420;
    let scaler = this.#scaler;
    if (!scaler || scaler.srcWidth !== w || scaler.srcHeight !== h) {
      scaler = this.#scaler = new BilinearScaler("I420", w, h, width, height);
      this.#scaled = new Uint8Array(scaler.dstByteLength);
    }
    scaler.scale(i420, this.#scaled);
    return this.#scaled;
  }

  /**
   * Appends the picture, after the previous one repeated over a gap in the timestamps; it is
   * complete in the file when this returns.
   */
  protected async write(
    file: Y4mFileWriter,
    picture: Uint8Array,
    frame: VideoFrame,
  ): Promise<void> {
    const periodNs = this.#periodNs;
    if (this.#placed === 0) this.#originNs = frame.timestampNs;
    const missing = Math.round((frame.timestampNs - this.#originNs) / periodNs) - this.#placed;
    if (this.#placed > 0 && missing > 0) {
      // A gap: the source skipped time. A longer one than MAX_REPEAT_S (a clock jump) is covered
      // for that long and the timeline goes on from this frame.
      const repeat = Math.min(missing, Math.round((MAX_REPEAT_S * 1e9) / periodNs));
      for (let i = 0; i < repeat; i++) await file.writeFrame(this.#last);
      this.#repeated += repeat;
      this.#placed += repeat;
      if (repeat < missing) this.#originNs = frame.timestampNs - this.#placed * periodNs;
    }
    this.#placed++;
    if (this.#last.length !== picture.length) this.#last = new Uint8Array(picture.length);
    this.#last.set(picture);
    await file.writeFrame(picture);
  }
}

/** The conversion and scaling code {@linkcode Y4mWriter} needs, imported by its `setup()`. */
async function importPixelCode() {
  const [{ convertFrame }, { frameByteLength }, { BilinearScaler }] = await Promise.all([
    import("../video/color_convert.ts"),
    import("../video/pixel_format.ts"),
    import("../video/scale.ts"),
  ]);
  return { BilinearScaler, convertFrame, frameByteLength };
}
