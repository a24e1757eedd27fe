/**
 * The events a runtime emits, and the hub that delivers them.
 *
 * @module
 */

import type { ErrorPolicy } from "./error_policy.ts";
import type { DeliveryPolicy } from "./ring_contract.ts";
import type { NodeState, RuntimeState } from "./runtime_stats.ts";

/** Fields every runtime event has. */
export interface RuntimeEventBase {
  /** When it happened, on the media clock. */
  readonly timeNs: number;
}

/** The runtime changed state. */
export interface RuntimeStateEvent extends RuntimeEventBase {
  /** Discriminant. */
  readonly type: "runtime-state";
  /** The state before. */
  readonly from: RuntimeState;
  /** The state after. */
  readonly to: RuntimeState;
}

/** A node changed state. */
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

/** A node was added or removed. */
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

/** A connection was made or removed. */
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
 * Everything a runtime reports through `rt.on()`. Events are plain JSON-able objects with a
 * `type`, a `timeNs` and the ids involved.
 *
 * @example Log errors
 * ```ts
 * import type { RuntimeEvent } from "@streamlib/streamlib";
 *
 * function log(event: RuntimeEvent): void {
 *   if (event.type === "node-error") console.error(`${event.node}: ${event.message}`);
 * }
 * log({ type: "runtime-state", timeNs: 0, from: "stopped", to: "starting" });
 * ```
 */
export type RuntimeEvent =
  | RuntimeStateEvent
  | NodeStateEvent
  | NodeMembershipEvent
  | ConnectionEvent
  | NodeErrorEvent
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
 * import { nodeErrorEvent } from "@streamlib/streamlib";
 *
 * const event = nodeErrorEvent({
 *   timeNs: 0,
 *   node: "tone_1",
 *   phase: "process",
 *   policy: "stop-processor",
 *   action: "stop-processor",
 *   restarts: 0,
 * }, "boom");
 * console.log(event.name, event.message); // Error boom
 * ```
 */
export function nodeErrorEvent(
  fields: Omit<NodeErrorEvent, "type" | "name" | "message" | "stack">,
  error: unknown,
): NodeErrorEvent {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    type: "node-error",
    ...fields,
    name: e.name,
    message: e.message,
    stack: e.stack ?? null,
  };
}

/** A function that receives events. */
export type RuntimeEventListener = (event: RuntimeEvent) => void;

/**
 * Delivers events to listeners, synchronously, in subscription order. A listener that throws
 * does not stop the others or the runtime: its error is reported like an `EventTarget`
 * listener's (`reportError`).
 *
 * @example Subscribe and unsubscribe
 * ```ts
 * import { EventHub } from "@streamlib/streamlib";
 *
 * const hub = new EventHub();
 * const seen: string[] = [];
 * const off = hub.on((event) => seen.push(event.type));
 * hub.emit({ type: "runtime-state", timeNs: 0, from: "stopped", to: "starting" });
 * off();
 * hub.emit({ type: "runtime-state", timeNs: 1, from: "starting", to: "running" });
 * console.log(seen); // [ "runtime-state" ]
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
