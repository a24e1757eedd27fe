/**
 * Live-tunable config (the "recording lock"): which config fields of a processor may change
 * while its node runs, what `rt.setConfig()` returns, and the errors it throws.
 *
 * A processor marks a field live-tunable with a `@live` JSDoc tag on its config interface;
 * codegen puts `"x-live": true` on that property of the config schema. Live fields change in
 * place, between two `process()` calls, and the processor hears of it through
 * `configChanged(changed)`. Other fields (sizes, rates, formats, paths) change only while the
 * node is not running: the node is then set up again with them.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import type { JsonSchema, JsonValue } from "../schema/json_schema.ts";
import type { NodeState, RuntimeState } from "./stats.ts";

/**
 * The config fields a processor marks live-tunable (`"x-live": true`, from `@live`), in schema
 * order.
 *
 * @param descriptor The processor's descriptor (anything with its config schema).
 * @returns The field names.
 *
 * @example The tone's live fields
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveFields } from "./live_config.ts";
 * import { testToneGeneratorNode } from "../../processors/sources/test_tone_generator.gen.ts";
 * import { videoScaleNode } from "../../processors/transforms/video_scale.gen.ts";
 *
 * assert.deepEqual(liveFields(testToneGeneratorNode.descriptor), [ "frequency", "amplitude", "waveform" ]);
 * assert.deepEqual(liveFields(videoScaleNode.descriptor), []);
 * ```
 */
export function liveFields(descriptor: { readonly config: JsonSchema }): string[] {
  return Object.entries(descriptor.config.properties ?? {})
    .filter(([, schema]) => schema["x-live"] === true)
    .map(([name]) => name);
}

/**
 * How `rt.setConfig()` applied a change: `live` (written in place, `configChanged()` called on
 * a set-up node), `setup` (the node is torn down and set up again with it, keeping its
 * connections), `stored` (the node is not set up: its next setup reads it), `none` (no value
 * changed).
 *
 * @example Say what a change did
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConfigApplied } from "./live_config.ts";
 *
 * const say: Record<ConfigApplied, string> = {
 *   live: "changed in place",
 *   setup: "set up again",
 *   stored: "used at the next start",
 *   none: "nothing changed",
 * };
 * assert.equal(say.live, "changed in place");
 * ```
 */
export type ConfigApplied = "live" | "setup" | "stored" | "none";

/**
 * What `rt.setConfig()` did.
 */
export interface ConfigChange {
  /** The node's id. */
  readonly node: string;
  /** The whole new config, defaults filled in. */
  readonly config: JsonValue;
  /** The fields whose value changed, in schema order (empty when none did). */
  readonly changed: readonly string[];
  /** How it was applied. */
  readonly applied: ConfigApplied;
}

/**
 * Thrown by `rt.setConfig()` when a change touches fields that are not live-tunable while the
 * node runs (or is starting or stopping, or the runtime is): the recording lock. Nothing
 * changed; pause or stop the graph, then change them.
 *
 * @example A tone's block size is locked while it runs; its frequency is not
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigLockedError } from "@streamlib/streamlib";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * await rt.start();
 * assert.throws(
 *   () => rt.setConfig("tone", { blockSize: 960 }),
 *   (error) => {
 *     assert.deepEqual(
 *       error instanceof ConfigLockedError && error.live,
 *       ["frequency", "amplitude", "waveform"],
 *     );
 *     assert.equal(
 *       (error as Error).message,
 *       "Cannot change 'blockSize' of node 'tone' while it is running: its live fields are frequency, amplitude, waveform; pause or stop the graph to change the others",
 *     );
 *     return true;
 *   },
 * );
 * ```
 */
export class ConfigLockedError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "config_locked";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      state: this.state,
      fields: [...this.fields],
      available: [...this.live],
    };
  }
  /** The node's id. */
  readonly node: string;
  /** The state that locks the fields (the node's, or the runtime's while it starts or stops). */
  readonly state: NodeState | RuntimeState;
  /** The fields that cannot change now. */
  readonly fields: readonly string[];
  /** The node's live-tunable fields, which can. */
  readonly live: readonly string[];

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param state The state that locks the fields.
   * @param fields The locked fields the change touched.
   * @param live The node's live fields.
   */
  constructor(
    node: string,
    state: NodeState | RuntimeState,
    fields: readonly string[],
    live: readonly string[],
  ) {
    const names = fields.map((f) => `'${f}'`).join(", ");
    const allowed = live.length > 0
      ? `its live fields are ${live.join(", ")}; pause or stop the graph to change the others`
      : "it has no live fields; pause or stop the graph to change its config";
    super(`Cannot change ${names} of node '${node}' while it is ${state}: ${allowed}`);
    this.name = "ConfigLockedError";
    this.node = node;
    this.state = state;
    this.fields = fields;
    this.live = live;
  }
}

/**
 * Thrown by `rt.setConfig()` when the node's isolate host cannot change a config in place (a
 * native plugin's nodes): remove the node and add it again with the new config.
 *
 * @example The message names the node and its isolate
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotReconfigurableError } from "@streamlib/streamlib";
 *
 * assert.equal(
 *   new NotReconfigurableError("invert", "native:example").message,
 *   "Cannot change the config of node 'invert': its isolate native:example cannot change a config in place; remove the node and add it again with the new config",
 * );
 * ```
 */
export class NotReconfigurableError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode = "not_reconfigurable";
  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { node: this.node, isolate: this.isolate };
  }
  /** The node's id. */
  readonly node: string;
  /** Its isolate. */
  readonly isolate: string;

  /**
   * Creates the error.
   *
   * @param node The node's id.
   * @param isolate Its isolate.
   */
  constructor(node: string, isolate: string) {
    super(
      `Cannot change the config of node '${node}': its isolate ${isolate} cannot change a config in place; remove the node and add it again with the new config`,
    );
    this.name = "NotReconfigurableError";
    this.node = node;
    this.isolate = isolate;
  }
}
