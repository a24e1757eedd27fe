/**
 * One node of a running graph: its processor, lifecycle, error policy and counters.
 *
 * @module
 */

import { failureCode } from "../../errors/failure_code.ts";
import { errorAction, type ErrorPolicy } from "../../lifecycle/error_policy.ts";
import type { HostedNodeSpec, NodeFailure } from "../host.ts";
import { LoopDriver } from "./loop_driver.ts";
import { NodeCounters } from "../../probes/node_counters.ts";
import type { NodeDefinition } from "../../registry/node_definition.ts";
import type { PortTable } from "../../ports/port_table.ts";
import { validateConfig } from "../../config/validation.ts";
import { type Processor, processorInit } from "../../processor/processor.ts";
import type { LoopControl, ProcessContext, SetupContext } from "../../processor/context.ts";
import { createNodeLog } from "../../processor/log.ts";
import type { SchedulingMode } from "../../schema/descriptor.ts";
import { LoopPeriodMissingError } from "../../lifecycle/errors.ts";
import { nodeErrorEvent } from "../../lifecycle/events.ts";
import type { NodeEnvironment } from "./node_environment.ts";
import { checkNodeTransition, type NodeState } from "../../lifecycle/state.ts";
import type { NodeStats } from "../../lifecycle/stats.ts";
import type { OutputBinding } from "../../ports/output_binding.ts";
import { NodeFrames } from "../../frames/node_frames.ts";
import { MEMORY_WAIT_LIMIT_MS, type MemoryStall, MemoryWait } from "../../frames/memory_wait.ts";
import type { InputBinding } from "../../ports/input_binding.ts";
import { GpuResources, type NodeGpu } from "../../gpu/gpu_context.ts";
import { isGpuPortType } from "../../gpu/gpu_video_frame.ts";
import type { RunningNode } from "../../time/timers.ts";

/**
 * A processor instance inside an isolate, with its lifecycle (`setup` and `teardown` once per
 * run, serialized), its hot path (`run()`: times `process()`, catches what it throws) and its
 * counters. The isolate's scheduler and loop driver decide when to call `run()`.
 */
export class NodeInstance {
  /** The node's id. */
  readonly id: string;
  /** The processor's definition. */
  readonly definition: NodeDefinition;
  /** The scheduling mode. */
  readonly mode: SchedulingMode;
  /** The error policy. */
  readonly onError: ErrorPolicy;
  /** The restart limit per run. */
  readonly maxRestarts: number;
  /** The port bindings. */
  readonly ports: PortTable;
  /** Scheduler bookkeeping: whether the node waits in the ready queue. */
  queued = false;
  /** Scheduler bookkeeping: the last turn the node ran in. */
  lastTurn = -1;
  /** Scheduler bookkeeping: a run was asked for while the node could not run. */
  missed = false;

  readonly #env: NodeEnvironment;
  /** Where a call of the processor is recorded, when the isolate's timers ask (`running`). */
  readonly #running: RunningNode | undefined;
  /**
   * The processor; `undefined` until the first setup when the definition is a lazy registry
   * entry whose class is not loaded yet (`#config` holds its validated config until then).
   */
  #processor: Processor | undefined;
  #config: Record<string, unknown> | undefined;
  readonly #loop: LoopDriver | undefined;
  readonly #setupContext: SetupContext;
  readonly #processContext: ProcessContext;
  readonly #counters = new NodeCounters();
  readonly #frames: NodeFrames;
  readonly #gpu: NodeGpu;
  /** Whether a port carries GpuVideoFrame: the device is made before setup. */
  readonly #gpuPorts: boolean;
  readonly #memoryWait: MemoryWait;
  /**
   * The node's lifecycle state, the only one (`NODE_TRANSITIONS` checks every move). The flags
   * below are not lifecycle states: `#active` is the hot path's gate (false at once when a node is
   * removed, before its state moves; true for a `push` node draining in `stopping`); `#setUp`
   * says whether the processor instance exists, which `error` (failed in setup or in process,
   * restart pending or not) and `stopping` (draining or tearing down) leave open; `#ended` is end
   * of stream within `running`; the rest is scheduling and back-pressure bookkeeping.
   */
  #state: NodeState = "stopped";
  #active = false;
  #setUp = false;
  #busy = false;
  #rerun = false;
  #inflight: Promise<void> | undefined;
  #lifecycle: Promise<void> = Promise.resolve();
  #failure: NodeFailure | undefined;
  #restartsThisRun = 0;
  /** Failed with no restart to come: it reads nothing more until it is set up again. */
  #failedForGood = false;
  /** The processor's `drain()` said it holds nothing more, in this run of the graph. */
  #drained = false;
  /** The async run in flight is a `drain()`. */
  #draining = false;
  readonly #outputs: readonly OutputBinding<unknown>[];
  readonly #inputs: readonly InputBinding<unknown>[];
  #waitingForSpace = false;
  #endRequested = false;
  #endsGraph = false;
  #ended = false;

