/**
 * The {@linkcode SubprocessProcessor} processor.
 *
 * @module
 */

import { delimiter } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AudioFrame,
  config,
  input,
  type InputPort,
  output,
  type OutputPort,
  type ProcessContext,
  Processor,
  processor,
  type SetupContext,
} from "../mod.ts";
import type { ChildNode } from "./child_node.ts";
import type { FrameHeader, ProtocolError } from "./frame_protocol.ts";
import type { SubprocessProcessorTypes } from "./subprocess_processor.gen.ts";

/**
 * Config of {@linkcode SubprocessProcessor}.
 *
 * @example `cat` echoes every message, so it passes the audio through unchanged
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry, SubprocessProcessor, type SubprocessProcessorConfig } from "@streamlib/streamlib/plugins";
 * import { createRuntime, NullSink, TestToneGenerator } from "@streamlib/streamlib/processors";
 *
 * const config: SubprocessProcessorConfig = { command: "cat", args: [], timeoutMs: 1_000 };
 * const rt = createRuntime({ registry });
 * const tone = rt.add(TestToneGenerator, {});
 * const child = rt.add(SubprocessProcessor, config, { id: "child" });
 * const sink = rt.add(NullSink, {}, { id: "sink" });
 * rt.connect(tone.outputs.audio, child.inputs.in);
 * rt.connect(child.outputs.out, sink.inputs.in);
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await rt.stop(); // closes the child's stdin; cat exits
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * ```
 */
export interface SubprocessProcessorConfig {
  /** The program to run (`python3`), looked up on `PATH`. */
  command: string;
  /**
   * Its arguments (`["plugins/python/gain_node.py", "0.5"]`).
   *
   * @default []
   */
  args: string[];
  /**
   * How long the child may take to answer one block before it is killed and the node fails.
   *
   * @minimum 1
   * @default 2000
   */
  timeoutMs: number;
}

/** The most channels a reply may carry. */
const MAX_CHANNELS = 64;
/** The highest sample rate a reply may carry, in Hz. */
const MAX_SAMPLE_RATE = 768_000;

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1;
}

/**
 * `PYTHONPATH` with the folder of `streamlib_node.py` first, so that a script anywhere imports
 * the helper (`from streamlib_node import run`); nothing when the package is not on disk.
 */
function pythonPath(): Record<string, string> | undefined {
  const helpers = new URL("./python/", import.meta.url);
  if (helpers.protocol !== "file:") return undefined;
  let current: string | undefined;
  try {
    current = Deno.env.get("PYTHONPATH");
  } catch {
    // No permission to read the environment: the helper's folder alone.
  }
  return { PYTHONPATH: [fileURLToPath(helpers), current].filter(Boolean).join(delimiter) };
}

/** What the reply's defaults come from: the header sent with the input block. */
interface InputShape {
  readonly sampleRate: number;
  readonly timestampNs: number;
  readonly frameNumber: number;
}

/** A child's reply, in the order it must go out. */
interface Reply {
  samples: Float32Array;
  channels: number;
  sampleRate: number;
  frameCount: number;
  timestampNs: number;
  frameNumber: number;
}

/**
 * Runs an audio filter as a child process (a Python script with numpy, say) that speaks the
 * framed stdio protocol of `docs/plugins.md`: one reply per block, whose channel count, sample
 * rate and block size the child chooses. A child that crashes, hangs past `timeoutMs` or writes
 * garbage puts the node in `error`, and the node's `onError` policy decides whether it is
 * restarted (with a new child).
 *
 * @example Halve a stereo stream in Python
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileURLToPath } from "node:url";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 * import { registry } from "@streamlib/streamlib/plugins";
 *
 * const script = fileURLToPath(new URL("./python/gain_node.py", import.meta.url)); // needs numpy
 * const rt = createRuntime().use(registry);
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("SubprocessProcessor", { command: "python3", args: [script, "0.5"] }, {
 *   id: "py_gain",
 *   onError: "restart",
 * });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "py_gain", "in");
 * rt.connectByName("py_gain", "out", "sink", "in");
 * await rt.start();
 * // Wait (up to 5 s) for python3 to start and send the first halved block on.
 * for (let i = 0; i < 100 && rt.stats().nodes.sink.framesIn === 0; i++) {
 *   await new Promise((resolve) => setTimeout(resolve, 50));
 * }
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * await rt.stop();
 * ```
 */
@processor({ tags: ["audio", "filter", "plugin"], mode: "push" })
export class SubprocessProcessor extends Processor<SubprocessProcessorTypes> {
  /** Audio of any channel count, sent to the child. */
  @input({ required: true })
  in!: InputPort<AudioFrame>;

  /** The child's replies, in the channel count, sample rate and block size it chose. */
  @output()
  out!: OutputPort<AudioFrame>;

  /** The child's command line and deadline. */
  @config()
  config!: SubprocessProcessorConfig;

  #child: ChildNode | undefined;
  #ProtocolError: typeof ProtocolError | undefined;
  /** A reply that found no frame memory, written before anything else. */
  #pending: Reply | undefined;

