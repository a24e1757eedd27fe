/**
 * {@linkcode PipelineRunner}: runs manifests for whoever asks, each run in an isolate of its
 * own, knowing no transport.
 *
 * @module
 */

import type { AppFrameInput } from "../core/app/frame_copy.ts";
import type { ErrorCode } from "../core/errors/codes.ts";
import type { NodeRegistry } from "../core/registry/node_registry.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import { SessionError } from "./errors.ts";
import { checkParametersFit, checkParameterValues } from "./_parameter_values.ts";
import { stdoutReserved } from "../core/processor/stdout_guard.ts";
import type { SessionInfo, SessionSnapshot } from "./info.ts";
import { type ResolvedLimits, resolveLimits, type RunnerLimits } from "./limits.ts";
import type { SessionIsolate } from "./_isolate.ts";
import { Session, type SessionFrame, startIsolate } from "./session.ts";

/** Options of a {@linkcode PipelineRunner}. */
export interface RunnerOptions extends RunnerLimits {
  /**
   * Module URLs whose `registry` export (a generated `registry.gen.ts`) the sessions' runtimes
   * use. Default: the built-in processors.
   */
  readonly registries?: readonly (string | URL)[];
  /**
   * The processors of `registries`, loaded in this thread (`streamlib serve` passes those it
   * loaded to list parameters): an open's parameters are checked against the manifest's declared
   * parameters and their fields' schemas before an isolate is taken, so an `unknown_parameter` or
   * `invalid_parameter` costs no isolate start (about 150 ms of CPU). Default: the built-in
   * processors (imported at the first open with parameters) when `registries` is not given;
   * with `registries` and no `processors`, the session's isolate checks them.
   */
  readonly processors?: NodeRegistry;
  /**
   * Isolates kept started ahead of sessions, their registries imported: a session takes one and
   * only loads its graph, and another starts in the background (at once for `stream()`; for
   * `execute()` once its run ends, so the new isolate's start does not take CPU from the run).
   * Replacements start one at a time, each once the previous one has preloaded: after a burst of
   * opens, `pooled` grows back one isolate at a time. They do not keep the process alive;
   * `close()` ends them. Default 0 (each session starts its own).
   */
  readonly pool?: number;
  /**
   * How long a pooled isolate's replacement waits before it starts, in milliseconds: its start
   * (a Worker, the registries, the warm-up) takes CPU, which on a small machine slows the session
   * or the unary run's caller that just took the pooled isolate. Default 0 (at once for
   * `stream()`, as `execute()`'s run ends for `execute()`).
   */
  readonly poolRefillDelayMs?: number;
  /**
   * Manifests each pooled isolate prepares before it waits for a session: their processors'
   * modules are imported, so a session on one of them only builds its graph (about half the set-up
   * time), and a warm-up session runs blocks through the first 4 of them whose processors all
   * declare `needsEventLoop: false`, so a session's first blocks run compiled code (see
   * `docs/sessions.md`, "Warm-up sessions"). With any, the pooled isolate also opens the native
   * library (when it is built), so a session whose processors run native code only binds their
   * symbols. `streamlib serve` passes its catalog's manifests. Default: none.
   */
  readonly warmup?: readonly unknown[];
}

/** What `stream()` and `execute()` take beside the manifest. */
export interface StreamOptions {
  /**
   * The pipeline's name, as the caller's transport knows it (a catalog name): what
   * `list()` shows an operator. Default `""`.
   */
  readonly pipeline?: string;
  /**
   * Values of the manifest's `parameters` (`{ "gain": 1.5 }`): each is written into the config
   * field the manifest's parameter targets before the graph starts. A name the manifest does not
   * declare fails the open with `unknown_parameter`, a value its field refuses with
   * `invalid_parameter`. Default none.
   */
  readonly parameters?: Readonly<Record<string, JsonValue>>;
  /**
   * Aborts the open (`stream()`: the session is closed and the open rejects with the signal's
   * reason, as `fetch()` does) or the whole run (`execute()`: its session is closed, and it
   * rejects with the reason). A signal already aborted opens nothing. Default none.
   */
  readonly signal?: AbortSignal;
}

