/**
 * The isolate host that runs nodes in the current isolate.
 *
 * @module
 */

import type {
  ConnectionReader,
  ConnectionStats,
  ConnectionWriter,
} from "../../transport/connection.ts";
import type { CrossIsolateTransport } from "../../transport/cross_isolate.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  IsolateHost,
  NodeFailure,
} from "../host.ts";
import type {
  ConfigurableHost,
  EndingHost,
  FrameLeakReportingHost,
  KeyframeRequestingHost,
  ProbedHost,
} from "../capabilities.ts";
import type { InputBinding } from "../../ports/input_binding.ts";
import type { JsonValue } from "../../schema/json_schema.ts";
import { type MediaClock, monotonicClock } from "../../time/media_clock.ts";
import type { NodeEnvironment } from "./node_environment.ts";
import { NodeInstance } from "./node_instance.ts";
import { NodeNotFoundError } from "../../graph/errors.ts";
import type { OutputBinding } from "../../ports/output_binding.ts";
import { portOf, splitPortEnd } from "../../ports/port_end.ts";
import { MAIN_ISOLATE } from "../../graph/placement.ts";
import { ScheduledConnection } from "./scheduled_connection.ts";
import { Scheduler } from "./scheduler.ts";
import { EventHub, type RuntimeEventListener } from "../../lifecycle/events.ts";
import type { NodeState, NodeStats, RuntimeState } from "../../lifecycle/stats.ts";
import { type RuntimeTimers, systemTimers } from "../../time/timers.ts";
import type { FrameMemorySource, FrameMemoryStats } from "../../frames/memory.ts";
import { type FrameHolding, type FrameLeak, LiveFrames } from "../../frames/ledger.ts";
import { HeapMemorySource } from "../../frames/heap_memory.ts";
import type { FrameBudget } from "../../frames/frame_budget.ts";
import { TieredMemorySource } from "../../frames/tiered_memory.ts";
import { MEMORY_WAIT_LIMIT_MS } from "../../frames/memory_wait.ts";
import { type MemoryStallReport, MemoryWatch } from "./memory_watch.ts";
import { topologicalOrder } from "../../graph/topological_order.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../../probes/probe.ts";
import { ProbeSampler } from "../../probes/sampler.ts";
import type { IsolateGpu } from "../../gpu/device.ts";
import { GpuResources, type GpuStats } from "../../gpu/gpu_context.ts";
import { isGpuPortType } from "../../gpu/gpu_video_frame.ts";
import {
  DownloadWriter,
  type TransferEnvironment,
  type TransferStats,
  UploadReader,
} from "./gpu_transfer.ts";

/**
 * Options of a {@linkcode LocalIsolate}.
 */
export interface LocalIsolateOptions {
  /** The isolate's name. Default `"main"`. */
  readonly isolate?: string;
  /** The media clock. Default {@linkcode monotonicClock}. */
  readonly clock?: MediaClock;
  /** The timers. Default {@linkcode systemTimers}. */
  readonly timers?: RuntimeTimers;
  /** Adopts cross-isolate endpoints (needed only for `attachWriter`/`attachReader`). */
  readonly transport?: CrossIsolateTransport;
  /** Most runs a loop makes per timer tick when it is late. Default 4. */
  readonly maxCatchUp?: number;
  /**
   * Where frame payloads come from (`ctx.frames`). Default: the transport's shared memory (the
   * native frame pool) when it has slots to spare, else JavaScript memory bounded by
   * `frameMemoryBytes`.
   */
  readonly memory?: FrameMemorySource;
  /** The budget of the default frame memory, in bytes. Default 1 GiB. */
  readonly frameMemoryBytes?: number;
  /** The largest single frame of the default frame memory, in bytes. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * A frame budget shared with other isolates (the runtime's `frameMemoryBytes`): the default
   * frame memory draws from it, and `frameMemoryBytes` is then ignored.
   */
  readonly frameBudget?: FrameBudget;
  /** The isolate's GPU device holder. Default the isolate's own (`isolateGpu()`). */
  readonly gpu?: IsolateGpu;
  /** The texture pool's budget for GPU frames, in bytes. Default 512 MiB. */
  readonly gpuMemoryBytes?: number;
}

