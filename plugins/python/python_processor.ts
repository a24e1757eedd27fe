/**
 * {@linkcode PythonProcessor}: the base of every Python processor's class. A node of one runs
 * the decorated Python class in a child process of its own, over the framed stdio protocol
 * (version 2, `docs/python_processors.md`).
 *
 * @module
 */

import {
  type AudioFrame,
  type DataFrame,
  type InputPort,
  type OutputPort,
  type ProcessContext,
  Processor,
  type SetupContext,
  type VideoFrame,
} from "../../mod.ts";
import { processorInit } from "../../core/processor/processor.ts";
import { PIXEL_FORMATS, type PixelFormat } from "../../core/frames/video_frame.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { ChildNode, ChildProcessError } from "../child_node.ts";
import { type FrameHeader, PROTOCOL_VERSION, type ProtocolError } from "../frame_protocol.ts";
import { pythonEnv } from "./_python_env.ts";

/** A port of a Python processor: its name, frame kind and, for `AudioFrame<N>`, its channels. */
export interface PythonPortSpec {
  /** The port's name. */
  readonly name: string;
  /** The frames it carries. */
  readonly kind: "audio" | "video" | "data";
  /** `N` of `AudioFrame<N>`; absent for any channel count. */
  readonly channels?: number;
}

/** What a Python processor's nodes need to start their child. */
export interface PythonProcessorSpec {
  /** The processor's name (the decorated class's). */
  readonly name: string;
  /** The Python program (`python3`). */
  readonly python: string;
  /** The plugin folder (absolute). */
  readonly folder: string;
  /** The module or package the plugin's metadata names, relative to `folder`. */
  readonly entry: string;
  /** Sources: how often the runtime calls it; `null` for processors with inputs. */
  readonly periodMs: number | null;
  /** Its inputs, in declaration order. */
  readonly inputs: readonly PythonPortSpec[];
  /** Its outputs, in declaration order. */
  readonly outputs: readonly PythonPortSpec[];
  /** How long one call may take before the child is killed and the node fails. */
  readonly timeoutMs: number;
  /** How long the child may take to import the plugin and run `setup()`. */
  readonly startTimeoutMs: number;
}

