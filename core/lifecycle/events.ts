/**
 * The events a runtime emits, and the hub that delivers them.
 *
 * @module
 */

import { failureCode } from "../errors/failure_code.ts";
import type { ErrorPolicy } from "./error_policy.ts";
import type { JsonValue } from "../schema/json_schema.ts";
import type { ConfigApplied } from "./live_config.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import type { NodeState, RuntimeState } from "./state.ts";
import type { LogLevel } from "../processor/log.ts";
import type { NodeWarningCode } from "../errors/warning_codes.ts";

/**
 * Fields every runtime event has.
 */
export interface RuntimeEventBase {
  /** When it happened, on the media clock. */
  readonly timeNs: number;
}

/**
 * The runtime changed state.
 */
export interface RuntimeStateEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "runtime-state";
  /** The state before. */
  readonly from: RuntimeState;
  /** The state after. */
  readonly to: RuntimeState;
}

/**
 * A node changed state.
 *
 * @example Follow one node's states
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type NodeStateEvent } from "./events.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", {}, { id: "gain" });
 * const states: NodeStateEvent["to"][] = [];
 * rt.on((event) => event.type === "node-state" && event.node === "gain" && states.push(event.to));
 * await rt.start();
 * await rt.stop();
 * assert.deepEqual(states, [ "starting", "running", "stopping", "stopped" ]);
 * ```
 */
export interface NodeStateEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-state";
  /** The node's id. */
  readonly node: string;
  /** The state before. */
  readonly from: NodeState;
  /** The state after. */
  readonly to: NodeState;
}

/**
 * A node was added or removed.
 *
 * @example Log nodes as they come and go
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type NodeMembershipEvent } from "./events.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * const log: string[] = [];
 * const record = (e: NodeMembershipEvent) => log.push(`${e.type} ${e.node} (${e.processor})`);
 * rt.on((event) => {
 *   if (event.type === "node-added" || event.type === "node-removed") record(event);
 * });
 * rt.add("Gain", {}, { id: "gain" });
 * rt.remove("gain");
 * assert.deepEqual(log, [ "node-added gain (Gain)", "node-removed gain (Gain)" ]);
 * ```
 */
export interface NodeMembershipEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-added" | "node-removed";
  /** The node's id. */
  readonly node: string;
  /** The processor name. */
  readonly processor: string;
  /** The isolate it runs in (`main`, `worker:<name>`). */
  readonly isolate: string;
}

/**
 * A connection was made or removed.
 */
export interface ConnectionEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "connection-added" | "connection-removed";
  /** The connection's id. */
  readonly connection: string;
  /** `node.port` of the output. */
  readonly from: string;
  /** `node.port` of the input. */
  readonly to: string;
  /** The buffer's capacity. */
  readonly capacity: number;
  /** The delivery policy. */
  readonly policy: DeliveryPolicy;
}

/**
 * A processor threw. `action` is what the runtime did about it: `stop-processor` (the node is
 * in state `error`), `stop-runtime`, `restart`, or `none` for errors in `teardown()`.
 */
export interface NodeErrorEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-error";
  /** The node's id. */
  readonly node: string;
  /** The method that threw. */
  readonly phase: "setup" | "process" | "teardown";
  /** The error's name (`TypeError`). */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /** The error's stable code (`permission_denied`, `invalid_config`, ...), when it has one. */
  readonly code?: string;
  /** The error's stack, when it has one. */
  readonly stack: string | null;
  /** The node's error policy. */
  readonly policy: ErrorPolicy;
  /** What the runtime did. */
  readonly action: ErrorPolicy | "none";
  /** Restarts made so far in this run. */
  readonly restarts: number;
}

/**
 * Something about a node the runtime goes on with but someone should know: for now, a required
 * input (`@input({ required: true })`) that has no connection when the runtime starts. The
 * runtime starts anyway (a connection may come later); the node just gets no frames there.
 *
 * @example Hear about an unconnected required input
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type NodeWarningEvent } from "./events.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("Gain", {}, { id: "gain" });
 * const warnings: NodeWarningEvent[] = [];
 * rt.on((event) => event.type === "node-warning" && warnings.push(event));
 * await rt.start();
 * await rt.stop();
 * assert.deepEqual(warnings.map((w) => `${w.code} ${w.node}.${w.port}`), [ "unconnected_required_input gain.in" ]);
 * ```
 */