/** What `end()` takes. */
export interface EndOptions {
  /** The code the session ends with. Default `session_ended_by_operator`. */
  readonly code?: ErrorCode;
  /** Why, in words. Default `an operator ended it`. */
  readonly reason?: string;
}

/** The longest session id `session()`, `inspect()` and `end()` quote back in an error. */
const MAX_QUOTED_ID = 64;

/** A frame `execute()` sends: the frame and, optionally, its metadata. */
export type ExecuteInput = AppFrameInput | {
  /** The frame. */
  readonly frame: AppFrameInput;
  /** String metadata carried with it. */
  readonly metadata?: Record<string, string>;
};

/** Sends `execute()` keeps in flight per input. */
const EXECUTE_WINDOW = 32;

const BUILTIN = new URL("../processors/registry.gen.ts", import.meta.url).href;

/**
 * Runs pipelines (manifests with application `inputs` and `outputs`) in isolates of their own:
 * `execute()` for a whole input at once (unary), `stream()` for a session a caller feeds and
 * reads as it goes. A session's crash, hang or leak ends that session only, with a
 * {@linkcode SessionError}; the runner's limits bound how many run, their memory, their idle
 * time, their length and their message size.
 *
 * @example A unary run through a gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineRunner } from "@streamlib/streamlib/sessions";
 *
 * const runner = new PipelineRunner({ maxSessions: 2 });
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 2 } }],
 *   inputs: { audio: "fx.in" },
 *   outputs: { audio: "fx.out" },
 * };
 * const block = { kind: "audio", channels: 2, sampleRate: 48000, samples: new Float32Array([0.25, 0.5]) } as const;
 * const outputs = await runner.execute(manifest, { audio: [block, block] });
 * assert.equal(outputs.audio.length, 2);
 * assert.deepEqual([...(outputs.audio[0].frame as { samples: Float32Array }).samples], [0.5, 1]);
 * assert.equal(runner.active, 0);
 * ```
 */
export class PipelineRunner {
  readonly #limits: ResolvedLimits;
  readonly #registries: string[];
  /** The processors parameters are checked against before an isolate is taken, if known. */
  #processors: NodeRegistry | Promise<NodeRegistry | undefined> | undefined;
  readonly #warmup: readonly unknown[];
  readonly #sessions = new Map<string, Session>();
  #next = 1;
  #refused = 0;
  readonly #poolSize: number;
  #refillDelayMs = 0;
  #refillTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pool: SessionIsolate[] = [];
  /** The replacement isolate preloading now, if any: replacements preload one at a time. */
  #preloading: SessionIsolate | undefined;
  #closed = false;

  /**
   * A runner with no session yet.
   *
   * @param options Limits and the processors sessions may use.
   * @throws {RangeError} When a limit is not a positive number.
   */
  constructor(options: RunnerOptions = {}) {
    this.#limits = resolveLimits(options);
    this.#registries = (options.registries ?? [BUILTIN]).map((u) => new URL(u).href);
    this.#processors = options.processors;
    this.#warmup = [...(options.warmup ?? [])];
    const pool = options.pool ?? 0;
    if (!(Number.isInteger(pool) && pool >= 0 && pool <= 256)) {
      throw new RangeError(
        `Invalid runner option pool: must be an integer from 0 to 256, got ${pool}`,
      );
    }
    this.#poolSize = pool;
    const delay = options.poolRefillDelayMs ?? 0;
    if (!(Number.isFinite(delay) && delay >= 0)) {
      throw new RangeError(
        `Invalid runner option poolRefillDelayMs: must be a number of 0 or more, got ${delay}`,
      );
    }
    this.#refillDelayMs = delay;
    this.#fillPool(true);
  }