type PyFrame = AudioFrame | VideoFrame | DataFrame;
type Errors = { ChildProcessError: typeof ChildProcessError; ProtocolError: typeof ProtocolError };
const MAX_CHANNELS = 64;
const MAX_SAMPLE_RATE = 768_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The base class of Python processors: `loadPythonPlugin()` makes one subclass per decorated
 * Python class, whose `spec` names it. `setup()` starts the child (`python3 -m
 * streamlib_processor run ...`) and sends it the config; each `process()` sends the frames that
 * arrived, one per input (a source: none, every `periodMs`), and writes what the child returns.
 * A child that crashes, hangs or answers garbage makes `process()` reject with a coded error
 * (`child_process_failed`, `child_protocol_error`): that node fails and its `onError` policy
 * applies; the rest of the graph runs on.
 *
 * @example Every Python processor's class is one
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPythonPlugin, PythonProcessor } from "@streamlib/streamlib/plugins";
 *
 * const folder = new URL("../../tests/fixtures/plugins/python_pkg/", import.meta.url);
 * const registry = await loadPythonPlugin(folder, { name: "pkg", version: "1.0.0", entry: "pkg" });
 * const node = registry.get("PyGain").create({ gain: 0.5 });
 * assert.ok(node instanceof PythonProcessor);
 * ```
 */
export abstract class PythonProcessor extends Processor {
  #child: ChildNode | undefined;
  #errors: Errors | undefined;
  #calls = 0;
  #withoutMemory = 0;

  /** What the Python class declared and where it lives. */
  protected abstract get spec(): PythonProcessorSpec;

  /**
   * Starts the child and sends it the node's config; resolves when the class's `setup()` ran.
   *
   * @param ctx The node's name, clock and loop control.
   * @throws {ChildProcessError} When Python cannot start, exits, or refuses the config.
   * @throws {ProtocolError} When the child answers something else than `ready`.
   */
  override async setup(ctx: SetupContext): Promise<void> {
    const spec = this.spec;
    const { ChildNode, ChildProcessError } = await import("../child_node.ts");
    const { ProtocolError } = await import("../frame_protocol.ts");
    this.#errors = { ChildProcessError, ProtocolError };
    if (spec.periodMs !== null) ctx.loop?.setPeriodNs(spec.periodMs * 1e6);
    const args = ["-m", "streamlib_processor", "run", spec.folder, spec.entry, spec.name];
    const child = ChildNode.spawn(spec.python, args, pythonEnv());
    this.#child = child;
    try {
      const hello = {
        type: "hello",
        protocol: PROTOCOL_VERSION,
        node: ctx.node,
        config: (processorInit(this)?.config ?? {}) as JsonValue,
      };
      const { header } = await child.roundTrip(hello, new Uint8Array(0), spec.startTimeoutMs);
      if (header.type === "error") {
        throw new ChildProcessError(
          spec.python,
          `refused to start ${spec.name}: ${header.message}`,
        );
      }
      if (header.type !== "ready") throw this.#bad("an answer to hello", header);
    } catch (error) {
      this.#child = undefined;
      await child.close();
      throw error;
    }
  }

  /**
   * Sends the waiting frames (one per input) to the child and writes its reply, while every
   * output has room; a source sends one empty call per run.
   *
   * @param ctx The node's name, clock and frames.
   * @throws {ChildProcessError} When the child exits, hangs past `timeoutMs` or reports an error.
   * @throws {ProtocolError} When its reply is not a `frames` message that fits the outputs.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const spec = this.spec;
    const inputs = this.inputs as Record<string, InputPort<PyFrame>>;
    const outputs = this.outputs as Record<string, OutputPort<PyFrame>>;
    const room = () => spec.outputs.every((port) => outputs[port.name].space > 0);
    if (spec.inputs.length === 0) {
      if (room()) await this.#call(ctx, child, []);
      return;
    }
    while (room()) {
      const frames: [string, PyFrame][] = [];
      for (const port of spec.inputs) {
        const frame = inputs[port.name].read();
        if (frame !== undefined) frames.push([port.name, frame]);
      }
      if (frames.length === 0) return;
      await this.#call(ctx, child, frames);
    }
  }

  /** Closes the child's stdin (the class's `teardown()` runs) and waits for it to exit. */
  override async teardown(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    await child?.close();
  }

  /**
   * The node's own counters: calls made, and output frames lost because no frame memory was free.
   *
   * @returns `{ calls, outputsWithoutMemory }`.
   */
  override reportStats(): { [key: string]: JsonValue } {
    return { calls: this.#calls, outputsWithoutMemory: this.#withoutMemory };
  }

  async #call(ctx: ProcessContext, child: ChildNode, frames: [string, PyFrame][]): Promise<void> {
    const entries: Record<string, JsonValue>[] = [];
    const parts: Uint8Array[] = [];
    for (const [port, frame] of frames) {
      const [header, bytes] = encodeFrame(frame);
      entries.push({ ...header, port, bytes: bytes.byteLength });
      parts.push(bytes);
    }
    const timestampNs = ctx.deadlineNs ?? ctx.clock.nowNs();
    const message = { type: "process", call: this.#calls++, timestampNs, frames: entries };
    const reply = await child.roundTrip(message, concat(parts), this.spec.timeoutMs);
    for (const [, frame] of frames) ctx.frames.consume(frame);
    const { header, payload } = reply;
    if (header.type === "error") {
      throw new this.#errors!.ChildProcessError(
        this.spec.python,
        `running ${this.spec.name} reported: ${header.message}`,
      );
    }
    if (header.type !== "frames" || !Array.isArray(header.frames)) {
      throw this.#bad("a reply of another type than frames or error", header);
    }
    let at = 0;
    for (const entry of header.frames as FrameHeader[]) {
      const size = entry.bytes ?? 0;
      this.#emit(ctx, entry, payload.subarray(at, at + size));
      at += size;
    }
  }

  #emit(ctx: ProcessContext, entry: FrameHeader, bytes: Uint8Array): void {
    const port = this.spec.outputs.find((p) => p.name === entry.port);
    if (!port) throw this.#bad(`a frame for ${JSON.stringify(entry.port)}, not an output`, entry);
    if (entry.kind !== port.kind) {
      throw this.#bad(`a ${JSON.stringify(entry.kind)} frame for ${port.kind} output`, entry);
    }
    const out = (this.outputs as Record<string, OutputPort<PyFrame>>)[port.name];
    const timestampNs = Number.isFinite(entry.timestampNs) ? entry.timestampNs as number : 0;
    const frameNumber = Number.isFinite(entry.frameNumber) ? entry.frameNumber as number : 0;
    if (port.kind === "data") {
      const value = JSON.parse(decoder.decode(bytes)) as JsonValue;
      out.write({ kind: "data", timestampNs, value });
      return;
    }
    const block = port.kind === "audio"
      ? ctx.frames.audio(this.#audioShape(entry, port, bytes))
      : ctx.frames.video(this.#videoShape(entry));
    if (block === undefined) {
      this.#withoutMemory++;
      return;
    }
    if (block.kind === "audio") {
      block.samples.set(new Float32Array(bytes.slice().buffer));
    } else {
      if (block.data.byteLength !== bytes.byteLength) {
        ctx.frames.drop(block);
        throw this.#bad(
          `a payload of ${bytes.byteLength} bytes (a packed ${block.width}x${block.height} ${block.format} frame has ${block.data.byteLength})`,
          entry,
        );
      }
      block.data.set(bytes);
    }
    block.timestampNs = timestampNs;
    block.frameNumber = frameNumber;
    out.write(block);
  }

  #audioShape(entry: FrameHeader, port: PythonPortSpec, bytes: Uint8Array) {
    const { channels, frameCount, sampleRate } = entry as unknown as Record<string, number>;
    if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
      throw this.#bad(`channels ${channels} (expected 1 to ${MAX_CHANNELS})`, entry);
    }
    if (port.channels !== undefined && channels !== port.channels) {
      throw this.#bad(`${channels} channels for AudioFrame<${port.channels}>`, entry);
    }
    if (!Number.isInteger(frameCount) || frameCount < 1) {
      throw this.#bad(`frameCount ${frameCount} (expected an integer of at least 1)`, entry);
    }
    if (!(sampleRate > 0 && sampleRate <= MAX_SAMPLE_RATE)) {
      throw this.#bad(
        `sampleRate ${sampleRate} (expected above 0, at most ${MAX_SAMPLE_RATE})`,
        entry,
      );
    }
    if (bytes.byteLength !== frameCount * channels * 4) {
      throw this.#bad(
        `a payload of ${bytes.byteLength} bytes (expected frameCount * channels * 4)`,
        entry,
      );
    }
    return { channels, frameCount, sampleRate };
  }

  #videoShape(entry: FrameHeader): { width: number; height: number; format: PixelFormat } {
    const { width, height, format } = entry as Record<string, unknown>;
    if (
      !Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 1 ||
      (height as number) < 1
    ) {
      throw this.#bad(`a size of ${width}x${height} (expected positive integers)`, entry);
    }
    if (!PIXEL_FORMATS.includes(format as PixelFormat)) {
      throw this.#bad(
        `format ${JSON.stringify(format)} (expected one of ${PIXEL_FORMATS.join(", ")})`,
        entry,
      );
    }
    return { width: width as number, height: height as number, format: format as PixelFormat };
  }

  #bad(what: string, header: FrameHeader): ProtocolError {
    const shown = encoder.encode(JSON.stringify(header));
    return new this.#errors!.ProtocolError(`${this.spec.name} sent ${what}`, shown);
  }
}

function encodeFrame(frame: PyFrame): [Record<string, JsonValue>, Uint8Array] {
  const time = { timestampNs: frame.timestampNs };
  if (frame.kind === "audio") {
    const { channels, sampleRate, frameCount, frameNumber, samples } = frame;
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, frameCount * channels * 4);
    return [{ kind: "audio", channels, sampleRate, frameCount, frameNumber, ...time }, bytes];
  }
  if (frame.kind === "video") {
    const { width, height, format, stride, frameNumber, data } = frame;
    return [{ kind: "video", width, height, format, stride, frameNumber, ...time }, data];
  }
  return [{ kind: "data", ...time }, encoder.encode(JSON.stringify(frame.value ?? null))];
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
