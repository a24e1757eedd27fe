/**
 * Default capacity and policy of a connection, by the frame type it carries.
 *
 * @module
 */

import { parsePortType } from "../ports/port_type.ts";
import { type DeliveryPolicy, MAX_RING_CAPACITY } from "../transport/ring.ts";

/**
 * The capacity and policy of one connection.
 */
export interface ConnectionOptions {
  /** Frames the connection buffers. */
  readonly capacity?: number;
  /** What a write into a full connection does. */
  readonly policy?: DeliveryPolicy;
}

const DEFAULTS: Record<string, Required<ConnectionOptions>> = {
  // A preview that falls behind skips to the newest picture; the camera never waits.
  VideoFrame: { capacity: 3, policy: "latest" },
  // The same for GPU video: a few textures in flight, the newest picture wins.
  GpuVideoFrame: { capacity: 3, policy: "latest" },
  // Dropping encoded frames breaks decoding: lossless, with room for a GOP's burst.
  EncodedVideoFrame: { capacity: 30, policy: "fifo" },
  // Lossless like audio; a second of AAC frames (47) or 20 ms Opus packets (50) at most.
  EncodedAudioFrame: { capacity: 16, policy: "fifo" },
  // Lossless, several blocks deep: room for a reader's jitter (capacity is a latency knob only).
  AudioFrame: { capacity: 8, policy: "fifo" },
  // Messages (stats, detections, control) are lossless.
  DataFrame: { capacity: 16, policy: "fifo" },
};

/**
 * The capacity and policy a connection gets when `connect()` is not told: video `latest` with
 * capacity 3, encoded video `fifo` 30, encoded audio `fifo` 16, audio `fifo` 8 (several blocks of jitter), data `fifo`
 * 16. The output's frame type decides; an output of type `Frame` defers to the input's, and two
 * `Frame` ports get `fifo` 8.
 *
 * @param outputType The port type of the writing side.
 * @param inputType The port type of the reading side.
 * @returns The defaults.
 *
 * @example Defaults for video and audio
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultConnectionOptions } from "./connection_defaults.ts";
 *
 * assert.deepEqual(defaultConnectionOptions("VideoFrame", "Frame"), { capacity: 3, policy: "latest" });
 * assert.deepEqual(defaultConnectionOptions("AudioFrame<2>", "AudioFrame<2>"), { capacity: 8, policy: "fifo" });
 * ```
 */
export function defaultConnectionOptions(
  outputType: string,
  inputType: string,
): Required<ConnectionOptions> {
  for (const type of [outputType, inputType]) {
    const name = parsePortType(type)?.name;
    if (name !== undefined && name in DEFAULTS) return { ...DEFAULTS[name] };
  }
  return { capacity: 8, policy: "fifo" };
}

/**
 * Checks connection options from `connect()` or a manifest.
 *
 * @param options The options.
 * @returns A phrase saying what is wrong, or `undefined` when they are valid.
 *
 * @example Reject a zero capacity
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionOptionsProblem } from "./connection_defaults.ts";
 *
 * assert.equal(
 *   connectionOptionsProblem({ capacity: 0 }),
 *   "capacity must be an integer from 1 to 16777216, got 0",
 * );
 * ```
 */
export function connectionOptionsProblem(options: {
  readonly capacity?: unknown;
  readonly policy?: unknown;
}): string | undefined {
  const { capacity, policy } = options;
  if (
    capacity !== undefined &&
    (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1 ||
      capacity > MAX_RING_CAPACITY)
  ) {
    return `capacity must be an integer from 1 to ${MAX_RING_CAPACITY}, got ${
      JSON.stringify(capacity)
    }`;
  }
  if (policy !== undefined && policy !== "latest" && policy !== "fifo") {
    return `policy must be "latest" or "fifo", got ${JSON.stringify(policy)}`;
  }
  return undefined;
}