interface Attachment {
  readonly from?: { binding: OutputBinding<unknown>; writer: ConnectionWriter<unknown> };
  readonly to?: InputBinding<unknown>;
  readonly local?: ScheduledConnection<unknown>;
  readonly adopted?: Disposable;
  /** The adopted reader of a cross-isolate channel (it may drop what is queued: `clear()`). */
  readonly reader?: ConnectionReader<unknown>;
  /** The CPU/GPU transfer the connection makes at this end. */
  readonly transfer?: UploadReader | DownloadWriter;
}

/**
 * Runs nodes in this isolate: the {@linkcode IsolateHost} the runtime uses for `"main"`, and
 * what a Worker host runs inside its Worker. Connections between its nodes are
 * {@linkcode ScheduledConnection}s that schedule `push` readers; ends of cross-isolate channels
 * are adopted through the transport.
 *
 * @example Host two nodes by hand (the runtime normally drives this)
 * ```ts
 * import assert from "node:assert/strict";
 * import { LocalIsolate } from "./host.ts";
 * import { gainNode } from "../../../processors/transforms/gain.gen.ts";
 * import { nullSinkNode } from "../../../processors/sinks/null_sink.gen.ts";
 *
 * const host = new LocalIsolate();
 * const policy = { onError: "stop-processor", maxRestarts: 0 } as const;
 * host.addNode({ id: "gain", definition: gainNode, config: { gain: 2 }, ...policy });
 * host.addNode({ id: "sink", definition: nullSinkNode, config: {}, ...policy });
 * host.connect({
 *   id: "conn_1",
 *   from: { node: "gain", port: "out" },
 *   to: { node: "sink", port: "in" },
 *   capacity: 4,
 *   policy: "fifo",
 * });
 * await host.setup();
 * host.run();
 * assert.equal(host.nodeState("sink"), "running");
 * await host.halt();
 * await host.teardown();
 * ```
 */
