/**
 * {@linkcode AppInput}: an application's writer into a graph (GStreamer's `appsrc`), and the
 * node that carries what it sends into the graph.
 *
 * @module
 */

import type { Frame } from "../frames/frame.ts";
import type { OutputBinding } from "../ports/output_binding.ts";
import type { PortTable } from "../ports/port_table.ts";
import type { ProcessContext, SetupContext } from "../processor/context.ts";
import { Processor, type ProcessorTypes } from "../processor/processor.ts";
import { defineNode, type NodeDefinition } from "../registry/node_definition.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import { AppFrameError, AppPortEndedError } from "./errors.ts";
import { type AppFrameInput, checkAppFrame, copyIn } from "./frame_copy.ts";
import type { FrameTags } from "./tags.ts";

/** What `send()` takes beside the frame. */
export interface SendOptions {
  /** String metadata carried to every application output the frame reaches. Default none. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The frame's sequence number. Default: one more than the last, from 0. */
  readonly seq?: number;
}

interface Pending {
  readonly frame: AppFrameInput;
  readonly timestampNs: number;
  readonly frameNumber: number;
  readonly resolve: () => void;
}

/**
 * An application input of a graph: `rt.input(name)`. `send()` copies a frame into the graph and
 * resolves once the input's node has written it on; while the connection is full (`fifo`) it
 * waits, so a sender never runs ahead of the graph. Under the `latest` policy a send never waits:
 * a frame not yet taken is replaced by the next and counted in {@linkcode AppInput.dropped}.
 * `end()` ends the stream: the node ends once what was sent is written, and the graph's end of
 * stream follows.
 *
 * Each frame gets a sequence number and optional string metadata, carried to the application
 * outputs it reaches by its timestamp (see `FrameTags`); an input makes its timestamps strictly
 * increasing (a frame sent with none, or with one not after the last, is stamped one nanosecond
 * after the last). Sequence numbers and timestamps are integers up to 2^53 - 1: a send that would
 * pass that is refused with `app_frame_mismatch` before anything is taken.
 *
 * @example Send through a gain and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", { gain: 2 }, { id: "fx" });
 * const input = rt.addInput("audio", "fx.in");
 * const output = rt.addOutput("audio", "fx.out");
 * await rt.start();
 * const samples = new Float32Array([0.25, -0.25]);
 * await input.send({ kind: "audio", channels: 2, sampleRate: 48000, samples }, { metadata: { id: "a" } });
 * input.end();
 * const got = [];
 * for await (const item of output) got.push(item);
 * assert.deepEqual([...(got[0].frame as { samples: Float32Array }).samples], [0.5, -0.5]);
 * assert.deepEqual([got[0].seq, got[0].metadata], [0, { id: "a" }]);
 * await rt.stop();
 * ```
 */
export class AppInput {
  /** The input's name. */
  readonly name: string;
  /** The port type of the input it feeds. */
  readonly portType: string;
  /** The delivery policy of its connection. */
  readonly policy: DeliveryPolicy;
  readonly #maxFrameBytes: number;
  readonly #tags: FrameTags;
  #pending: Pending[] = [];
  #waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #ended = false;
  #closed: string | undefined;
  #seq = 0;
  #lastNs = -1;
  #frameNumber = 0;
  #sent = 0;
  #dropped = 0;
  /** Set by the node: asks for a run. */
  wake: (() => void) | undefined;