  /**
   * Constructs the processor with its ports bound; for a lazy registry entry whose class is not
   * loaded yet, validates the config now and constructs the processor at its first setup, after
   * `definition.load()`.
   *
   * @param spec The node.
   * @param env The isolate's clock, timers, events and scheduler.
   * @throws {ConfigValidationError} When the config does not match the schema.
   */
  constructor(spec: HostedNodeSpec, env: NodeEnvironment) {
    this.id = spec.id;
    this.definition = spec.definition;
    this.mode = spec.definition.descriptor.mode;
    this.onError = spec.onError;
    this.maxRestarts = spec.maxRestarts;
    this.ports = spec.definition.ports();
    const { descriptor } = spec.definition;
    if (spec.definition.processorClass === undefined && spec.definition.load) {
      this.#config = validateConfig(descriptor.config, spec.config, descriptor.name) as Record<
        string,
        unknown
      >;
    } else this.#processor = spec.definition.create(spec.config, this.ports);
    this.#outputs = this.ports.outputBindings;
    this.#inputs = this.ports.inputBindings;
    this.#env = env;
    this.#running = env.timers.running;
    const { clock } = env;
    const log = createNodeLog((record) =>
      env.emit({ type: "node-log", timeNs: clock.nowNs(), node: this.id, ...record })
    );
    // A source's frames can live in local memory: it leaves the pool's last slots to the copies
    // of nodes downstream, which cannot (see `FrameMemorySource.allocateSpare`).
    const gpu = this.#gpu = (env.gpu ?? new GpuResources()).context(this.id);
    this.#gpuPorts = [...this.ports.inputBindings, ...this.ports.outputBindings]
      .some((port) => isGpuPortType(port.portType));
    const frames = this.#frames = new NodeFrames(this.id, env.memory, env.ledger, {
      spare: this.ports.inputBindings.length === 0,
      onExhausted: env.memoryFailed && (() => env.memoryFailed!()),
      gpu,
    });
    frames.bind(this.ports);
    this.#memoryWait = new MemoryWait(
      { onFree: (callback) => frames.onMemoryFree(callback) },
      this.ports.inputBindings,
      env.timers,
      () => this.#wake(),
      this.#memoryStalled,
    );
    for (const output of this.#outputs) {
      output.label = `${this.id}.${output.name}`;
      output.node = this.id;
    }
    for (const input of this.ports.inputBindings) input.label = `${this.id}.${input.name}`;
    if (this.mode === "loop") {
      const driver = new LoopDriver(() => this.#runFromLoop(), clock, env.timers, env.maxCatchUp);
      this.#loop = driver;
      const loop: LoopControl = {
        get periodNs() {
          return driver.periodNs;
        },
        setPeriodNs: (ns) => driver.setPeriod(ns),
      };
      this.#setupContext = { node: this.id, clock, loop, log, gpu };
    } else {
      this.#setupContext = { node: this.id, clock, wake: () => this.#wake(), log, gpu };
    }
    const loop = this.#loop;
    this.#processContext = {
      node: this.id,
      clock,
      frames,
      gpu,
      log,
      get deadlineNs() {
        return loop?.deadlineNs;
      },
      warn: (code, port, message) => {
        try {
          env.emit({
            type: "node-warning",
            timeNs: clock.nowNs(),
            code,
            node: this.id,
            processor: this.definition.descriptor.name,
            port: String(port),
            message: String(message),
          });
        } catch {
          // A warning never fails its node.
        }
      },
      endOfStream: (options) => {
        this.#endRequested = true;
        if (options?.graph === true) this.#endsGraph = true;
      },
    };
  }

  /** Whether the node uses the isolate's GPU device now (a GPU port, or `ctx.gpu.ready()`). */
  get usesGpu(): boolean {
    return this.#gpu.used;
  }

  /**
   * Fails the node from outside `process()` (the isolate's GPU device was lost), by its error
   * policy, as if `process()` had thrown `error`; nothing when it is not set up or already failed.
   *
   * @param error The failure.
   */
  fail(error: unknown): void {
    if (!this.#setUp || this.#state === "error" || this.#state === "stopping") return;
    void this.#enqueue(async () => {
      await this.idle();
      if (!this.#setUp || this.#state === "error") return;
      this.#fail("process", error);
    });
  }

  /** The processor; `undefined` before the first setup of a node whose class loads lazily. */
  get processor(): Processor | undefined {
    return this.#processor;
  }

  /** The config values the processor reads (or will be constructed with); `setConfig` writes them. */
  get configValues(): Record<string, unknown> | undefined {
    return this.#processor ? processorInit(this.#processor)?.config as never : this.#config;
  }

  /** The node's state. */
  get state(): NodeState {
    return this.#state;
  }

  /** Whether `run()` calls `process()` now. */
  get active(): boolean {
    return this.#active;
  }

  /** Whether the node reached end of stream in this run (see `ProcessContext.endOfStream`). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Why the node failed, until the next start. */
  get failure(): NodeFailure | undefined {
    return this.#failure;
  }

  /**
   * Sets the processor up (after any lifecycle step in progress), then runs, pauses or waits as
   * the isolate says. Failures follow the error policy; the promise never rejects.
   */
  setup(): Promise<void> {
    return this.#enqueue(async () => {
      this.#failure = undefined;
      this.#restartsThisRun = 0;
      this.#endRequested = false;
      this.#endsGraph = false;
      this.#ended = false;
      this.#drained = false;
      for (const output of this.#outputs) output.endOfStream(false);
      await this.#setupNow();
    });
  }

  /** Starts running (after setup): loops arm their timer, missed pushes and wakes are served. */
  activate(): void {
    if (!this.#setUp || this.#state === "error" || this.#active) return;
    if (this.#ended) return this.#setState("running"); // nothing more to run until next start
    this.#active = true;
    this.#setState("running");
    this.#loop?.start();
    this.#memoryWait.resume();
    if (this.missed) {
      this.missed = false;
      this.#env.schedule(this);
    }
  }

  /** Stops running until `activate()`; resolves when no `process()` is in flight. */
  pause(): Promise<void> {
    this.#deactivate();
    if (this.#state === "running") this.#setState("paused");
    return this.idle();
  }

  /**
   * Enters `stopping`: loops and wakes stop; `push` nodes (even paused ones) run on so they can
   * process what is queued.
   */
  halt(): Promise<void> {
    if (this.#setUp && this.#state !== "error") {
      this.#setState("stopping");
      if (this.mode === "push") {
        this.#active = true;
        if (this.missed) {
          this.missed = false;
          this.#env.schedule(this);
        }
      } else this.#deactivate();
    } else this.#deactivate();
    return this.idle();
  }

  /** Resolves when no lifecycle step (setup, restart, teardown) is queued or running. */
  async settled(): Promise<void> {
    let current;
    do {
      current = this.#lifecycle;
      await current;
    } while (current !== this.#lifecycle);
  }

  /** Resolves when no `process()` is in flight. */
  async idle(): Promise<void> {
    while (this.#inflight) await this.#inflight;
  }

  /**
   * Tears the processor down (when it was set up), after any lifecycle step in progress; the
   * node ends `stopped`. Errors are reported as events; the promise never rejects.
   */
  teardown(): Promise<void> {
    this.#deactivate(); // at once: a removed node must not run again
    return this.#enqueue(async () => {
      this.#deactivate();
      await this.idle();
      await this.#teardownNow();
      this.#setState("stopped");
    });
  }

  /**
   * A config change from `rt.setConfig()`, applied after any lifecycle step in progress and any
   * async `process()` in flight: `write()` puts the new values into the processor's config.
   * `live`: a set-up node then hears of it through `configChanged(changed)` (what that throws
   * follows the error policy, like `process()`). Otherwise a set-up or failed node is torn down
   * and set up again around `write()`, keeping its ports, connections and counters; a node that
   * is not set up takes the values for its next setup.
   *
   * @param changed The fields whose value changed.
   * @param live Whether every one of them is live-tunable.
   * @param write Writes the new values into the processor's config.
   * @returns Resolves when applied; never rejects.
   */
  reconfigure(changed: readonly string[], live: boolean, write: () => void): Promise<void> {
    return this.#enqueue(async () => {
      await this.idle();
      if (live || (!this.#setUp && this.#state !== "error")) {
        write();
        if (!live || !this.#setUp) return;
        try {
          this.#processor?.configChanged(changed);
        } catch (error) {
          this.#fail("process", error);
        }
        return;
      }
      this.#deactivate();
      await this.idle();
      await this.#teardownNow();
      write();
      this.#failure = undefined;
      await this.#setupNow();
    });
  }

  /**
   * Calls `process()` once if the node is active and every output has room. The hot path: never
   * throws. A node with a full `fifo` output does not run: a `push` or `pull` node runs again
   * when the connection's reader makes room (back-pressure, as a GStreamer element blocks on a
   * full `queue`); a `loop` node skips this deadline.
   */
  run(): void {
    if (!this.#active) return this.wokenInactive();
    if (this.#busy) {
      this.#rerun = true;
      return;
    }
    // Every input ended and read empty: what the processor still holds is drained, then it ends.
    const draining = this.#inputsEnded();
    if (draining && !this.#drains()) return this.#end();
    if (this.#blocked()) return;
    const clock = this.#env.clock;
    // A sample of runs is timed (NodeCounters.timesNextRun): two clock reads cost a third of a
    // short run. `start` is NaN for a run not timed.
    const start = this.#counters.timesNextRun() ? clock.nowNs() : NaN;
    let result: void | boolean | Promise<void | boolean>;
    const running = this.#running;
    if (running !== undefined) {
      running.node = this.id;
      running.type = this.definition.descriptor.name;
    }
    try {
      result = draining
        ? this.#processor!.drain!(this.#processContext)
        : this.#processor!.process(this.#processContext);
    } catch (error) {
      if (running !== undefined) running.node = running.type = undefined;
      this.#frames.flush();
      this.#counters.called(start === start ? clock.nowNs() - start : undefined);
      this.#fail("process", error);
      return;
    }
    if (running !== undefined) running.node = running.type = undefined;
    if (result === undefined || typeof (result as Promise<void>).then !== "function") {
      this.#frames.flush(); // the run's references: what it read and made, unless kept
      this.#counters.called(start === start ? clock.nowNs() - start : undefined);
      if (draining) return this.#afterDrain(result as boolean | undefined);
      // Ended by the processor, or it just read the last frames of inputs that have all ended.
      if (this.#endRequested) return this.#end();
      if (this.#inputsEnded()) return this.#drainOrEnd();
      if (this.mode !== "loop") this.#afterRun();
      return;
    }
    this.#busy = true;
    this.#draining = draining;
    this.#inflight = Promise.resolve(result).then(
      (more) => this.#settle(start, more),
      (error) => {
        this.#settle(start, undefined, true);
        this.#fail("process", error);
      },
    );
  }

  /** Whether the processor has a `drain()` not yet finished in this run of the graph. */
  #drains(): boolean {
    return !this.#drained && typeof this.#processor?.drain === "function";
  }

  /** The inputs have ended: a processor with `drain()` drains in a run of its own, else it ends. */
  #drainOrEnd(): void {
    if (!this.#drains()) return this.#end();
    if (this.mode !== "loop") this.#env.schedule(this);
  }

  /**
   * After a `drain()`: `true` means it holds more (an output was full, or frame memory ran out),
   * so it drains again when there is room; anything else, or `ctx.endOfStream()`, ends the node.
   */
  #afterDrain(more: boolean | void): void {
    if (this.#endRequested || more !== true) {
      this.#drained = true;
      return this.#end();
    }
    if (this.mode === "loop") return; // its next deadline drains again
    if (this.#frames.takeExhausted()) return this.#waitForMemory();
    const outputs = this.#outputs;
    for (let i = 0; i < outputs.length; i++) {
      if (outputs[i].takeFull() || outputs[i].spaceNow() === 0) {
        return this.#waitForSpace(outputs[i]);
      }
    }
    this.#env.schedule(this);
  }

  /**
   * A wake of a node that does not run. A node failed for good ends once every input it had has
   * ended: nothing can reach it any more, so its readers end in turn after what it wrote, and a
   * graph with a failed branch still reaches `end-of-stream` (its state stays `error`).
   */
  wokenInactive(): void {
    if (this.#failedForGood && !this.#ended && this.#inputsEnded()) this.#end();
  }

  /** Whether the node has connected inputs and every one of them ended (read empty). */
  #inputsEnded(): boolean {
    const inputs = this.#inputs;
    let connected = false;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i];
      if (!input.isConnected) continue;
      if (!input.ended) return false;
      connected = true;
    }
    return connected;
  }

  /**
   * End of stream: the node stops running until its next setup, its outputs end (their readers
   * end in turn once they have read what is queued), and a `node-eos` event says so.
   */
  #end(): void {
    const graph = this.#endsGraph;
    [this.#endRequested, this.#endsGraph] = [false, false];
    if (this.#ended) return;
    this.#ended = true;
    this.#deactivate();
    this.#discardInputs(true); // it reads nothing more: what still comes must not hold back
    for (const output of this.#outputs) output.endOfStream(true);
    const timeNs = this.#env.clock.nowNs();
    this.#env.emit({ type: "node-eos", timeNs, node: this.id, ...(graph ? { graph } : {}) });
  }

  /**
   * Ends the node's stream from outside (`rt.endOfStream()` sent to a source), as if its
   * `process()` had called `ctx.endOfStream()`: at once, or when a run in flight returns. Nothing
   * when it is not set up, failed, stopping or already ended.
   */
  end(): void {
    if (!this.#setUp || this.#ended) return;
    if (this.#state === "error" || this.#state === "stopping") return;
    if (this.#busy) this.#endRequested = true; // #settle ends it
    else this.#end();
  }

  #blocked(): boolean {
    const outputs = this.#outputs;
    for (let i = 0; i < outputs.length; i++) {
      if (outputs[i].spaceNow() !== 0) continue;
      this.#counters.blocked++;
      if (this.mode !== "loop") this.#waitForSpace(outputs[i]);
      return true;
    }
    return false;
  }

  /**
   * After a run of a `push` or `pull` node: if it found an output full (it has input left, or
   * more to write), asks to run again when that output has room; at once if it has room by now.
   */
  #afterRun(): void {
    if (this.#frames.takeExhausted()) return this.#waitForMemory();
    const outputs = this.#outputs;
    for (let i = 0; i < outputs.length; i++) {
      if (outputs[i].takeFull()) return this.#waitForSpace(outputs[i]);
    }
  }

  #waitForSpace(output: OutputBinding<unknown>): void {
    if (this.#waitingForSpace) return;
    this.#waitingForSpace = true;
    output.whenWritable(this.#spaceFreed);
  }

  /** Frame memory ran out: runs again once a frame is freed (back-pressure, never a reuse). */
  #waitForMemory(): void {
    this.#counters.blocked++;
    this.#memoryWait.start();
  }

  /** A wait for memory reached its limit and dropped what the inputs got back: say so. */
  #memoryStalled = ({ dropped }: MemoryStall): void => {
    const holder = dropped.length > 0 ? this.#env.memoryHolder?.() : undefined;
    for (const { port, count } of dropped) {
      this.#env.emit({
        type: "node-warning",
        timeNs: this.#env.clock.nowNs(),
        code: "frame_memory_stall",
        node: this.id,
        processor: this.definition.descriptor.name,
        port,
        message:
          `'${this.id}' waited ${MEMORY_WAIT_LIMIT_MS} ms for frame memory and none was freed: dropped ${count} frame(s) of '${port}' it could not finish; ${
            holder ?? "the memory is held in other isolates"
          } (frameMemoryBytes is one budget for every isolate; the Worker pool has its own slots)`,
      });
    }
  };

  #spaceFreed = (): void => {
    this.#waitingForSpace = false;
    this.#wake();
  };

  /** The counters (allocates; for control paths). */
  stats(): NodeStats {
    const stats = this.#counters.snapshot(this.ports, this.#loop, this.#frames.dropped);
    const own = this.#processorStats();
    if (own !== undefined) stats.processor = own;
    return stats;
  }

  /** The processor's own counters; a processor whose `stats()` throws reports none. */
  #processorStats(): NodeStats["processor"] {
    try {
      return this.#processor?.reportStats?.();
    } catch {
      return undefined;
    }
  }

  /** `ctx.wake`: a run now, a run once started or resumed, or nothing while stopped. */
  #wake(): void {
    if (this.#active) this.#env.schedule(this);
    else if (this.#state === "paused" || this.#state === "starting") this.missed = true;
  }

  #runFromLoop(): boolean {
    if (this.#busy) return this.#active; // an async run is still going: this deadline is skipped
    this.run();
    return this.#active;
  }

  /**
   * Ends an async run; `start` is NaN when the run was not timed; `more` is what a `drain()`
   * resolved to; `failed` when it rejected (the failure follows).
   */
  #settle(start: number, more?: void | boolean, failed = false): void {
    this.#frames.flush();
    this.#counters.called(start === start ? this.#env.clock.nowNs() - start : undefined);
    this.#busy = false;
    this.#inflight = undefined;
    const draining = this.#draining;
    this.#draining = false;
    if (failed) return;
    if (draining) {
      this.#rerun = false;
      return this.#afterDrain(more);
    }
    if (this.#endRequested) {
      this.#rerun = false;
      return this.#end();
    }
    if (this.#inputsEnded()) {
      this.#rerun = false;
      return this.#drainOrEnd();
    }
    if (this.mode !== "loop") this.#afterRun();
    if (this.#rerun) {
      this.#rerun = false;
      if (this.mode !== "loop") this.#env.schedule(this);
    }
  }

  async #setupNow(): Promise<void> {
    this.#failedForGood = false;
    this.#setState("starting");
    this.#discardInputs(false); // set up again (a restart): its connections queue and hold back
    this.#loop?.clearPeriod();
    try {
      const processor = this.#processor ??= await this.#construct();
      if (this.#gpuPorts) await this.#gpu.ready(); // the isolate's device, made on first use
      await processor.setup(this.#setupContext);
      this.#setUp = true;
      if (this.#loop && this.#loop.periodNs === undefined) {
        throw new LoopPeriodMissingError(this.id, this.definition.descriptor.name);
      }
    } catch (error) {
      this.#fail("setup", error);
      return;
    }
    const next = this.#env.shouldRun();
    if (next === "run") this.activate();
    else if (next === "pause") this.#setState("paused");
  }

  /** Loads a lazy definition's class and constructs the processor with the config so far. */
  async #construct(): Promise<Processor> {
    const loaded = await this.definition.load!();
    const processor = loaded.create(this.#config, this.ports);
    this.#config = undefined;
    return processor;
  }

  async #teardownNow(): Promise<void> {
    if (!this.#setUp) return;
    this.#setUp = false;
    if (this.#state !== "error") this.#setState("stopping");
    try {
      await this.#processor?.teardown();
    } catch (error) {
      this.#report("teardown", error, "none");
    }
    this.#frames.flush(); // anything made or read outside a run (setup, callbacks, teardown)
    this.#gpu.reset(); // set up again, it takes the isolate's device of then
  }

  #fail(phase: "setup" | "process", error: unknown): void {
    this.#deactivate();
    this.#discardInputs(true);
    const action = errorAction(this.onError, this.#restartsThisRun, this.maxRestarts);
    const restart = action === "restart";
    const message = error instanceof Error ? error.message : String(error);
    const code = failureCode(error);
    this.#failure = code === undefined ? { phase, message } : { phase, message, code };
    this.#report(phase, error, action);
    this.#setState("error");
    if (!restart) {
      this.#failedForGood = true;
      return this.wokenInactive(); // its inputs may have ended already
    }
    this.#counters.restarts++;
    this.#restartsThisRun++;
    void this.#enqueue(async () => {
      await this.idle();
      await this.#teardownNow();
      if (this.#env.shouldRun() !== "stop") await this.#setupNow();
    });
  }

  #report(phase: "setup" | "process" | "teardown", error: unknown, action: ErrorPolicy | "none") {
    this.#counters.errors++;
    const { id: node, onError: policy } = this;
    const timeNs = this.#env.clock.nowNs();
    const restarts = this.#restartsThisRun;
    this.#env.emit(nodeErrorEvent({ timeNs, node, phase, policy, action, restarts }, error));
  }

  /**
   * A node that stopped reading (it failed, or ended) has its input connections discard what
   * comes, so that no writer, and through a writer no sibling of this node, waits for it; a node
   * set up again reads again (see `ConnectionReader.setDiscarding`).
   */
  #discardInputs(discarding: boolean): void {
    const inputs = this.#inputs;
    for (let i = 0; i < inputs.length; i++) inputs[i].setDiscarding(discarding);
  }

  #deactivate(): void {
    this.#active = false;
    this.#loop?.stop();
    this.#memoryWait.suspend();
  }

  /** Moves to a state the transition table (`NODE_TRANSITIONS`) allows from this one. */
  #setState(to: NodeState): void {
    const from = this.#state;
    if (from === to) return;
    checkNodeTransition(this.id, from, to);
    this.#state = to;
    this.#env.emit({
      type: "node-state",
      timeNs: this.#env.clock.nowNs(),
      node: this.id,
      from,
      to,
    });
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    // Steps catch processor errors themselves; anything else is a bug worth surfacing.
    const next = this.#lifecycle.then(step).catch(reportError);
    this.#lifecycle = next;
    return next;
  }
}
