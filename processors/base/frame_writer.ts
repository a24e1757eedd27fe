/**
 * The {@linkcode FrameWriter} base of file writers that record one input, a frame at a time.
 *
 * @module
 */

import type { ProcessContext, ProcessorTypes } from "../../mod.ts";
import { FileWriter } from "./file_writer.ts";

/** The file a {@linkcode FrameWriter} records into: it counts what it wrote, and closes. */
export interface FrameFile {
  /** Frames written so far (for audio, samples per channel). */
  readonly framesWritten: number;
  /** Writes what is pending, finalizes and closes the file. */
  close(): Promise<void>;
}

/**
 * A {@linkcode FileWriter} that records the frames of one input in order: `process()` reads every
 * waiting frame, encodes it to what the file takes and writes it, so each frame is in the file
 * when `process()` returns. The subclass says where frames come from (`read()`), how one becomes
 * the file's payload (`encode()`, which may throw to fail the node) and how the payload is written
 * (`write()`); the base counts in the node's `framesDropped` (with `ctx.frames.drop()`) every
 * frame not recorded: one read after `teardown()`, and the one whose `encode()` threw.
 *
 * @typeParam T The subclass's generated types (`WavWriterTypes`).
 * @typeParam F The file of one take.
 * @typeParam I The input's frame type.
 * @typeParam P What `encode()` makes of a frame for `write()`.
 *
 * @example A writer of text lines, upper-cased
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   config, connectLocal, createProcessContext, type DataFrame, input, InputBinding,
 *   type InputPort, OutputBinding, processor, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { type FrameFile, FrameWriter } from "./frame_writer.ts";
 *
 * class LinesFile implements FrameFile {
 *   framesWritten = 0;
 *   constructor(readonly file: Deno.FsFile) {}
 *   async write(line: Uint8Array): Promise<void> {
 *     await this.file.write(line);
 *     this.framesWritten++;
 *   }
 *   close(): Promise<void> {
 *     this.file.close();
 *     return Promise.resolve();
 *   }
 * }
 *
 * interface LinesTypes extends ProcessorTypes {
 *   readonly inputs: { readonly in: InputPort<DataFrame<string>> };
 *   readonly config: { path: string };
 * }
 *
 * @processor({ mode: "push" })
 * class ShoutWriter extends FrameWriter<LinesTypes, LinesFile, DataFrame<string>, Uint8Array> {
 *   @input() in!: InputPort<DataFrame<string>>;
 *   @config() config!: { path: string };
 *
 *   protected async open(path: string): Promise<LinesFile> {
 *     return new LinesFile(await Deno.open(path, { write: true, create: true, truncate: true }));
 *   }
 *   protected read(): DataFrame<string> | undefined {
 *     return this.in.read();
 *   }
 *   protected encode(frame: DataFrame<string>): Uint8Array {
 *     return new TextEncoder().encode(`${frame.value.toUpperCase()}\n`);
 *   }
 *   protected write(file: LinesFile, line: Uint8Array): Promise<void> {
 *     return file.write(line);
 *   }
 * }
 *
 * const dir = await Deno.makeTempDir();
 * const writer = new ShoutWriter();
 * writer.config = { path: `${dir}/shout.txt` };
 * const source = new OutputBinding<DataFrame<string>>("source", "DataFrame");
 * // Built without generated code, the instance's input is a local binding.
 * connectLocal(source, writer.in as InputBinding<DataFrame<string>>);
 * const ctx = createProcessContext("shout");
 * await writer.setup(ctx);
 * source.write({ kind: "data", timestampNs: 0, value: "hello" });
 * await writer.process(ctx);
 * await writer.teardown();
 * assert.equal(writer.framesWritten, 1);
 * assert.equal(await Deno.readTextFile(`${dir}/shout.txt`), "HELLO\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export abstract class FrameWriter<T extends ProcessorTypes, F extends FrameFile, I, P>
  extends FileWriter<T, F> {
  /** Frames written so far (the last take's after teardown; for audio, samples per channel). */
  get framesWritten(): number {
    return this.file?.framesWritten ?? 0;
  }

  /**
   * The next frame waiting on the input, or `undefined` when none is.
   *
   * @returns The frame.
   */
  protected abstract read(): I | undefined;

  /**
   * What the file takes for one frame; throw (a typed error) to fail the node, and the frame is
   * counted as dropped. Runs per frame: reuse buffers rather than allocate.
   *
   * @param frame The frame read.
   * @returns The payload for `write()`.
   */
  protected abstract encode(frame: I): P;

  /**
   * Writes one frame's payload to the file.
   *
   * @param file The take's file.
   * @param payload What `encode()` returned.
   * @param frame The frame it came from.
   */
  protected abstract write(file: F, payload: P, frame: I): Promise<void>;

  /** Closes the take's file (`FrameFile.close()`). */
  protected finish(file: F): Promise<void> {
    return file.close();
  }

  /**
   * Writes every frame waiting on the input; each is in the file when this returns. A frame not
   * recorded (one `encode()` refused, or any read after teardown) is counted with
   * `ctx.frames.drop()`, so it shows in the node's `framesDropped`.
   *
   * @param ctx The node's name, clock and frames.
   * @throws What `encode()` throws for a frame the file cannot take.
   */
  async process(ctx: ProcessContext): Promise<void> {
    let frame;
    while ((frame = this.read()) !== undefined) {
      const file = this.openFile;
      if (!file) {
        ctx.frames.drop(frame); // read after teardown: not recorded, so counted
        continue;
      }
      let payload: P;
      try {
        payload = this.encode(frame);
      } catch (error) {
        ctx.frames.drop(frame); // the frame that fails the node is not in the file either
        throw error;
      }
      await this.write(file, payload, frame);
    }
  }
}
