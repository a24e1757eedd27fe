/**
 * Relays for the MP4 stop and restart tests, defined by hand (what codegen writes for real
 * processors): one that breaks after a number of video frames, one that changes the sample rate of
 * one audio block. Not a test module itself.
 *
 * @module
 */

import {
  type AudioFrame,
  defineNode,
  type InputPort,
  type InputRef,
  type NodeDefinition,
  type OutputPort,
  type OutputRef,
  type PortTable,
  Processor,
  type VideoFrame,
} from "../../mod.ts";
import { processorInit } from "../../core/processor/processor.ts";
import type { ProcessorDescriptor } from "../../core/schema/descriptor.ts";

type RelayTypes<F, C> = {
  inputs: { readonly in: InputPort<F> };
  outputs: { readonly out: OutputPort<F> };
  config: C;
  handle: {
    readonly name: string;
    readonly processor: string;
    readonly inputs: { readonly in: InputRef<F> };
    readonly outputs: { readonly out: OutputRef<F> };
  };
};

function relayDescriptor(name: string, portType: string, field: string): ProcessorDescriptor {
  const port = (direction: "input" | "output", p: string) => ({
    name: p,
    direction,
    portType,
    required: false,
    description: p,
  });
  return {
    name,
    description: `${name}, a test relay.`,
    tags: ["test"],
    mode: "push",
    inputs: [port("input", "in")],
    outputs: [port("output", "out")],
    config: {
      type: "object",
      properties: { [field]: { type: "number", default: 0 } },
      additionalProperties: false,
    },
    source: "tests/media/mp4_fixture_nodes.ts",
  };
}

const accessors = (ports: PortTable) => ({
  inputs: { in: ports.input("in") },
  outputs: { out: ports.output("out") },
});

/** Passes video frames through; the `(throwAfter + 1)`-th frame it reads throws instead. */
export class BreakAfter extends Processor<RelayTypes<VideoFrame, { throwAfter: number }>> {
  /** Frames passed on. */
  passed = 0;

  /** Moves every waiting frame, or throws at the configured one. */
  process(): void {
    const { throwAfter } = processorInit(this)!.config as { throwAfter: number };
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      if (this.passed === throwAfter) {
        throw new Error(`BreakAfter: broke after ${throwAfter} frames`);
      }
      this.passed++;
      this.outputs.out.write(frame);
    }
  }
}

/** The node definition of {@linkcode BreakAfter}. */
export const breakAfterNode: NodeDefinition<
  BreakAfter,
  RelayTypes<VideoFrame, unknown>["handle"]
> = defineNode<
  RelayTypes<VideoFrame, { throwAfter: number }>,
  BreakAfter
>({
  descriptor: relayDescriptor("BreakAfter", "VideoFrame", "throwAfter"),
  processorClass: BreakAfter,
  accessors: accessors as never,
});

/**
 * Passes audio through; block number `switchAt` goes out labelled 16 kHz instead. Its stats give
 * the media time the blocks before it span (`firstNs` to `endNs`), which is what a writer that
 * places audio by timestamps records of them.
 */
export class RateSwitch extends Processor<RelayTypes<AudioFrame, { switchAt: number }>> {
  #seen = 0;
  #firstNs = 0;
  #endNs = 0;

  /** Moves every waiting block, relabelling the configured one. */
  process(): void {
    const { switchAt } = processorInit(this)!.config as { switchAt: number };
    let frame;
    while ((frame = this.inputs.in.read()) !== undefined) {
      const n = this.#seen++;
      if (n === 0) this.#firstNs = frame.timestampNs;
      if (n < switchAt) {
        this.#endNs = frame.timestampNs + (frame.frameCount / frame.sampleRate) * 1e9;
      }
      this.outputs.out.write(n === switchAt ? { ...frame, sampleRate: 16_000 } : frame);
    }
  }

  /**
   * The media time of the blocks before the switch.
   *
   * @returns `firstNs` and `endNs`.
   */
  override reportStats(): { [key: string]: number } {
    return { firstNs: this.#firstNs, endNs: this.#endNs };
  }
}

/** The node definition of {@linkcode RateSwitch}. */
export const rateSwitchNode: NodeDefinition<
  RateSwitch,
  RelayTypes<AudioFrame, unknown>["handle"]
> = defineNode<
  RelayTypes<AudioFrame, { switchAt: number }>,
  RateSwitch
>({
  descriptor: relayDescriptor("RateSwitch", "AudioFrame", "switchAt"),
  processorClass: RateSwitch,
  accessors: accessors as never,
});
