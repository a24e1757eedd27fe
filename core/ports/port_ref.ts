/**
 * Typed references to the ports of a node in a graph: what `rt.add()` hands back and what a typed
 * `connect()` takes. The frame type rides along in the type, so connecting an output to an input
 * of another frame type does not compile.
 *
 * @module
 */

import type { InputPort } from "./input_port.ts";
import type { OutputPort } from "./output_port.ts";
import { PortNotFoundError } from "./port_table.ts";
import type { PortDescriptor, ProcessorDescriptor } from "../schema/descriptor.ts";

/**
 * A reference to an input of a node. Contravariant in `T`: an `InputRef<Frame>` accepts any
 * output.
 *
 * @typeParam T The frame type the input reads.
 *
 * @example Name an input by hand (the generated node handles do this for you)
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioFrame, InputRef } from "@streamlib/streamlib";
 *
 * const ref: InputRef<AudioFrame<2>> = {
 *   node: "mixer",
 *   port: "in_0",
 *   portType: "AudioFrame<2>",
 *   direction: "input",
 * };
 * assert.equal(`${ref.node}.${ref.port}`, "mixer.in_0");
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
 * import assert from "node:assert/strict";
 * import type { OutputRef, VideoFrame } from "@streamlib/streamlib";
 *
 * const ref: OutputRef<VideoFrame> = {
 *   node: "camera",
 *   port: "video",
 *   portType: "VideoFrame",
 *   direction: "output",
 * };
 * assert.equal(ref.portType, "VideoFrame");
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
 * import assert from "node:assert/strict";
 * import { createNodeHandle } from "./port_ref.ts";
 * import { gainNode } from "../../processors/transforms/gain.gen.ts";
 *
 * const handle = createNodeHandle("gain", gainNode.descriptor);
 * assert.equal(handle.inputs.in.portType, "AudioFrame<2>");
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
 * The handle of a node added by processor name (`rt.add("Gain")`), whose port types are known
 * only at run time. Its refs connect to any ref: `rt.connect()` checks the port types when it
 * runs (a mismatch throws `PortTypeMismatchError`), and a misspelt port throws
 * `PortNotFoundError` naming the available ports.
 *
 * @example Connect nodes added by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DynamicNodeHandle, Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * const tone: DynamicNodeHandle = rt.add("TestToneGenerator");
 * const sink = rt.add("NullSink");
 * const { from } = rt.connect(tone.outputs.audio, sink.inputs.in);
 * assert.equal(from, `${tone.name}.audio`);
 * assert.throws(() => tone.outputs.audo, /did you mean audio\?/);
 * ```
 */
export interface DynamicNodeHandle extends NodeHandle {
  /** References to the inputs, by port name; each accepts any output, checked at run time. */
  readonly inputs: { readonly [port: string]: InputRef<unknown> };
  /** References to the outputs, by port name; each fits any input, checked at run time. */
  readonly outputs: { readonly [port: string]: OutputRef<never> };
}

/**
 * The frame type of a port type: `FrameOf<InputPort<AudioFrame<2>>>` is `AudioFrame<2>`.
 *
 * @example Extract a frame type
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AudioFrame, FrameOf, InputPort } from "@streamlib/streamlib";
 *
 * const frame: FrameOf<InputPort<AudioFrame<1>>> | undefined = undefined;
 * assert.equal(frame, undefined);
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
 * import assert from "node:assert/strict";
 * import { createNodeHandle } from "./port_ref.ts";
 * import { testToneGeneratorNode } from "../../processors/sources/test_tone_generator.gen.ts";
 *
 * const tone = createNodeHandle("tone", testToneGeneratorNode.descriptor);
 * assert.equal(tone.outputs.audio.node, "tone");
 * ```
 */
export function createNodeHandle(
  node: string,
  descriptor: ProcessorDescriptor,
): DynamicNodeHandle {
  const refs = <D extends "input" | "output">(ports: readonly PortDescriptor[], direction: D) =>
    portsOf(
      node,
      direction,
      Object.fromEntries(
        ports.map((p) => [p.name, { node, port: p.name, portType: p.portType, direction }]),
      ),
    );
  return {
    name: node,
    processor: descriptor.name,
    inputs: refs(descriptor.inputs, "input"),
    outputs: refs(descriptor.outputs, "output"),
  };
}

/** Names a reader may probe on any object without meaning a port (serializers, thenables). */
const NOT_PORTS = new Set(["toJSON", "then", "asymmetricMatch", "$$typeof", "nodeType"]);

/**
 * The frozen refs of one direction, behind a proxy that throws `PortNotFoundError` (with the
 * available ports and a "did you mean") for a port name that does not exist, so a misspelt
 * `tone.outputs.audo` fails where it is written instead of as `undefined` later.
 */
function portsOf<R>(
  node: string,
  direction: "input" | "output",
  refs: Record<string, R>,
): { readonly [port: string]: R } {
  return new Proxy(Object.freeze(refs), {
    get(target, key, receiver) {
      if (
        typeof key === "symbol" || Object.hasOwn(target, key) || key in Object.prototype ||
        NOT_PORTS.has(key)
      ) {
        return Reflect.get(target, key, receiver);
      }
      throw new PortNotFoundError(node, direction, key, Object.keys(target));
    },
  });
}