export interface NodeWarningEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-warning";
  /**
   * What kind of warning: a required input without a connection (at start), frames never
   * released (at stop; `node` holds them, the last to read, write or keep them, and `port` is
   * where: the input it read them from or the output it wrote them to, `""` if none), or frames a node
   * could not finish for want of frame memory and dropped after waiting
   * `MEMORY_WAIT_LIMIT_MS` with nothing freed (`port` is the input they came from), or one a
   * processor raised with `ctx.warn()` (`av_drift`). Every code is in `NODE_WARNING_CODES`.
   */
  readonly code: NodeWarningCode;
  /** The node's id. */
  readonly node: string;
  /** The node's processor. */
  readonly processor: string;
  /** The port concerned. */
  readonly port: string;
  /** The warning in words, naming node and port. */
  readonly message: string;
}

export { NODE_WARNING_CODES, type NodeWarningCode } from "../errors/warning_codes.ts";

/**
 * A node's config changed (`rt.setConfig()`): live fields in place, others by setting the node
 * up again, or stored for its next setup (see `applied`). Same node, same connections.
 *
 * @example Log config changes
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeConfigEvent } from "./events.ts";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * await using rt = createRuntime();
 * rt.add("Gain", {}, { id: "gain" });
 * const log: string[] = [];
 * const record = (e: NodeConfigEvent) => log.push(`${e.node}: ${e.changed.join(", ")} (${e.applied})`);
 * rt.on((event) => event.type === "node-config" && record(event));
 * rt.setConfig("gain", { gain: 0.5 });
 * assert.deepEqual(log, [ "gain: gain (stored)" ]);
 * ```
 */
export interface NodeConfigEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-config";
  /** The node's id. */
  readonly node: string;
  /** The processor name. */
  readonly processor: string;
  /** The fields whose value changed. */
  readonly changed: readonly string[];
  /** The whole new config. */
  readonly config: JsonValue;
  /** How it was applied. */
  readonly applied: ConfigApplied;
}

/**
 * A Worker died (it exited, threw outside a processor, or stopped answering): its nodes went to
 * `error` (each with a `node-error` event) and the connections to and from them were torn down.
 * The rest of the graph keeps running.
 */
export interface WorkerExitEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "worker-exit";
  /** The Worker's name, from `{ worker: "<name>" }`. */
  readonly worker: string;
  /** Its isolate (`worker:<name>`). */
  readonly isolate: string;
  /** The nodes that ran in it, now in state `error`. */
  readonly nodes: readonly string[];
  /** The cross-isolate connections to and from them, now torn down. */
  readonly connections: readonly string[];
  /** Why: the uncaught error's message, the exit code, or the call that timed out. */
  readonly message: string;
  /** The exit code, when the Worker exited. */
  readonly exitCode: number | null;
}

/**
 * End of stream, GStreamer's EOS: `node-eos` when one node ended (a source called
 * `ctx.endOfStream()`, or every connected input of a node ended and was read empty), then
 * `end-of-stream` once every node of the graph has ended (a graph with a live source never
 * does). `streamlib run` stops the graph and exits 0 on `end-of-stream`.
 *
 * @example Stop when a file has played to its end
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const dir = await Deno.makeTempDir();
 * const record = createRuntime({ workers: false });
 * record.add("TestToneGenerator", {}, { id: "tone" });
 * record.add("WavWriter", { path: `${dir}/a.wav` }, { id: "wav" });
 * record.connectByName("tone", "audio", "wav", "in");
 * await record.start();
 * await new Promise((r) => setTimeout(r, 100));
 * await record.stop();
 *
 * const play = createRuntime({ workers: false });
 * play.add("WavFileSource", { path: `${dir}/a.wav` }, { id: "file" });
 * play.add("NullSink", {}, { id: "sink" });
 * play.connectByName("file", "audio", "sink", "in");
 * const nodes: string[] = [];
 * const ended = new Promise<void>((resolve) => {
 *   play.on((e) => {
 *     if (e.type === "node-eos") nodes.push(e.node);
 *     if (e.type === "end-of-stream") resolve();
 *   });
 * });
 * await play.start();
 * await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
 * assert.deepEqual(nodes, ["file", "sink"]);
 * assert.ok(play.ended);
 * await play.stop();
 * ```
 */
export interface EndOfStreamEvent extends RuntimeEventBase {
  /** Discriminant: every node of the graph has ended. */
  readonly type: "end-of-stream";
}

/**
 * One node reached end of stream (see {@linkcode EndOfStreamEvent}).
 *
 * @example Name the node
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeEndOfStreamEvent } from "@streamlib/streamlib/types";
 *
 * const event: NodeEndOfStreamEvent = { type: "node-eos", timeNs: 0, node: "file" };
 * assert.equal(event.node, "file");
 * ```
 */