  /**
   * An input, not yet in a graph: `rt.addInput()` makes one and its node.
   *
   * @param name The input's name.
   * @param portType The port type of the input it feeds.
   * @param policy Its connection's policy.
   * @param tags Where sequence numbers and metadata go.
   * @param maxFrameBytes The largest payload `send()` takes.
   */
  constructor(
    name: string,
    portType: string,
    policy: DeliveryPolicy,
    tags: FrameTags,
    maxFrameBytes: number,
  ) {
    this.name = name;
    this.portType = portType;
    this.policy = policy;
    this.#tags = tags;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Frames written into the graph. */
  get sent(): number {
    return this.#sent;
  }

  /** Frames replaced before the graph took them (`latest` policy only). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether `end()` was called or the graph stopped. */
  get ended(): boolean {
    return this.#ended || this.#closed !== undefined;
  }

  /**
   * Sends one frame: checked and copied now (the caller keeps its buffers), written into the
   * graph by the input's node.
   *
   * @param frame The frame; its `timestampNs` is optional.
   * @param options Metadata and sequence number.
   * @returns The frame's sequence number, once the graph took the frame (at once under
   * `latest`).
   * @throws {AppFrameError} When the frame does not fit the input (`app_frame_mismatch`) or is
   * over the size limit (`frame_too_large`).
   * @throws {AppPortEndedError} After `end()`, or when the graph stopped.
   */
  async send(frame: AppFrameInput, options: SendOptions = {}): Promise<number> {
    if (this.#closed !== undefined) throw new AppPortEndedError(this.name, this.#closed);
    if (this.#ended) throw new AppPortEndedError(this.name, "end() was called");
    checkAppFrame(this.name, this.portType, frame, this.#maxFrameBytes);
    const metadata = checkMetadata(this.name, options.metadata);
    if (options.seq !== undefined && !isCount(options.seq)) {
      const expected = `an integer from 0 to ${Number.MAX_SAFE_INTEGER}`;
      throw new AppFrameError(this.name, "seq", String(options.seq), expected);
    }
    if (this.policy === "fifo") {
      while (this.#pending.length > 0) {
        await new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
        if (this.#ended) throw new AppPortEndedError(this.name, "end() was called");
      }
    }
    const seq = options.seq ?? this.#seq;
    const asked = frame.timestampNs ?? -1;
    const timestampNs = asked > this.#lastNs ? asked : this.#lastNs + 1;
    // Refused before anything is taken or replaced: a number past 2^53 - 1 is no longer exact
    // (one more is the same number), and no transport could carry it.
    if (seq > Number.MAX_SAFE_INTEGER) {
      throw new AppFrameError(this.name, "seq", String(seq), USED_UP("sequence number", "a seq"));
    }
    if (timestampNs > Number.MAX_SAFE_INTEGER) {
      const expected = USED_UP("timestamp", "an input of its own");
      throw new AppFrameError(this.name, "timestampNs", String(asked), expected);
    }
    if (this.policy !== "fifo" && this.#pending.length > 0) {
      this.#pending.shift()!.resolve();
      this.#dropped++;
    }
    this.#seq = seq + 1;
    this.#lastNs = timestampNs;
    this.#tags.set(timestampNs, { seq, metadata });
    const taken = new Promise<void>((resolve) =>
      this.#pending.push({ frame, timestampNs, frameNumber: this.#frameNumber++, resolve })
    );
    this.wake?.();
    if (this.policy === "fifo") await taken;
    return seq;
  }

  /** Ends the stream; frames already sent still reach the graph. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.wake?.();
  }

  /** Called by the node's run: writes what it can; returns true when the stream is over. */
  _drain(ctx: ProcessContext, out: OutputBinding<Frame>): boolean {
    while (this.#pending.length > 0 && out.space > 0) {
      const next = this.#pending[0];
      const frame = copyIn(ctx.frames, next.frame, next.timestampNs, next.frameNumber);
      if (frame === undefined) return false; // no frame memory now: run again when some frees
      this.#pending.shift();
      out.write(frame);
      this.#sent++;
      next.resolve();
      this.#waiting.shift()?.resolve();
    }
    return this.#ended && this.#pending.length === 0;
  }

  /** Called when the node is torn down: sends waiting for room are refused. */
  _close(reason: string): void {
    this.#closed = reason;
    const error = new AppPortEndedError(this.name, reason);
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
    for (const p of this.#pending.splice(0)) p.resolve();
  }
}

/** What to say when an input's numbers reached 2^53 - 1. */
const USED_UP = (what: string, instead: string) =>
  `at most ${Number.MAX_SAFE_INTEGER}, the largest exact integer: this input's ${what}s are ` +
  `used up (each one is after the last), so send with ${instead}`;

/** A whole number from 0 to 2^53 - 1. */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Metadata must be a flat object of strings. */
function checkMetadata(
  name: string,
  metadata: unknown,
): Readonly<Record<string, string>> {
  if (metadata === undefined) return {};
  const ok = typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) &&
    Object.values(metadata).every((v) => typeof v === "string");
  if (!ok) {
    const what = "an object whose values are strings";
    throw new AppFrameError(name, "metadata", Array.isArray(metadata) ? "array" : "other", what);
  }
  return { ...(metadata as Record<string, string>) };
}

interface AppInputTypes extends ProcessorTypes {
  readonly inputs: Record<never, never>;
  readonly outputs: { readonly out: OutputBinding<Frame> };
  readonly config: Record<string, never>;
}

/**
 * The node definition of one application input: a `pull` node with one output, `out`, of the
 * port type of the input it feeds, that writes what {@linkcode AppInput.send} queued.
 *
 * @param input The application input it serves.
 * @returns A definition for `rt.add()`.
 */
export function appInputNode(input: AppInput): NodeDefinition {
  class AppInputNode extends Processor<AppInputTypes> {
    override setup(ctx: SetupContext): void {
      input.wake = ctx.wake;
      ctx.wake?.(); // a run once started, for what was sent before
    }
    process(ctx: ProcessContext): void {
      if (input._drain(ctx, this.outputs.out)) ctx.endOfStream();
    }
    override teardown(): void {
      input._close("the graph stopped");
    }
  }
  return defineNode<AppInputTypes, AppInputNode>({
    descriptor: {
      name: "AppInput",
      description: `Application input '${input.name}': frames an application sends`,
      tags: ["app", "source"],
      mode: "pull",
      inputs: [],
      outputs: [{
        name: "out",
        direction: "output",
        portType: input.portType,
        required: false,
        description: "The frames sent.",
      }],
      config: { type: "object", properties: {}, additionalProperties: false },
      source: "core/app/app_input.ts",
    },
    processorClass: AppInputNode,
    accessors: (ports: PortTable) => ({
      inputs: {},
      outputs: { out: ports.output<Frame>("out") },
    }),
  }) as unknown as NodeDefinition;
}
