/**
 * Typed references to the ports of a node in a graph: what `rt.add()` hands back and what a typed
 * `connect()` takes. The frame type rides along in the type, so connecting an output to an input
 * of another frame type does not compile.
 *
 * @module
 */

import type { InputPort } from "./input_port.ts";
import type { OutputPort } from "./output_port.ts";
import type { PortDescriptor, ProcessorDescriptor } from "./processor_descriptor.ts";

/**
 * A reference to an input of a node. Contravariant in `T`: an `InputRef<Frame>` accepts any
 * output.
 *
 * @typeParam T The frame type the input reads.
 *
 * @example Name an input by hand (the generated node handles do this for you)
 * ```ts
 * import type { AudioFrame, InputRef } from "@streamlib/streamlib";
 *
 * const ref: InputRef<AudioFrame<2>> = {
 *   node: "mixer",
 *   port: "in_0",
 *   portType: "AudioFrame<2>",
 *   direction: "input",
 * };
 * console.log(`${ref.node}.${ref.port}`); // mixer.in_0
 * ```
 */
export interface InputRef<in T> {
  /** The node's name in the graph. */
  readonly node: string;
  /** The input's name. */
  readonly port: string;
  /** The port type string. */
  readonly portType: string;
  /** Always `"input"`. */
  readonly direction: "input";
  /** Type-level only: never set. Carries the frame type contravariantly. */
  readonly __accepts?: (frame: T) => void;
}

/**
 * A reference to an output of a node. Covariant in `T`.
 *
 * @typeParam T The frame type the output writes.
 *
 * @example Name an output by hand
 * ```ts
 * import type { OutputRef, VideoFrame } from "@streamlib/streamlib";
 *
 * const ref: OutputRef<VideoFrame> = {
 *   node: "camera",
 *   port: "video",
 *   portType: "VideoFrame",
 *   direction: "output",
 * };
 * console.log(ref.portType); // VideoFrame
 * ```
 */
export interface OutputRef<out T> {
  /** The node's name in the graph. */
  readonly node: string;
  /** The output's name. */
  readonly port: string;
  /** The port type string. */
  readonly portType: string;
  /** Always `"output"`. */
  readonly direction: "output";
  /** Type-level only: never set. Carries the frame type covariantly. */
  readonly __carries?: () => T;
}

/**
 * A node in a graph with typed references to its ports. `deno task codegen` writes one interface
 * per processor (`GainHandle`) that narrows `inputs` and `outputs` to the real ports.
 *
 * @example Build a handle from a descriptor
 * ```ts
 * import { createNodeHandle } from "@streamlib/streamlib";
 * import { gainNode } from "@streamlib/streamlib/processors";
 *
 * const handle = createNodeHandle("gain", gainNode.descriptor);
 * console.log(handle.inputs.in.portType); // AudioFrame<2>
 * ```
 */
export interface NodeHandle {
  /** The node's name in the graph. */
  readonly name: string;
  /** The processor name (the class name). */
  readonly processor: string;
  /** References to the inputs, by port name. */
  readonly inputs: { readonly [port: string]: InputRef<never> };
  /** References to the outputs, by port name. */
  readonly outputs: { readonly [port: string]: OutputRef<unknown> };
}

/**
 * The frame type of a port type: `FrameOf<InputPort<AudioFrame<2>>>` is `AudioFrame<2>`.
 *
 * @example Extract a frame type
 * ```ts
 * import type { AudioFrame, FrameOf, InputPort } from "@streamlib/streamlib";
 *
 * const frame: FrameOf<InputPort<AudioFrame<1>>> | undefined = undefined;
 * console.log(frame); // undefined
 * ```
 */
export type FrameOf<P> = P extends InputPort<infer F> ? F
  : P extends OutputPort<infer F> ? F
  : never;

/**
 * Makes the port references of a node from its descriptor.
 *
 * @param node The node's name in the graph.
 * @param descriptor The processor's descriptor.
 * @returns A handle whose refs carry each port's name and type string.
 *
 * @example Reference an output
 * ```ts
 * import { createNodeHandle } from "@streamlib/streamlib";
 * import { testToneGeneratorNode } from "@streamlib/streamlib/processors";
 *
 * const tone = createNodeHandle("tone", testToneGeneratorNode.descriptor);
 * console.log(tone.outputs.audio.node); // tone
 * ```
 */
export function createNodeHandle(node: string, descriptor: ProcessorDescriptor): NodeHandle {
  const refs = <D extends "input" | "output">(ports: readonly PortDescriptor[], direction: D) =>
    Object.fromEntries(
      ports.map((p) => [p.name, { node, port: p.name, portType: p.portType, direction }]),
    );
  return {
    name: node,
    processor: descriptor.name,
    inputs: Object.freeze(refs(descriptor.inputs, "input")),
    outputs: Object.freeze(refs(descriptor.outputs, "output")),
  };
}
