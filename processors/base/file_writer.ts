/**
 * The {@linkcode FileWriter} base of processors that record to a file.
 *
 * @module
 */

import { Processor, type ProcessorTypes, type SetupContext } from "../../mod.ts";
import { TakePaths } from "../formats/take_paths.ts";

/** The config field every {@linkcode FileWriter} has. */
export interface FileWriterConfig {
  /**
   * The file to record to. Later takes of the same node (a restart, or the graph started again)
   * go to `<name>-1.<ext>`, `<name>-2.<ext>`, ...
   */
  readonly path: string;
}

/**
 * The base of a processor that records to a file, as GStreamer's `GstBaseSink` is of its sinks:
 * it owns the take (one file per `setup()`), its path and its open/finish lifecycle, and the
 * subclass says how a file is opened and finished and what `process()` writes.
 *
 * - `setup()` finishes the previous take first, then opens the next one: `config.path` for the
 *   first take, then the first free `<name>-N.<ext>` (`TakePaths`), so a restarted graph never
 *   truncates a recording. `path` names the current (or last) take.
 * - `teardown()` finishes the take once: it is idempotent, and returns the same promise to every
 *   caller until the next `setup()`.
 * - {@linkcode FileWriter.openFile} is the take's file while it records (between `setup()` and
 *   `teardown()`); {@linkcode FileWriter.file} is also the last one after teardown, for counters.
 *
 * A subclass keeps its own `@processor`, `@input` and `@config` decorators (codegen reads the
 * ports and config of the class it generates for, not of its bases); its config has a `path`.
 * Writers of one frame at a time extend `FrameWriter`, which adds the `process()` loop.
 *
 * @typeParam T The subclass's generated types (`WavWriterTypes`).
 * @typeParam F The open file (or recording) of one take.
 *
 * @example A writer of text lines (one input, the file opened per take)
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   config, createProcessContext, type DataFrame, input, type InputPort, processor,
 *   type ProcessContext, type ProcessorTypes,
 * } from "@streamlib/streamlib";
 * import { FileWriter } from "./file_writer.ts";
 *
 * interface LinesTypes extends ProcessorTypes {
 *   readonly inputs: { readonly in: InputPort<DataFrame<string>> };
 *   readonly config: { path: string };
 * }
 *
 * @processor({ mode: "push" })
 * class LineWriter extends FileWriter<LinesTypes, Deno.FsFile> {
 *   @input() in!: InputPort<DataFrame<string>>;
 *   @config() config!: { path: string };
 *
 *   protected open(path: string): Promise<Deno.FsFile> {
 *     return Deno.open(path, { write: true, create: true, truncate: true });
 *   }
 *   protected finish(file: Deno.FsFile): Promise<void> {
 *     file.close();
 *     return Promise.resolve();
 *   }
 *   async process(_ctx: ProcessContext): Promise<void> {
 *     let frame;
 *     while ((frame = this.in.read()) !== undefined) {
 *       await this.openFile?.write(new TextEncoder().encode(`${frame.value}\n`));
 *     }
 *   }
 * }
 *
 * const dir = await Deno.makeTempDir();
 * const writer = new LineWriter();
 * writer.config = { path: `${dir}/log.txt` };
 * const ctx = createProcessContext("log");
 * await writer.setup(ctx);
 * await writer.teardown();
 * await writer.setup(ctx); // the second take goes next to the first
 * assert.equal(writer.path, `${dir}/log-1.txt`);
 * await writer.teardown();
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["log-1.txt", "log.txt"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export abstract class FileWriter<T extends ProcessorTypes, F> extends Processor<T> {
  /** The subclass's `@config()` field; the base reads its `path`. */
  abstract config: FileWriterConfig;

  #file: F | undefined;
  #closing: Promise<void> | undefined;
  readonly #takes = new TakePaths();
  #path = "";

  /** The file the current (or last) take records to: `path`, then `<name>-1.<ext>`, ... */
  get path(): string {
    return this.#path;
  }

  /** The current take's file, or the last one after `teardown()`; `undefined` before setup. */
  protected get file(): F | undefined {
    return this.#file;
  }

  /** The take's file while it records: `undefined` before `setup()` and from `teardown()` on. */
  protected get openFile(): F | undefined {
    return this.#closing ? undefined : this.#file;
  }

  /**
   * Opens the file of one take.
   *
   * @param path The take's path: `config.path`, then the next free `<name>-N.<ext>`.
   * @param ctx The node's name and clock.
   * @returns The open file.
   */
  protected abstract open(path: string, ctx: SetupContext): Promise<F>;

  /**
   * Writes what is pending, finalizes and closes the file of one take; called once per take.
   *
   * @param file The take's file.
   */
  protected abstract finish(file: F): Promise<void>;

  /**
   * Finishes the previous take, then opens the next one.
   *
   * @param ctx The node's name and clock.
   * @throws {NotRegularFileTargetError} When a writer's file refuses a FIFO, device, folder or
   *   socket (code `not_regular_file`), and whatever else `open()` throws.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    await this.teardown(); // a second setup() finishes the previous recording first
    const path = this.#path = await this.#takes.next(this.config.path);
    this.#file = await this.open(path, ctx);
    this.#closing = undefined;
  }

  /** Finishes the take's file (once: later calls return the same promise). Idempotent. */
  override teardown(): Promise<void> {
    this.#closing ??= this.#file ? this.finish(this.#file) : Promise.resolve();
    return this.#closing;
  }
}
