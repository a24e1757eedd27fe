/**
 * {@linkcode AppOutput}: an application's reader out of a graph (GStreamer's `appsink`), and the
 * node that takes frames out of the graph for it.
 *
 * @module
 */

import { SampleSpares } from "./sample_spares.ts";
import type { Frame } from "../frames/frame.ts";
import type { InputBinding } from "../ports/input_binding.ts";
import type { PortTable } from "../ports/port_table.ts";
import type { ProcessContext, SetupContext } from "../processor/context.ts";
import { Processor, type ProcessorTypes } from "../processor/processor.ts";
import { defineNode, type NodeDefinition } from "../registry/node_definition.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import { framePayloadBytes } from "../frames/payload_bytes.ts";
import { copyOut } from "./frame_copy.ts";
import type { FrameTagReader, FrameTags } from "./tags.ts";

/** One frame out of an application output, with what its input attached. */
export interface AppFrame {
  /** A plain copy of the frame (the application owns it). */
  readonly frame: Frame;
  /** The sequence number of the frame sent that this one comes from; -1 when none was. */
  readonly seq: number;
  /** The metadata sent with that frame. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * An application output of a graph: `rt.output(name)`, an async iterable of {@linkcode AppFrame}.
 * It holds up to `capacity` frames the application has not read; when they are unread, the node
 * stops reading and the graph's connections fill (back-pressure up to the inputs). Under the
 * `latest` policy the oldest unread frame is dropped instead and counted in
 * {@linkcode AppOutput.dropped}. The iteration finishes once everything upstream ended and every
 * frame was read, or when the graph stops. Iterate it once (a second iteration shares the queue).
 *
 * @example Frames come out with their input's sequence number and metadata
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", { gain: 1 }, { id: "fx" });
 * const input = rt.addInput("in", "fx.in");
 * const output = rt.addOutput("out", "fx.out", { capacity: 4 });
 * await rt.start();
 * const block = { kind: "audio", channels: 2, sampleRate: 48000, samples: new Float32Array(4) } as const;
 * for (let i = 0; i < 3; i++) await input.send(block, { metadata: { n: String(i) } });
 * input.end();
 * const seen = [];
 * for await (const { seq, metadata } of output) seen.push(`${seq}:${metadata.n}`);
 * assert.deepEqual(seen, ["0:0", "1:1", "2:2"]);
 * await rt.stop();
 * ```
 */
export class AppOutput implements AsyncIterable<AppFrame> {
  /** The output's name. */
  readonly name: string;
  /** The port type of the output it reads. */
  readonly portType: string;
  /** What happens when `capacity` frames are unread. */
  readonly policy: DeliveryPolicy;
  /** Unread frames it holds. */
  readonly capacity: number;
  readonly #tags: FrameTagReader;
  readonly #queue: AppFrame[] = [];
  /** Payload bytes of each unread frame (`framePayloadBytes`, measured once), beside `#queue`. */
  readonly #sizes: number[] = [];
  /** Payload bytes of the unread frames. */
  #queuedBytes = 0;
  #maxUnreadBytes = Infinity;
  /** Sample arrays handed back with `recycle()`, all of one length, for the next audio frames. */
  readonly #spares = new SampleSpares();
  #reader: (() => void) | undefined;
  #finished = false;
  #received = 0;
  #dropped = 0;
  /** Set by the node: asks for a run. */
  wake: (() => void) | undefined;

  /**
   * An output, not yet in a graph: `rt.addOutput()` makes one and its node.
   *
   * @param name The output's name.
   * @param portType The port type of the output it reads.
   * @param policy `fifo` (wait for the reader) or `latest` (drop the oldest unread).
   * @param capacity Unread frames held, at least 1.
   * @param tags Where sequence numbers and metadata are found.
   */
  constructor(
    name: string,
    portType: string,
    policy: DeliveryPolicy,
    capacity: number,
    tags: FrameTags,
  ) {
    this.name = name;
    this.portType = portType;
    this.policy = policy;
    this.capacity = capacity;
    this.#tags = tags.reader();
  }

  /** Frames taken out of the graph. */
  get received(): number {
    return this.#received;
  }

  /** Unread frames dropped (`latest` policy only). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Frames taken and not read yet. */
  get unread(): number {
    return this.#queue.length;
  }

  /**
   * The most payload bytes of unread frames it holds (`fifo`), beside `capacity` (samples, data,
   * or a data frame's JSON text: `framePayloadBytes`): one frame is
   * always taken when none is unread, whatever its size. Default unbounded. A session's isolate
   * bounds it, so a client that reads nothing has its large frames held by the graph's
   * connections (under the runtime's frame memory), not copied out without limit.
   */
  get maxUnreadBytes(): number {
    return this.#maxUnreadBytes;
  }