  /** Isolates started and waiting for a session. */
  get pooled(): number {
    return this.#pool.length;
  }

  /** Refills the pool after `poolRefillDelayMs` (at once without one). */
  #refill(): void {
    if (this.#refillDelayMs === 0) return this.#fillPool();
    if (this.#refillTimer !== undefined || this.#closed) return;
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      this.#fillPool();
    }, this.#refillDelayMs);
    Deno.unrefTimer(this.#refillTimer as unknown as number);
  }

  /**
   * Starts isolates until the pool is full: all at once when the runner is made (`all`), else
   * one replacement at a time, the next once the previous one has preloaded or was taken (one
   * that ended instead is replaced at the next take). A burst of opens empties the pool at once;
   * replacements started together would preload together, on the cores the new sessions' first
   * blocks need (`bench/session_burst_bench.ts`).
   */
  #fillPool(all = false): void {
    while (!this.#closed && this.#pool.length < this.#poolSize) {
      if (!all && this.#preloading !== undefined) return;
      const worker = startIsolate();
      worker.unref();
      worker.postMessage({
        t: "preload",
        registries: this.#registries,
        warmup: this.#warmup,
        maxRunMs: this.#limits.maxRunMs,
        ...(stdoutReserved() && { console: "stderr" as const }),
      });
      const drop = () => {
        const i = this.#pool.indexOf(worker);
        if (i >= 0) this.#pool.splice(i, 1);
        if (this.#preloading === worker) this.#preloading = undefined;
      };
      worker.once("exit", drop);
      worker.once("error", drop);
      // Its first message: `preloaded`, or (taken before its preload ended) a session's first.
      // Once, so a session's messages pay nothing for it.
      worker.once("message", (message: { t?: string }) => {
        if (message?.t !== "preloaded" || this.#preloading !== worker) return;
        this.#preloading = undefined;
        this.#fillPool();
      });
      this.#pool.push(worker);
      if (!all) this.#preloading = worker;
    }
  }

  /** The limits in force, defaults filled in. */
  get limits(): ResolvedLimits {
    return this.#limits;
  }

  /** Sessions open now. */
  get active(): number {
    return this.#sessions.size;
  }

  /** Sessions refused by `maxSessions` since the runner was made. */
  get refused(): number {
    return this.#refused;
  }

  /** The open sessions. */
  sessions(): Session[] {
    return [...this.#sessions.values()];
  }

  /**
   * One open session by id.
   *
   * @param id The session's id.
   * @returns The session.
   * @throws {SessionError} `session_not_found` when no open session has the id (its
   * `details.available` lists up to 20 open ids).
   */
  session(id: string): Session {
    const session = typeof id === "string" ? this.#sessions.get(id) : undefined;
    if (session) return session;
    const available = [...this.#sessions.keys()].slice(0, 20);
    const shown = String(id).slice(0, MAX_QUOTED_ID);
    throw new SessionError(
      "session_not_found",
      `No open session '${shown}'${
        String(id).length > MAX_QUOTED_ID ? "..." : ""
      }, open sessions: ${available.join(", ") || "none"}`,
      "",
      { id: shown, available },
    );
  }

  /**
   * Every open session as an operator sees it: id, pipeline, state, start time, frame counts and
   * its isolate's heap (each isolate is asked at once; one that does not answer within 2 s shows
   * `heapBytes: null`).
   *
   * @returns The sessions, oldest first.
   *
   * @example List a session
   * ```ts
   * import assert from "node:assert/strict";
   * import { PipelineRunner } from "@streamlib/streamlib/sessions";
   *
   * const runner = new PipelineRunner();
   * const manifest = { version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { a: "fx.in" }, outputs: { a: "fx.out" } };
   * const session = await runner.stream(manifest, { pipeline: "gain" });
   * const [info] = await runner.list();
   * assert.deepEqual([info.id, info.pipeline, info.state], [session.id, "gain", "running"]);
   * assert.ok(info.heapBytes! > 0);
   * await runner.close();
   * ```
   */
  list(): Promise<SessionInfo[]> {
    return Promise.all([...this.#sessions.values()].map((session) => session.info()));
  }

  /**
   * One open session and its graph (`describe()` of its runtime).
   *
   * @param id The session's id.
   * @returns The snapshot.
   * @throws {SessionError} `session_not_found`; `session_unresponsive` when its isolate does not
   * answer within 2 s; the session's own error when it ends meanwhile.
   *
   * @example The nodes of a session's graph
   * ```ts
   * import assert from "node:assert/strict";
   * import { PipelineRunner } from "@streamlib/streamlib/sessions";
   *
   * const runner = new PipelineRunner();
   * const manifest = { version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { a: "fx.in" }, outputs: { a: "fx.out" } };
   * const session = await runner.stream(manifest);
   * const { graph } = await runner.inspect(session.id);
   * assert.ok(graph.nodes.some((node) => node.id === "fx" && node.state === "running"));
   * await assert.rejects(runner.inspect("s999"), { code: "session_not_found" });
   * await runner.close();
   * ```
   */
  inspect(id: string): Promise<SessionSnapshot> {
    try {
      return this.session(id).inspect();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Ends an open session at once with a code (`Session.abort()`): its caller gets a
   * {@linkcode SessionError} with it, a transport's client the code in its `close`.
   *
   * @param id The session's id.
   * @param options The code (default `session_ended_by_operator`) and the reason.
   * @returns Once the session ended.
   * @throws {SessionError} `session_not_found`.
   *
   * @example End a session as an operator
   * ```ts
   * import assert from "node:assert/strict";
   * import { PipelineRunner } from "@streamlib/streamlib/sessions";
   *
   * const runner = new PipelineRunner();
   * const manifest = { version: 1, nodes: [{ id: "fx", type: "Gain" }], inputs: { a: "fx.in" }, outputs: { a: "fx.out" } };
   * const session = await runner.stream(manifest);
   * await runner.end(session.id);
   * assert.equal(session.state, "failed");
   * assert.equal(session.error?.code, "session_ended_by_operator");
   * assert.equal(runner.active, 0);
   * ```
   */
  end(id: string, options: EndOptions = {}): Promise<void> {
    try {
      return this.session(id).abort(options.code, options.reason);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Opens a streaming session: the manifest's graph, started in an isolate of its own.
   *
   * @param manifest The pipeline, with its `inputs` and `outputs`.
   * @param options The pipeline's name (for `list()`), its parameters, a signal that aborts the open.
   * @returns The session, running.
   * @throws {SessionError} `session_limit_reached` when `maxSessions` are open (at once, before
   * any isolate starts); `unknown_parameter` or `invalid_parameter` for parameters the manifest
   * does not take (before any isolate is taken when the runner knows its processors);
   * `invalid_manifest` (its issues in `details`) or `memory_budget_exceeded` when the manifest
   * does not load; `session_isolate_died` when the isolate does not start.
   * @throws {unknown} The signal's reason when `options.signal` aborts before the session runs.
   */
  stream(manifest: unknown, options: StreamOptions = {}): Promise<Session> {
    return this.#open(manifest, options, true);
  }

  /**
   * The processors to check parameters with: `processors`, else the built-in ones when the
   * isolates use only those (imported once, at the first open that needs them).
   */
  #checker(): NodeRegistry | Promise<NodeRegistry | undefined> | undefined {
    if (this.#processors !== undefined) return this.#processors;
    if (this.#registries.length !== 1 || this.#registries[0] !== BUILTIN) return undefined;
    return this.#processors = import(BUILTIN).then(
      (module: { registry: NodeRegistry }) => (this.#processors = module.registry),
      () => (this.#processors = undefined), // the isolates will say why
    );
  }

  /** The processors to check `parameters` with, when there are any and the runner knows them. */
  #checkerFor(
    parameters: unknown,
  ): NodeRegistry | Promise<NodeRegistry | undefined> | undefined {
    checkParameterValues(parameters);
    if (parameters === undefined || Object.keys(parameters as object).length === 0) {
      return undefined;
    }
    return this.#checker();
  }

  /**
   * Refuses, without taking an isolate, the parameters `stream()` and `execute()` would refuse
   * for the manifest: the same check they make before they take one (none beyond the values' form
   * when the runner does not know its processors; see `RunnerOptions.processors`). A transport
   * that has more to check before it opens (a WebRTC offer) calls it first, so a caller's
   * mistakes are said in the same order whatever the transport.
   *
   * @param manifest The pipeline.
   * @param parameters The caller's values of its `parameters`.
   * @returns Once they are fine.
   * @throws {SessionError} `unknown_parameter` or `invalid_parameter`, as `stream()` would.
   *
   * @example A name the pipeline does not declare
   * ```ts
   * import assert from "node:assert/strict";
   * import { PipelineRunner } from "@streamlib/streamlib/sessions";
   *
   * const runner = new PipelineRunner();
   * const manifest = {
   *   version: 1,
   *   nodes: [{ id: "fx", type: "Gain" }],
   *   inputs: { a: "fx.in" },
   *   outputs: { a: "fx.out" },
   *   parameters: { gain: "fx.gain" },
   * };
   * await runner.checkParameters(manifest, { gain: 2 });
   * await assert.rejects(runner.checkParameters(manifest, { gian: 2 }), {
   *   code: "unknown_parameter",
   * });
   * assert.equal(runner.active, 0);
   * ```
   */
  async checkParameters(
    manifest: unknown,
    parameters?: Readonly<Record<string, JsonValue>>,
  ): Promise<void> {
    const checker = this.#checkerFor(parameters);
    const processors = checker instanceof Promise ? await checker : checker;
    if (processors === undefined) return;
    try {
      checkParametersFit(manifest, parameters, processors, `s${this.#next}`);
    } catch (error) {
      this.#next++; // the id its message names is not given to another session
      throw error;
    }
  }

  /** Opens a session; `refill`: start a pooled isolate's replacement now (else the caller does). */
  async #open(manifest: unknown, options: StreamOptions, refill: boolean): Promise<Session> {
    options.signal?.throwIfAborted();
    const parameters = options.parameters;
    const checker = this.#checkerFor(parameters);
    const processors = checker instanceof Promise ? await checker : checker;
    if (this.#sessions.size >= this.#limits.maxSessions) {
      this.#refused++;
      throw new SessionError(
        "session_limit_reached",
        `Cannot open a session: ${this.#sessions.size} are open, the most this runner allows (maxSessions)`,
        "",
        { maxSessions: this.#limits.maxSessions },
      );
    }
    const id = `s${this.#next++}`;
    // What the isolate would refuse once started (~150 ms of CPU on the serving thread's
    // process), refused now with the same error: the same functions, the same processors.
    if (processors !== undefined) checkParametersFit(manifest, parameters, processors, id);
    const pooled = this.#pool.shift();
    if (pooled !== undefined && pooled === this.#preloading) {
      this.#preloading = undefined; // its preload stops: the next replacement may start
    }
    const pipeline = typeof options.pipeline === "string" ? options.pipeline.slice(0, 256) : "";
    const session = new Session(
      id,
      manifest,
      this.#registries,
      this.#limits,
      () => {
        this.#sessions.delete(id);
      },
      pooled,
      pipeline,
      refill, // a streaming session warms up first; a unary run does not
      options.parameters,
    );
    if (pooled && refill) this.#refill();
    this.#sessions.set(id, session);
    const signal = options.signal;
    if (signal === undefined) {
      await session.ready;
      return session;
    }
    const aborted = Promise.withResolvers<never>();
    const abort = () => {
      session.close().catch(() => {});
      aborted.reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    try {
      await Promise.race([session.ready, aborted.promise]);
      return session;
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  /**
   * Runs a manifest on whole inputs (unary): sends every frame of each input, ends them, and
   * returns every output's frames after end of stream. The session is closed whatever happens.
   * With a `pool`, the run takes a pooled isolate and its replacement starts when the run ends.
   *
   * @param manifest The pipeline.
   * @param inputs The frames of each application input, in order (an input left out is ended
   * with no frames).
   * @param options The pipeline's name (for `list()`), its parameters, a signal that aborts the run.
   * @returns The frames of each application output.
   * @throws {SessionError} What `stream()` and `Session.send()` throw, or the error that ended
   * the session.
   * @throws {unknown} The signal's reason when `options.signal` aborts (an `AbortError`
   * `DOMException` unless the caller gave another).
   */
  async execute(
    manifest: unknown,
    inputs: Readonly<Record<string, Iterable<ExecuteInput> | AsyncIterable<ExecuteInput>>>,
    options: StreamOptions = {},
  ): Promise<Record<string, SessionFrame[]>> {
    let session: Session;
    try {
      session = await this.#open(manifest, options, false);
    } catch (error) {
      this.#refill(); // the isolate it took, if any, failed with the manifest
      throw error;
    }
    const signal = options.signal;
    const abort = () => session.close().catch(() => {});
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const outputs: Record<string, SessionFrame[]> = {};
      for (const name of Object.keys(session.outputTypes)) outputs[name] = [];
      const reading = (async () => {
        for await (const item of session.outputs()) outputs[item.output].push(item);
      })();
      const names = new Set([...Object.keys(session.inputTypes), ...Object.keys(inputs)]);
      const sending = [...names].map(async (name) => {
        // Up to EXECUTE_WINDOW sends in flight: the session keeps their order, and one round
        // trip per frame would otherwise bound a unary run (see bench/session_unary_bench.ts).
        // A count and one waiter, not a race over the sends in flight (a reaction on each of
        // them per frame).
        let inFlight = 0;
        let failed: { error: unknown } | undefined;
        let wake: (() => void) | undefined;
        const settled = () => {
          inFlight--;
          const w = wake;
          wake = undefined;
          w?.();
        };
        for await (const entry of inputs[name] ?? []) {
          if (failed) break;
          const wrapped = "frame" in entry && typeof entry.frame === "object" &&
            "kind" in entry.frame;
          const sent = wrapped
            ? session.send(name, (entry as { frame: AppFrameInput }).frame, {
              metadata: (entry as { metadata?: Record<string, string> }).metadata,
            })
            : session.send(name, entry as AppFrameInput);
          inFlight++;
          sent.then(settled, (error) => {
            failed ??= { error };
            settled();
          });
          while (inFlight >= EXECUTE_WINDOW && !failed) {
            await new Promise<void>((resolve) => (wake = resolve));
          }
        }
        while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
        if (failed) throw failed.error;
        session.end(name);
      });
      try {
        await Promise.all([...sending, reading]);
      } catch (error) {
        signal?.throwIfAborted(); // closed by the signal: its reason, not session_closed
        throw error;
      }
      signal?.throwIfAborted();
      if (session.state === "failed") throw session.error;
      return outputs;
    } finally {
      signal?.removeEventListener("abort", abort);
      await session.close();
      this.#refill();
    }
  }

  /** {@linkcode PipelineRunner.close}: `await using runner = new PipelineRunner()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Closes every open session and ends the pooled isolates (the pool is not refilled). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    const pooled = this.#pool.splice(0);
    await Promise.all([
      ...[...this.#sessions.values()].map((s) => s.close()),
      ...pooled.map((w) => w.terminate().catch(() => {})),
    ]);
  }
}
