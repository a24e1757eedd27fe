/**
 * Whether a running graph can still make anything: when every source (a node without inputs)
 * has ended or failed for good, and one failed, no frame will ever come again and a run that
 * waits for one waits forever. And the other way round: when every sink (a node without
 * outputs) has ended or failed for good, and one failed, nothing the graph makes goes anywhere.
 *
 * @module
 */

/** What {@linkcode silencedBy} reads of a node (a `NodeDescription` of `rt.describe()` is one). */
export interface SourceView {
  /** The node's id. */
  readonly id: string;
  /** The processor name. */
  readonly type: string;
  /** Its lifecycle state. */
  readonly state: string;
  /** Its error policy. */
  readonly onError: string;
  /** Its restart limit per run. */
  readonly maxRestarts: number;
  /** Its inputs (a source has none). */
  readonly inputs: readonly unknown[];
  /** Its outputs (a sink has none). */
  readonly outputs: readonly unknown[];
  /** Why it failed, or `null`. */
  readonly failure:
    | { readonly phase: string; readonly message: string; readonly code?: string }
    | null;
  /** Its counters. */
  readonly stats: { readonly restarts: number };
}

/**
 * Whether a node failed and will not be restarted in this run.
 *
 * @param node The node.
 * @returns Whether it is in `error` for good.
 */
export function failedForGood(node: SourceView): boolean {
  if (node.state !== "error") return false;
  return node.onError !== "restart" || node.stats.restarts >= node.maxRestarts;
}

/**
 * The sources that failed for good, when no source of the graph can produce any more (each has
 * ended or failed for good, and at least one failed); `undefined` while one still can, or when
 * the graph has no source or every source ended normally (end of stream says that).
 *
 * @param nodes The graph's nodes.
 * @param ended The ids of the nodes that reached end of stream in this run.
 * @returns The failed sources, or `undefined`.
 *
 * @example A graph whose only source failed in setup()
 * ```ts
 * import assert from "node:assert/strict";
 * import { silencedBy } from "./silent_sources.ts";
 *
 * const node = (id: string, inputs: number, state: string) => ({
 *   id, type: "T", state, onError: "stop-processor", maxRestarts: 3, inputs: Array(inputs).fill({}), outputs: [{}],
 *   failure: state === "error" ? { phase: "setup", message: "not a WAV file", code: "wav_format" } : null,
 *   stats: { restarts: 0 },
 * });
 * const graph = [node("src", 0, "error"), node("gain", 1, "running"), node("sink", 1, "running")];
 * assert.deepEqual(silencedBy(graph, new Set())?.map((n) => n.id), ["src"]);
 * assert.equal(silencedBy([...graph, node("tone", 0, "running")], new Set()), undefined);
 * ```
 */
export function silencedBy(
  nodes: readonly SourceView[],
  ended: ReadonlySet<string>,
): SourceView[] | undefined {
  const sources = nodes.filter((n) => n.inputs.length === 0);
  const failed = sources.filter(failedForGood);
  if (failed.length === 0) return undefined;
  const live = sources.some((n) => !ended.has(n.id) && !failedForGood(n));
  return live ? undefined : failed;
}

/**
 * The sinks that failed for good, when no sink of the graph can take anything any more (each has
 * ended or failed for good, and at least one failed: a `VideoWindow` with no display, a writer
 * whose folder is missing, beside a live source); `undefined` while one still can, or when the
 * graph has no sink.
 *
 * @param nodes The graph's nodes.
 * @param ended The ids of the nodes that reached end of stream in this run.
 * @returns The failed sinks, or `undefined`.
 *
 * @example A live source whose only sink failed in setup()
 * ```ts
 * import assert from "node:assert/strict";
 * import { deafenedBy } from "./silent_sources.ts";
 *
 * const node = (id: string, inputs: number, outputs: number, state: string) => ({
 *   id, type: "T", state, onError: "stop-processor", maxRestarts: 3,
 *   inputs: Array(inputs).fill({}), outputs: Array(outputs).fill({}),
 *   failure: state === "error" ? { phase: "setup", message: "no display" } : null,
 *   stats: { restarts: 0 },
 * });
 * const graph = [node("pattern", 0, 1, "running"), node("window", 1, 0, "error")];
 * assert.deepEqual(deafenedBy(graph, new Set())?.map((n) => n.id), ["window"]);
 * assert.equal(deafenedBy([...graph, node("file", 1, 0, "running")], new Set()), undefined);
 * ```
 */
export function deafenedBy(
  nodes: readonly SourceView[],
  ended: ReadonlySet<string>,
): SourceView[] | undefined {
  const sinks = nodes.filter((n) => n.outputs.length === 0);
  const failed = sinks.filter(failedForGood);
  if (failed.length === 0) return undefined;
  const live = sinks.some((n) => !ended.has(n.id) && !failedForGood(n));
  return live ? undefined : failed;
}