  /**
   * Starts the child. The child process and frame protocol code is imported here, on first use,
   * so a program that never runs a subprocess processor does not load it.
   *
   * @param _ctx The node's name and clock.
   * @throws {ChildProcessError} When the program cannot be started.
   */
  override async setup(_ctx: SetupContext): Promise<void> {
    const { ChildNode } = await import("./child_node.ts");
    this.#ProtocolError = (await import("./frame_protocol.ts")).ProtocolError;
    this.#child = ChildNode.spawn(this.config.command, this.config.args, pythonPath());
  }

  /**
   * Sends each waiting block to the child and writes its reply to `out`.
   *
   * @param ctx The node's name, clock and frames (its replies are written into frames from it).
   * @throws {ChildProcessError} When the child exits or does not answer in time.
   * @throws {ProtocolError} When the child writes something that is not a reply.
   */
  async process(ctx: ProcessContext): Promise<void> {
    const child = this.#child;
    if (!child) return;
    // A reply that found no frame memory last run goes out first (the child has seen its block).
    if (this.#pending !== undefined && !this.#emit(ctx, this.#pending)) return;
    let frame;
    // One block out per block in: read only what the output takes now (back-pressure).
    while (this.outputs.out.space > 0 && (frame = this.inputs.in.read()) !== undefined) {
      const samples = frame.samples;
      const header = {
        type: "audio",
        channels: frame.channels,
        sampleRate: frame.sampleRate,
        frameCount: frame.frameCount,
        frameNumber: frame.frameNumber,
        timestampNs: frame.timestampNs,
      };
      const payload = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
      const { header: reply, payload: bytes } = await child.roundTrip(
        header,
        payload,
        this.config.timeoutMs,
      );
      // The child has seen the block: it must not be sent again if this run finds no memory.
      ctx.frames.consume(frame);
      if (reply.type === "skip") continue;
      if (reply.type === "error") {
        throw new Error(`Child process '${this.config.command}' reported: ${reply.message}`);
      }
      const out = this.#replyBlock(reply, bytes, header);
      if (!this.#emit(ctx, out)) {
        this.#pending = out; // frame memory exhausted: written first when the runtime runs us again
        return;
      }
    }
  }

  /**
   * The block an `audio` reply carries, its shape checked against its payload and what `out`
   * (`AudioFrame`, any channel count) and frames take. `sampleRate`, `timestampNs` and
   * `frameNumber` default to the input block's (as sent, read before it was consumed).
   */
  #replyBlock(reply: FrameHeader, bytes: Uint8Array, input: InputShape): Reply {
    const fail = (what: string) =>
      new this.#ProtocolError!(
        `a reply with ${what}`,
        new TextEncoder().encode(JSON.stringify(reply)),
      );
    if (reply.type !== "audio") {
      throw fail(`type ${JSON.stringify(reply.type)} (expected audio, skip or error)`);
    }
    const { channels, frameCount } = reply;
    const sampleRate = reply.sampleRate ?? input.sampleRate;
    const timestampNs = reply.timestampNs ?? input.timestampNs;
    const frameNumber = reply.frameNumber ?? input.frameNumber;
    if (!isCount(channels) || channels > MAX_CHANNELS) {
      throw fail(
        `channels ${JSON.stringify(channels)} (expected an integer from 1 to ${MAX_CHANNELS})`,
      );
    }
    if (!isCount(frameCount)) {
      throw fail(`frameCount ${JSON.stringify(frameCount)} (expected an integer of at least 1)`);
    }
    if (typeof sampleRate !== "number" || !(sampleRate > 0 && sampleRate <= MAX_SAMPLE_RATE)) {
      throw fail(
        `sampleRate ${
          JSON.stringify(sampleRate)
        } (expected a number above 0, at most ${MAX_SAMPLE_RATE})`,
      );
    }
    if (!Number.isInteger(timestampNs) || (timestampNs as number) < 0) {
      throw fail(`timestampNs ${JSON.stringify(timestampNs)} (expected an integer of at least 0)`);
    }
    if (!Number.isInteger(frameNumber) || (frameNumber as number) < 0) {
      throw fail(`frameNumber ${JSON.stringify(frameNumber)} (expected an integer of at least 0)`);
    }
    if (bytes.byteLength !== frameCount * channels * 4) {
      throw fail(
        `a payload of ${bytes.byteLength} bytes (expected frameCount * channels * 4 = ${
          frameCount * channels * 4
        })`,
      );
    }
    return {
      samples: new Float32Array(bytes.buffer, bytes.byteOffset, frameCount * channels),
      channels,
      sampleRate,
      frameCount,
      timestampNs: timestampNs as number,
      frameNumber: frameNumber as number,
    };
  }

  /** Writes `reply` to `out` in a frame from `ctx.frames`; `false` when no memory is free. */
  #emit(ctx: ProcessContext, reply: Reply): boolean {
    const { samples, channels, sampleRate, frameCount } = reply;
    const block = ctx.frames.audio({ channels, sampleRate, frameCount });
    if (block === undefined) return false;
    block.samples.set(samples);
    block.timestampNs = reply.timestampNs;
    block.frameNumber = reply.frameNumber;
    this.#pending = undefined;
    this.outputs.out.write(block);
    return true;
  }

  /** Closes the child's stdin and waits for it to exit (killing it after 1 s). */
  override async teardown(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    this.#pending = undefined;
    await child?.close();
  }
}