export class LocalIsolate
  implements
    IsolateHost,
    ConfigurableHost,
    ProbedHost,
    KeyframeRequestingHost,
    FrameLeakReportingHost,
    EndingHost {
  /** The isolate's name. */
  readonly isolate: string;
  readonly #nodes = new Map<string, NodeInstance>();
  readonly #attachments = new Map<string, Attachment>();
  readonly #edges = new Map<string, { from: string; to: string }>();
  readonly #pending = new Set<Promise<void>>();
  readonly #retiring = new Map<string, Promise<void>>();
  readonly #hub = new EventHub();
  readonly #scheduler: Scheduler;
  readonly #transport: CrossIsolateTransport | undefined;
  readonly #env: NodeEnvironment;
  readonly #live = new LiveFrames();
  readonly #memoryWatch: MemoryWatch;
  readonly #gpu: GpuResources;
  #unwatchGpu: (() => void) | undefined;
  readonly #transferEnv: TransferEnvironment;
  /** The default frame memory's JavaScript part (`undefined` when `options.memory` was given). */
  #heap: HeapMemorySource | undefined;
  /** The isolate's part of the graph's state (one vocabulary: lifecycle_state.ts). */
  #phase: RuntimeState = "stopped";

  /**
   * Creates an empty, stopped host.
   *
   * @param options Name, clock, timers, transport and catch-up bound.
   */
  constructor(options: LocalIsolateOptions = {}) {
    this.isolate = options.isolate ?? MAIN_ISOLATE;
    const timers = options.timers ?? systemTimers;
    this.#scheduler = new Scheduler(timers);
    this.#transport = options.transport;
    const scheduler = this.#scheduler;
    this.#memoryWatch = new MemoryWatch(
      timers,
      () => this.#live.holdings(),
      (port) => this.#isOutput(port),
      (report) => this.#memoryStalled(report),
      () => this.#env.memory.stats().allocated,
    );
    this.#env = {
      clock: options.clock ?? monotonicClock,
      timers,
      maxCatchUp: options.maxCatchUp ?? 4,
      memory: options.memory ?? new TieredMemorySource(
        () => options.transport?.sharedMemory,
        this.#heap = new HeapMemorySource({
          budgetBytes: options.frameMemoryBytes,
          maxFrameBytes: options.maxFrameBytes,
          shared: options.frameBudget,
        }),
      ),
      ledger: this.#live,
      emit: (event) => this.#hub.emit(event),
      gpu: this.#gpu = new GpuResources({
        gpu: options.gpu,
        budgetBytes: options.gpuMemoryBytes,
      }),
      memoryFailed: () => this.#memoryWatch.failed(),
      memoryHolder: () => this.#memoryHolder(),
      schedule: (node) => scheduler.schedule(node),
      shouldRun: () => {
        const phase = this.#phase;
        return phase === "running"
          ? "run"
          : phase === "paused"
          ? "pause"
          : phase === "starting"
          ? "wait"
          : "stop";
      },
    };
    const env = this.#env;
    this.#transferEnv = {
      gpu: this.#gpu,
      memory: env.memory,
      ledger: env.ledger,
      clock: env.clock,
      warn: () => {}, // replaced per connection (see #transferEnvFor)
    };
  }

  /**
   * While the isolate runs, a lost device fails every node that uses it (their restart makes a
   * new one). Subscribed from setup to teardown only, so a stopped runtime holds no listener on
   * the isolate's device.
   */
  #watchGpu(): void {
    this.#unwatchGpu ??= this.#gpu.gpu.onLost((error) => {
      for (const node of this.#nodes.values()) if (node.usesGpu) node.fail(error);
    });
  }

  /**
   * Makes this isolate's default frame memory draw from `budget`, shared with other isolates
   * (the runtime calls it when its first Worker starts; `frameMemoryBytes` is one budget for
   * every isolate). Nothing when the memory was given as `options.memory`, or already shares.
   *
   * @param budget The runtime's frame budget.
   */
  shareFrameBudget(budget: FrameBudget): void {
    this.#heap?.shareBudget(budget);
  }

  /** Adds a node; while running or paused it is set up and started in the background. */
  addNode(spec: HostedNodeSpec): void {
    const node = new NodeInstance(spec, this.#env);
    this.#nodes.set(spec.id, node);
    if (this.#phase === "stopped" || this.#phase === "stopping") return;
    this.#watchGpu();
    // A node re-added under the id of one being removed (reconfiguration) sets up only after
    // the old one's teardown, so a sink can reopen the file the old one is finalizing.
    const retiring = this.#retiring.get(spec.id);
    this.#track(retiring ? retiring.then(() => node.setup()) : node.setup());
  }

  /** Removes a node and tears it down. */
  removeNode(id: string): Promise<void> {
    const node = this.#node(id);
    this.#nodes.delete(id);
    const done = this.#track(node.teardown());
    this.#retiring.set(id, done);
    void done.finally(() => {
      if (this.#retiring.get(id) === done) this.#retiring.delete(id);
    });
    return done;
  }

  /** Changes a node's config in place (see {@linkcode ConfigurableHost.configureNode}). */
  configureNode(id: string, config: JsonValue, changed: readonly string[], live: boolean): void {
    const node = this.#node(id);
    const values = config as Record<string, JsonValue>;
    const write = () => {
      const target = node.configValues as Record<string, JsonValue> | undefined;
      if (target) { for (const key of changed) target[key] = structuredClone(values[key]); }
    };
    this.#track(node.reconfigure([...changed], live, write));
  }

  /** Connects two nodes of this isolate. */
  connect(spec: HostedConnectionSpec): void {
    const reader = this.#node(spec.to.node);
    const binding = this.#node(spec.from.node).ports.output<unknown>(spec.from.port);
    const input = reader.ports.input<unknown>(spec.to.port);
    const schedule = reader.mode === "push" ? () => this.#scheduler.schedule(reader) : () => {};
    const local = new ScheduledConnection<unknown>(spec, schedule);
    const fromGpu = isGpuPortType(binding.portType);
    const toGpu = isGpuPortType(input.portType);
    // Between a GPU port and a CPU one the connection transfers: an upload at the reading end
    // (only frames read are uploaded), a download at the writing end (it is asynchronous).
    const upload = !fromGpu && toGpu
      ? new UploadReader(
        local,
        this.#transferEnvFor(spec.to.node, spec.to.port),
        `${spec.id}:upload`,
        schedule,
      )
      : undefined;
    const download = fromGpu && !toGpu
      ? new DownloadWriter(local, this.#transferEnvFor(spec.to.node, spec.to.port), spec)
      : undefined;
    input.attach(upload ?? local);
    const writer = download ?? local;
    binding.attach(writer);
    this.#attachments.set(spec.id, {
      from: { binding, writer },
      to: input,
      local,
      transfer: upload ?? download,
    });
    this.#edges.set(spec.id, { from: spec.from.node, to: spec.to.node });
  }

  /** Attaches the writing end of a cross-isolate channel. */
  attachWriter(spec: HostedEndpointSpec): void {
    const binding = this.#node(spec.port.node).ports.output<unknown>(spec.port.port);
    const adopted = this.#requireTransport().adoptWriter<unknown>(spec.endpoint);
    // GPU frames never enter a channel: a GPU output downloads at this end.
    const download = isGpuPortType(binding.portType)
      ? new DownloadWriter(adopted, this.#transferEnvFor(spec.port.node, spec.port.port), {
        policy: (adopted.space ?? Infinity) === Infinity ? "latest" : "fifo",
        capacity: adopted.capacity ?? 1,
      })
      : undefined;
    const writer = download ?? adopted;
    binding.attach(writer);
    this.#attachments.set(spec.connection, {
      from: { binding, writer },
      adopted,
      transfer: download,
    });
  }

  /** Attaches the reading end of a cross-isolate channel. */
  attachReader(spec: HostedEndpointSpec): void {
    const node = this.#node(spec.port.node);
    const input = node.ports.input<unknown>(spec.port.port);
    const onData = node.mode === "push" ? () => this.#scheduler.schedule(node) : () => {};
    const adopted: ConnectionReader<unknown> & Disposable = this.#requireTransport()
      .adoptReader<unknown>(spec.endpoint, onData);
    // A GPU input uploads what the channel brings, at this end.
    const upload = isGpuPortType(input.portType)
      ? new UploadReader(
        adopted,
        this.#transferEnvFor(spec.port.node, spec.port.port),
        `${spec.connection}:upload`,
        onData,
      )
      : undefined;
    const reader = upload ?? adopted;
    input.attach(reader);
    this.#attachments.set(spec.connection, {
      to: input,
      adopted: reader,
      reader,
      transfer: upload,
    });
  }

  /** Removes a connection or channel end. */
  disconnect(connection: string): void {
    const attachment = this.#attachments.get(connection);
    if (!attachment) return;
    this.#attachments.delete(connection);
    this.#edges.delete(connection);
    attachment.from?.binding.detach(attachment.from.writer);
    attachment.to?.detach();
    attachment.local?.clear(); // queued frames are dropped with the connection
    if (attachment.transfer instanceof DownloadWriter) attachment.transfer.close();
    else attachment.transfer?.clear(); // a frame waiting for a texture
    attachment.adopted?.[Symbol.dispose]();
  }

  /** Sets up every node, sources first. */
  async setup(): Promise<void> {
    this.#phase = "starting";
    this.#watchGpu();
    for (const node of this.#ordered()) {
      await node.setup();
      await node.settled(); // restarts of a failed setup
    }
  }

  /** Whether scheduling turns are due: turns run and nodes wait for one. */
  get turnsDue(): boolean {
    return this.#scheduler.active && this.#scheduler.pending;
  }

  /** Starts scheduling. */
  run(): void {
    this.#phase = "running";
    this.#scheduler.active = true;
    for (const node of this.#nodes.values()) node.activate();
  }

  /** Stops scheduling until `resume()`. */
  async pause(): Promise<void> {
    this.#phase = "paused";
    this.#memoryWatch.stop();
    this.#scheduler.active = false;
    await Promise.all([...this.#nodes.values()].map((node) => node.pause()));
  }

  /** Resumes scheduling. */
  resume(): void {
    this.run();
  }

  /** Stops loops and wakes; push nodes keep draining. */
  async halt(): Promise<void> {
    this.#phase = "stopping";
    this.#memoryWatch.stop();
    this.#scheduler.active = false;
    await this.settled();
    await Promise.all([...this.#nodes.values()].map((node) => node.halt()));
  }

  /** Runs push nodes with input queued until none has any. */
  async drain(): Promise<boolean> {
    let ran = false;
    for (let turn = 0; turn < 10_000; turn++) {
      await this.#downloadsIdle(); // a download that lands queues a frame and wakes its reader
      if (!this.#scheduler.pending) break;
      if (this.#scheduler.runGuardedTurn() > 0) ran = true;
      await Promise.all([...this.#nodes.values()].map((node) => node.idle()));
    }
    return ran;
  }

  /** Tears down every node, sources first. */
  async teardown(): Promise<void> {
    this.#phase = "stopped";
    this.#memoryWatch.stop();
    this.#scheduler.active = false;
    await this.settled();
    for (const node of this.#ordered()) await node.teardown();
    this.#unwatchGpu?.();
    this.#unwatchGpu = undefined;
    await this.#downloadsIdle();
    this.#scheduler.clear();
    // A stopped graph starts empty: frames still queued (unread `latest` frames, input of a node
    // that failed) are dropped, so what is alive after this is a leak.
    for (const attachment of this.#attachments.values()) {
      attachment.to?.clear(); // frames given back by a run that found no memory
      attachment.local?.clear();
      (attachment.reader as { clear?(): number } | undefined)?.clear?.();
      if (attachment.transfer instanceof UploadReader) attachment.transfer.clear();
    }
  }

  /**
   * Attaches a probe to an output of a node of this isolate (see
   * {@linkcode ProbedHost.probe}); the samples carry the frame itself.
   *
   * @param spec The output, period and transform.
   * @param deliver Receives each sample.
   * @returns Detaches the probe.
   */
  probe(spec: HostedProbeSpec, deliver: (sample: HostedProbeSample) => void): () => void {
    const binding = this.#node(spec.node).ports.output<unknown>(spec.port);
    const sampler = new ProbeSampler(binding, spec, deliver);
    return () => sampler.close();
  }

  /**
   * Asks an output's writer for a keyframe (see {@linkcode KeyframeRequestingHost.requestKeyframe}); a
   * node or port that is gone is ignored.
   *
   * @param node The node's id.
   * @param port The output's name.
   */
  requestKeyframe(node: string, port: string): void {
    try {
      this.#node(node).ports.output<unknown>(port).requestKeyframe();
    } catch { /* removed meanwhile */ }
  }

  /**
   * Ends a node's stream from outside (see {@linkcode EndingHost.endNode}); a node that is gone
   * is ignored.
   *
   * @param node The node's id.
   */
  endNode(node: string): void {
    this.#nodes.get(node)?.end();
  }

  /**
   * Frames made in this isolate and never released, grouped by node and port: after
   * `teardown()`, anything here is a leak (a `keep()` never released).
   */
  frameLeaks(): FrameLeak[] {
    return this.#live.leaks();
  }

  /** The frame memory's counters. */
  memoryStats(): FrameMemoryStats {
    return this.#env.memory.stats();
  }

  /** Resolves when background setups and teardowns are done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    await Promise.all([...this.#nodes.values()].map((node) => node.settled()));
  }

  /** A node's state. */
  nodeState(node: string): NodeState {
    return this.#node(node).state;
  }

  /** A node's counters. */
  nodeStats(node: string): NodeStats {
    return this.#node(node).stats();
  }

  /** Why a node failed. */
  nodeFailure(node: string): NodeFailure | undefined {
    return this.#node(node).failure;
  }

  /** A local connection's counters (with its transfer's, when it makes one). */
  connectionStats(connection: string): ConnectionStats | undefined {
    const attachment = this.#attachments.get(connection);
    const stats = attachment?.local?.stats();
    if (stats === undefined || attachment?.transfer === undefined) return stats;
    return { ...stats, ...this.transferStats(connection) };
  }

  /**
   * The counters of the CPU/GPU transfer a connection makes at this isolate's end (a channel
   * into or out of a GPU node), or `undefined` when it makes none.
   *
   * @param connection The connection's id.
   * @returns Uploads, downloads, their time, bytes and drops.
   */
  transferStats(connection: string): TransferStats | undefined {
    const transfer = this.#attachments.get(connection)?.transfer;
    return transfer && { ...transfer.counters };
  }

  /** The isolate's GPU device and texture pool counters (`rt.stats().gpu`). */
  gpuStats(): GpuStats {
    return this.#gpu.stats();
  }

  /** Subscribes to node events. */
  on(listener: RuntimeEventListener): () => void {
    return this.#hub.on(listener);
  }

  /** The transfer environment of a connection into `node.port`: its warnings name that input. */
  #transferEnvFor(node: string, port: string): TransferEnvironment {
    return {
      ...this.#transferEnv,
      warn: (code, message) =>
        this.#hub.emit({
          type: "node-warning",
          timeNs: this.#env.clock.nowNs(),
          code,
          node,
          processor: this.#nodes.get(node)?.definition.descriptor.name ?? "",
          port,
          message,
        }),
    };
  }

  /** Resolves when no download of this isolate's connections is in flight. */
  async #downloadsIdle(): Promise<void> {
    for (const attachment of this.#attachments.values()) {
      if (attachment.transfer instanceof DownloadWriter) await attachment.transfer.idle();
    }
  }

  #node(id: string): NodeInstance {
    const node = this.#nodes.get(id);
    if (!node) throw new NodeNotFoundError(id, [...this.#nodes.keys()], false);
    return node;
  }

  #requireTransport(): CrossIsolateTransport {
    if (!this.#transport) {
      throw new TypeError(
        `Cannot attach a cross-isolate channel in isolate '${this.isolate}': it was created without a transport`,
      );
    }
    return this.#transport;
  }

  #track(work: Promise<void>): Promise<void> {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
    return work;
  }

  /** Whether `port` (`node.port`) is an output of a node of this isolate. */
  #isOutput(port: string): boolean {
    const { node: id, port: name } = splitPortEnd(port);
    const node = this.#nodes.get(id);
    return node?.ports.outputBindings.some((output) => output.name === name) ?? false;
  }

  /** The biggest holder of this isolate's frame memory in words: a node keeping frames first. */
  #memoryHolder(): string | undefined {
    const holdings = this.#live.holdings();
    const kept = holdings.find((h) => !this.#isOutput(h.port));
    const holder = kept ?? holdings[0];
    return holder && describeHolding(holder, kept === undefined);
  }

  /** Memory ran out and stayed out: names the biggest holder of this isolate, while it lasts. */
  #memoryStalled({ holder, queued }: MemoryStallReport): void {
    const node = this.#nodes.get(holder.node);
    const what = describeHolding(holder, queued);
    this.#hub.emit({
      type: "node-warning",
      timeNs: this.#env.clock.nowNs(),
      code: "frame_memory_stall",
      node: holder.node,
      processor: node?.definition.descriptor.name ?? "",
      port: portOf(holder.port),
      message:
        `Frame memory in ${this.isolate} ran out and has stayed out for ${MEMORY_WAIT_LIMIT_MS} ms: ${what}; frameMemoryBytes is one budget for every isolate`,
    });
  }

  /** The nodes with every node before those it feeds inside this isolate. */
  #ordered(): NodeInstance[] {
    return topologicalOrder(this.#nodes.keys(), this.#edges.values()).map((id) =>
      this.#nodes.get(id)!
    );
  }
}

/** A holding of frame memory in words, for a stall's warning. */
function describeHolding(holder: FrameHolding, queued: boolean): string {
  const where = holder.port ? ` at '${holder.port}'` : "";
  const mib = (holder.bytes / (1024 * 1024)).toFixed(1);
  return queued
    ? `${holder.count} frame(s) (${mib} MiB) '${holder.node}' wrote${where} wait in its connection(s) unread`
    : `'${holder.node}' holds ${holder.count} frame(s) (${mib} MiB)${where} it has not released (kept, or read and not finished)`;
}
