/**
 * The messages between a session and its isolate (a Worker running one runtime). Internal.
 *
 * @module
 */

import type { AppFrame } from "../core/app/app_output.ts";
import type { AppFrameInput } from "../core/app/frame_copy.ts";
import type { GraphDescription } from "../core/description.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import type { ChannelBuffers } from "./_channel.ts";

/** An error as it crosses: code, message and details. */
export interface WireError {
  /** The error's code. */
  readonly code: string;
  /** Its message. */
  readonly message: string;
  /** Its details. */
  readonly details: Record<string, JsonValue>;
}

/** What the session tells its isolate. */
export type ToIsolate =
  | {
    readonly t: "open";
    readonly manifest: unknown;
    /** The caller's values of the manifest's `parameters` (JSON), if any. */
    readonly parameters?: unknown;
    readonly registries: readonly string[];
    readonly memoryBudgetBytes: number;
    readonly maxFrameBytes: number;
    readonly window: number;
    /**
     * Whether the isolate, when it has not warmed this manifest yet, runs a warm-up session on it
     * first (a streaming session's first blocks then run compiled code; a unary run's need not).
     */
    readonly warmUp: boolean;
    /** The runner's `maxRunMs`: longest a processor may run without returning. */
    readonly maxRunMs: number;
    /** The isolate's end of the session's channel: every later message crosses it. */
    readonly buffers: ChannelBuffers;
    /** The port beside the channel's rings (see `SessionChannel`). */
    readonly port: MessagePort;
    /**
     * `stderr` when the host's stdout is reserved for a protocol (`serve --json`): the isolate's
     * `console.log` and kin print to stderr, as the runtime's Workers do then.
     */
    readonly console?: "stderr";
    /**
     * What the session's prints are marked with (`session s3 'voice-fx'`): every line a processor
     * prints (`console`) and every `ctx.log` line of its nodes goes to the process's output with
     * it in front, so none passes for the host's own lines.
     */
    readonly label?: string;
  }
  | {
    readonly t: "send";
    readonly id: number;
    readonly input: string;
    readonly frame: AppFrameInput;
    readonly metadata?: Record<string, string>;
    readonly seq?: number;
  }
  | { readonly t: "end"; readonly input: string }
  | { readonly t: "credit"; readonly output: string; readonly n: number }
  | { readonly t: "close" }
  | {
    /** Changes parameters of the running graph (`setParameters()`); answered by `configured`. */
    readonly t: "configure";
    readonly id: number;
    readonly values: unknown;
  }
  | {
    /** Asks the isolate for its heap in use and, with `graph`, its runtime's `describe()`. */
    readonly t: "inspect";
    readonly id: number;
    readonly graph: boolean;
  }
  | {
    readonly t: "preload";
    readonly registries: readonly string[];
    /** Manifests to prepare, and warm up on, before a session takes the isolate. */
    readonly warmup?: readonly unknown[];
    /** The runner's `maxRunMs`, for the warm-up sessions the isolate runs. */
    readonly maxRunMs?: number;
    /**
     * `stderr` when the host's stdout is reserved for a protocol (`serve --json`): the isolate's
     * `console.log` and kin print to stderr, as the runtime's Workers do then.
     */
    readonly console?: "stderr";
  };

/** What the isolate tells its session. */
export type FromIsolate =
  | {
    readonly t: "ready";
    readonly inputs: Record<string, string>;
    readonly outputs: Record<string, string>;
  }
  | { readonly t: "open-failed"; readonly error: WireError }
  | { readonly t: "ack"; readonly id: number; readonly seq: number }
  | { readonly t: "nack"; readonly id: number; readonly error: WireError }
  | { readonly t: "frame"; readonly output: string; readonly item: AppFrame }
  | { readonly t: "output-end"; readonly output: string }
  /** Every node of the graph reached end of stream (the runtime's `end-of-stream`). */
  | { readonly t: "graph-ended" }
  | { readonly t: "failed"; readonly error: WireError }
  | { readonly t: "closed" }
  /** A pooled isolate finished its preload (imports, warm-ups, GC) before a session took it. */
  | { readonly t: "preloaded" }
  /** The answer to `configure`: no error when every value was applied. */
  | { readonly t: "configured"; readonly id: number; readonly error?: WireError }
  | {
    readonly t: "inspected";
    readonly id: number;
    /** The isolate's JavaScript heap in use (`Deno.memoryUsage().heapUsed` there), in bytes. */
    readonly heapBytes: number;
    /** The graph, when asked for and the runtime exists. */
    readonly graph?: GraphDescription;
  };

/**
 * What the isolate posts on its Worker port just before it ends itself (`Deno.exit()`, `close()`):
 * a web Worker's end is not reported to the thread that started it otherwise.
 */
export interface IsolateExiting {
  readonly t: "exiting";
  /** The exit code it ends with. */
  readonly code: number;
}

/** An error as a {@linkcode WireError}. */
export function toWire(error: unknown, fallback: string): WireError {
  const e = error as { code?: unknown; message?: unknown; details?: unknown };
  let details: Record<string, JsonValue> = {};
  try {
    details = JSON.parse(JSON.stringify(e?.details ?? {}));
  } catch {
    details = {};
  }
  return {
    code: typeof e?.code === "string" ? e.code : fallback,
    message: typeof e?.message === "string" ? e.message : String(error),
    details,
  };
}