  set maxUnreadBytes(bytes: number) {
    if (!(bytes >= 1)) throw new RangeError(`maxUnreadBytes must be at least 1, got ${bytes}`);
    const had = this.#hasRoom();
    this.#maxUnreadBytes = bytes;
    if (!had && this.#hasRoom()) this.wake?.();
  }

  /** Whether a `fifo` output takes another frame now. */
  #hasRoom(): boolean {
    return this.#queue.length < this.capacity &&
      (this.#queue.length === 0 || this.#queuedBytes < this.#maxUnreadBytes);
  }

  /** Whether no frame will come any more (the queue may still hold some). */
  get finished(): boolean {
    return this.#finished;
  }

  /**
   * The next frame, or `undefined` once the stream finished and everything was read.
   *
   * @returns The frame, when one comes.
   */
  async next(): Promise<AppFrame | undefined> {
    while (this.#queue.length === 0) {
      if (this.#finished) return undefined;
      await new Promise<void>((resolve) => (this.#reader = resolve));
    }
    const had = this.#hasRoom();
    const item = this.#queue.shift()!;
    this.#queuedBytes -= this.#sizes.shift()!;
    if (!had && this.#hasRoom()) this.wake?.(); // room again
    return item;
  }

  /**
   * Hands back a frame {@linkcode AppOutput.next} gave, that the caller no longer uses: the
   * array of an audio frame's samples is kept (up to 8, of one length) and a
   * later frame's samples are copied into it rather than into a new array. The caller must not
   * touch the frame after; a frame of another kind, or an array on a buffer of other size or
   * moved away, is left alone. A reader that copies each frame on (a session's isolate writing
   * it into its channel) saves an allocation and its garbage per frame.
   *
   * @param frame A frame from this output, done with.
   *
   * @example A block's array carries the next block
   * ```ts
   * import assert from "node:assert/strict";
   * import { Runtime } from "@streamlib/streamlib";
   * import { builtinRegistry } from "@streamlib/streamlib/processors";
   *
   * const rt = new Runtime({ registry: builtinRegistry });
   * rt.add("Gain", { gain: 2 }, { id: "fx" });
   * const input = rt.addInput("in", "fx.in");
   * const output = rt.addOutput("out", "fx.out");
   * await rt.start();
   * const block = (x: number) =>
   *   ({ kind: "audio", channels: 2, sampleRate: 48000, samples: new Float32Array([x, x]) }) as const;
   * await input.send(block(1));
   * const first = (await output.next())!.frame;
   * const array = (first as { samples: Float32Array }).samples;
   * output.recycle(first);
   * await input.send(block(2));
   * const second = (await output.next())!.frame as { samples: Float32Array };
   * assert.equal(second.samples, array);
   * assert.deepEqual([...second.samples], [4, 4]);
   * await rt.stop();
   * ```
   */
  recycle(frame: Frame): void {
    if (frame.kind === "audio") this.#spares.keep(frame.samples);
  }

  /** Iterates until the stream finished. */
  async *[Symbol.asyncIterator](): AsyncGenerator<AppFrame> {
    let item;
    while ((item = await this.next()) !== undefined) yield item;
  }

  /** Called by the node's run: takes what fits; finishes when the input ended. */
  _take(input: InputBinding<Frame>): void {
    while (this.policy === "latest" || this.#hasRoom()) {
      const frame = input.read();
      if (frame === undefined) break;
      if (this.#queue.length >= this.capacity) {
        this.#queue.shift();
        this.#queuedBytes -= this.#sizes.shift()!;
        this.#dropped++;
      }
      const tag = this.#tags.get(frame.timestampNs);
      const copy = copyOut(frame, this.#spares.size > 0 ? this.#spares.take : undefined);
      const size = framePayloadBytes(copy);
      this.#queuedBytes += size;
      this.#sizes.push(size);
      this.#queue.push({ frame: copy, seq: tag?.seq ?? -1, metadata: tag?.metadata ?? {} });
      this.#received++;
    }
    if (input.ended) this._finish();
    this.#wakeReader();
  }

  /** No more frames will come (upstream ended, or the graph stopped). Idempotent. */
  _finish(): void {
    this.#finished = true;
    this.#tags.close();
    this.#wakeReader();
  }

  #wakeReader(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.();
  }
}

interface AppOutputTypes extends ProcessorTypes {
  readonly inputs: { readonly in: InputBinding<Frame> };
  readonly outputs: Record<never, never>;
  readonly config: Record<string, never>;
}

/**
 * The node definition of one application output: a `push` node with one input, `in`, of the
 * port type of the output it reads, that hands what it reads to {@linkcode AppOutput}.
 *
 * @param output The application output it serves.
 * @returns A definition for `rt.add()`.
 */
export function appOutputNode(output: AppOutput): NodeDefinition {
  class AppOutputNode extends Processor<AppOutputTypes> {
    override setup(ctx: SetupContext): void {
      output.wake = ctx.wake;
    }
    process(_ctx: ProcessContext): void {
      output._take(this.inputs.in);
    }
    override teardown(): void {
      output._finish();
    }
  }
  return defineNode<AppOutputTypes, AppOutputNode>({
    descriptor: {
      name: "AppOutput",
      description: `Application output '${output.name}': frames an application reads`,
      tags: ["app", "sink"],
      mode: "push",
      inputs: [{
        name: "in",
        direction: "input",
        portType: output.portType,
        required: false,
        description: "The frames the application reads.",
      }],
      outputs: [],
      config: { type: "object", properties: {}, additionalProperties: false },
      source: "core/app/app_output.ts",
    },
    processorClass: AppOutputNode,
    accessors: (ports: PortTable) => ({
      inputs: { in: ports.input<Frame>("in") },
      outputs: {},
    }),
  }) as unknown as NodeDefinition;
}
