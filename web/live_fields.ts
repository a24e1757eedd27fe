/**
 * The recording lock: which config fields may change while the graph runs.
 *
 * A field is live-tunable when its processor can take a new value mid-stream without breaking
 * what it writes: a tone's frequency, a gain, reverb mix levels. Sizes, rates, formats and paths
 * are not: changing them while running would cut a recording or change a stream's shape under its
 * readers. Those change only while the graph is paused or stopped.
 *
 * The processor model has no live marker yet, so the built-in processors' live fields are listed
 * here; a config schema property carrying `"x-live": true` is live as well (the keyword a future
 * `@live` JSDoc tag in codegen would emit).
 *
 * @module
 */

import type { ProcessorDescriptor } from "../mod.ts";

/**
 * The live-tunable config fields of the built-in processors, by processor name.
 *
 * @example Which fields of a tone may change while the graph runs
 * ```ts
 * import { BUILTIN_LIVE_FIELDS } from "@streamlib/streamlib/web";
 *
 * const live = BUILTIN_LIVE_FIELDS.TestToneGenerator;
 * console.log(live); // [ "frequency", "amplitude", "waveform" ]
 * console.log(live.includes("blockSize")); // false
 * console.log(BUILTIN_LIVE_FIELDS.VideoScale); // undefined
 * ```
 */
export const BUILTIN_LIVE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  AudioMixer: ["gains", "waitForAll"],
  Gain: ["gain"],
  Reverb: ["roomSize", "damping", "wet", "dry", "width"],
  TestToneGenerator: ["frequency", "amplitude", "waveform"],
  WavFileSource: ["loop"],
  Y4mFileSource: ["loop"],
};

/**
 * The config fields of a processor that may change while the graph runs, in schema order.
 *
 * @param descriptor The processor's descriptor.
 * @returns The field names.
 *
 * @example The tone's live fields
 * ```ts
 * import { liveFields } from "./live_fields.ts";
 * import { testToneGeneratorNode } from "../processors/mod.ts";
 *
 * console.log(liveFields(testToneGeneratorNode.descriptor)); // [ "frequency", "amplitude", "waveform" ]
 * ```
 */
export function liveFields(descriptor: ProcessorDescriptor): string[] {
  const properties = descriptor.config.properties ?? {};
  const listed = BUILTIN_LIVE_FIELDS[descriptor.name] ?? [];
  return Object.entries(properties)
    .filter(([name, schema]) =>
      listed.includes(name) || (schema as Record<string, unknown>)["x-live"] === true
    )
    .map(([name]) => name);
}

/**
 * Thrown when a config change touches fields that are not live-tunable while the graph runs.
 *
 * @example The message names the fields and what is allowed
 * ```ts
 * import { RecordingLockError } from "./live_fields.ts";
 *
 * const error = new RecordingLockError("tone", ["blockSize"], ["frequency", "amplitude"]);
 * console.log(error.message);
 * // Cannot change 'blockSize' of node 'tone' while the graph is running: live fields are frequency, amplitude; pause or stop the graph first
 * ```
 */
export class RecordingLockError extends Error {
  /** The node's id. */
  readonly node: string;
  /** The fields that cannot change now. */
  readonly fields: readonly string[];
  /** The fields that can. */
  readonly live: readonly string[];

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param fields The locked fields the change touched.
   * @param live The node's live fields.
   */
  constructor(node: string, fields: readonly string[], live: readonly string[]) {
    const names = fields.map((f) => `'${f}'`).join(", ");
    const allowed = live.length > 0
      ? `live fields are ${live.join(", ")}`
      : "it has no live fields";
    super(
      `Cannot change ${names} of node '${node}' while the graph is running: ${allowed}; pause or stop the graph first`,
    );
    this.name = "RecordingLockError";
    this.node = node;
    this.fields = fields;
    this.live = live;
  }
}