export interface NodeEndOfStreamEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-eos";
  /** The node that ended. */
  readonly node: string;
  /**
   * `true` when the node asked for the whole graph to end (`ctx.endOfStream({ graph: true })`,
   * `VideoWindow` when its window is closed): the runtime then ends every source
   * (`rt.endOfStream()`). Absent otherwise.
   */
  readonly graph?: true;
}

/**
 * A line a processor logged with `ctx.log` (its `setup()`, `process()` or `teardown()`),
 * attributed to its node, in whichever isolate the node runs. Bounded: a message of at most
 * 2,000 characters, and at most 100 lines per node per second (`dropped` counts the lines left
 * out since the node's previous one).
 *
 * @example Show what processors log
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NodeLogEvent } from "./events.ts";
 *
 * const event: NodeLogEvent = {
 *   type: "node-log",
 *   timeNs: 0,
 *   node: "mic",
 *   level: "warn",
 *   message: "device busy, retrying",
 * };
 * assert.equal(`[${event.node}] ${event.level}: ${event.message}`, "[mic] warn: device busy, retrying");
 * ```
 */
export interface NodeLogEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "node-log";
  /** The node's id. */
  readonly node: string;
  /** How severe. */
  readonly level: LogLevel;
  /** The text. */
  readonly message: string;
  /** Structured detail, when the processor gave some. */
  readonly data?: JsonValue;
  /** Lines of this node dropped since its previous line, over the rate limit. */
  readonly dropped?: number;
}

/**
 * Everything a runtime reports through `rt.on()`. Events are plain JSON-able objects with a
 * `type`, a `timeNs` and the ids involved.
 */
export type RuntimeEvent =
  | RuntimeStateEvent
  | EndOfStreamEvent
  | NodeEndOfStreamEvent
  | NodeStateEvent
  | NodeMembershipEvent
  | ConnectionEvent
  | NodeErrorEvent
  | NodeWarningEvent
  | NodeConfigEvent
  | NodeLogEvent
  | WorkerExitEvent;

/**
 * Builds a `node-error` event from what was thrown (an `Error` or any other value).
 *
 * @param fields Everything but the error's name, message and stack.
 * @param error What was thrown.
 * @returns The event.
 *
 * @example Report a thrown string
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeErrorEvent } from "./events.ts";
 *
 * const event = nodeErrorEvent({
 *   timeNs: 0,
 *   node: "tone_1",
 *   phase: "process",
 *   policy: "stop-processor",
 *   action: "stop-processor",
 *   restarts: 0,
 * }, "boom");
 * assert.equal(event.name, "Error");
 * assert.equal(event.message, "boom");
 * ```
 */
export function nodeErrorEvent(
  fields: Omit<NodeErrorEvent, "type" | "name" | "message" | "stack">,
  error: unknown,
): NodeErrorEvent {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = failureCode(e);
  return {
    type: "node-error",
    ...fields,
    name: e.name,
    message: e.message,
    ...(code === undefined ? {} : { code }),
    stack: e.stack ?? null,
  };
}

/**
 * A function that receives events.
 *
 * @example Count events by type, then unsubscribe
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type RuntimeEventListener } from "./events.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * const counts: Record<string, number> = {};
 * const listener: RuntimeEventListener = (event) => {
 *   counts[event.type] = (counts[event.type] ?? 0) + 1;
 * };
 * const off = rt.on(listener);
 * rt.add("Gain", {});
 * rt.add("Gain", {});
 * off();
 * rt.add("Gain", {}); // not counted
 * assert.deepEqual(counts, { "node-added": 2 });
 * ```
 */
export type RuntimeEventListener = (event: RuntimeEvent) => void;

/**
 * Delivers events to listeners, synchronously, in subscription order. A listener that throws
 * does not stop the others or the runtime: its error is reported like an `EventTarget`
 * listener's (`reportError`).
 *
 * @example Subscribe and unsubscribe
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventHub } from "./events.ts";
 *
 * const hub = new EventHub();
 * const seen: string[] = [];
 * const off = hub.on((event) => seen.push(event.type));
 * hub.emit({ type: "runtime-state", timeNs: 0, from: "stopped", to: "starting" });
 * off();
 * hub.emit({ type: "runtime-state", timeNs: 1, from: "starting", to: "running" });
 * assert.deepEqual(seen, [ "runtime-state" ]);
 * ```
 */
export class EventHub {
  #listeners: RuntimeEventListener[] = [];

  /**
   * Subscribes a listener.
   *
   * @param listener Called with every event from now on.
   * @returns A function that unsubscribes it (idempotent).
   */
  on(listener: RuntimeEventListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Delivers an event to every listener.
   *
   * @param event The event.
   */
  emit(event: RuntimeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
