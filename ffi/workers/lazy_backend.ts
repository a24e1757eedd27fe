/**
 * {@linkcode LazyWorkerBackend}: the Worker backend `createRuntime()` injects, which imports
 * `backend.ts` (Worker hosts, native transport, frame pool) on the first Worker placement,
 * so a graph that stays on the main isolate never loads that code.
 *
 * @module
 */

import type {
  ConnectionReader,
  ConnectionStats,
  ConnectionWriter,
} from "../../core/transport/connection.ts";
import type {
  CrossIsolateChannel,
  CrossIsolateChannelSpec,
  CrossIsolateTransport,
  TransportEndpoint,
} from "../../core/transport/cross_isolate.ts";
import type { FrameMemorySource } from "../../core/frames/memory.ts";
import type { SharedFrameMemory } from "../../core/frames/frame_budget.ts";
import type {
  HostedConnectionSpec,
  HostedEndpointSpec,
  HostedNodeSpec,
  IsolateBackend,
  IsolateHost,
  NodeFailure,
} from "../../core/isolates/host.ts";
import {
  capability,
  type ConfigurableHost,
  type FrameLeakReportingHost,
  type KeyframeRequestingHost,
  type ProbedHost,
} from "../../core/isolates/capabilities.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { HostedProbeSample, HostedProbeSpec } from "../../core/probes/probe.ts";
import { NodeNotFoundError } from "../../core/graph/errors.ts";
import { NodeCounters } from "../../core/probes/node_counters.ts";
import { isolateOf } from "../../core/graph/placement.ts";
import type { RuntimeEventListener } from "../../core/lifecycle/events.ts";
import type { FrameLeak } from "../../core/frames/ledger.ts";
import type { NodeState, NodeStats } from "../../core/lifecycle/stats.ts";
import type { WorkerBackend, WorkerBackendOptions } from "./backend.ts";
import { WorkerDefinitionError } from "./errors.ts";

/**
 * `backend.ts`, imported by URL: a literal `import("./backend.ts")` would have Deno load the
 * Worker backend's sources (the native transport) with any program that imports this module
 * (decision 0056).
 */
const BACKEND_URL = new URL("./backend.ts", import.meta.url).href;

/**
 * An {@linkcode IsolateBackend} that stands in for a `WorkerBackend` until a node is placed on a
 * Worker: `spawn()` then imports `backend.ts` and makes the backend. What the runtime
 * asks of a Worker host or of the transport meanwhile (add a node, open a channel, attach its
 * ends, set up) is queued and replayed in order once the backend exists, a few milliseconds
 * later; a channel end the main isolate adopted before that refuses frames (it is full) and
 * reads none until then.
 *
 * @example A main-isolate graph never imports the Worker backend; a Worker placement does
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 * import { LazyWorkerBackend } from "./lazy_backend.ts";
 *
 * const isolates = new LazyWorkerBackend({ pool: { slotBytes: 65_536, slotCount: 32 } });
 * const rt = new Runtime({ registry: builtinRegistry, isolates });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * assert.equal(isolates.backend, undefined);
 * rt.add("Gain", {}, { id: "gain", placement: { worker: "dsp" } });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "gain", "in");
 * rt.connectByName("gain", "out", "sink", "in");
 * await rt.start();
 * assert.ok(isolates.backend !== undefined);
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * await rt.stop();
 * assert.ok(rt.stats().nodes.sink.framesIn > 0);
 * ```
 */
export class LazyWorkerBackend implements IsolateBackend {
  /** The transport; its channels are opened on the real one once it is loaded. */
  readonly transport: CrossIsolateTransport;
  readonly #options: WorkerBackendOptions;
  readonly #hosts = new Map<string, PendingHost>();
  readonly #pending: (() => void)[] = [];
  #backend: WorkerBackend | undefined;
  #loading: Promise<WorkerBackend> | undefined;
  #frameMemory: SharedFrameMemory | undefined;

  /**
   * Creates the stand-in; nothing is imported until `spawn()`.
   *
   * @param options What the `WorkerBackend` is made with.
   */
  constructor(options: WorkerBackendOptions = {}) {
    this.#options = options;
    this.transport = new PendingTransport(this);
  }

  /**
   * Takes the runtime's frame budget for the Workers (see `WorkerBackend.shareFrameMemory`).
   *
   * @param memory The budget's counters and the largest single frame.
   */
  shareFrameMemory(memory: SharedFrameMemory): void {
    this.#frameMemory = memory;
    this.#backend?.shareFrameMemory(memory);
  }

  /** The `WorkerBackend`, once loaded. */
  get backend(): WorkerBackend | undefined {
    return this.#backend;
  }

  /** The hosts spawned so far, by Worker name. */
  get workers(): Readonly<Record<string, IsolateHost>> {
    return Object.fromEntries(this.#hosts);
  }

  /**
   * The host of Worker `worker`; the first call starts importing the backend.
   *
   * @param worker The name from `{ worker: "<name>" }`.
   * @returns A host that queues what it is asked until the backend is loaded.
   */
  spawn(worker: string): IsolateHost {
    let host = this.#hosts.get(worker);
    if (!host) {
      host = new PendingHost(worker, this, (this.#options.registries ?? []).length > 0);
      this.#hosts.set(worker, host);
      this.load().catch(() => {}); // failures surface through the host's calls
    }
    return host;
  }

  /**
   * Imports `backend.ts` and makes the backend (once), then replays what was queued.
   *
   * @returns The backend.
   */
  load(): Promise<WorkerBackend> {
    this.#loading ??= import(BACKEND_URL).then(({ WorkerBackend }: typeof import("./backend.ts")) =>
      this.loadWith(WorkerBackend)
    );
    return this.#loading;
  }

  /**
   * Makes the backend now from a `WorkerBackend` class the caller already imported (once; later
   * calls, and a `load()` that finishes afterwards, return the same backend), then replays what
   * was queued. For code that needs the real transport synchronously: a native plugin's host,
   * whose module imports the Worker backend anyway.
   *
   * @param backendClass The `WorkerBackend` class.
   * @returns The backend.
   */
  loadWith(backendClass: typeof WorkerBackend): WorkerBackend {
    if (this.#backend) return this.#backend;
    const backend = this.#backend = new backendClass(this.#options);
    if (this.#frameMemory) backend.shareFrameMemory(this.#frameMemory);
    this.#loading ??= Promise.resolve(backend);
    for (const replay of this.#pending.splice(0)) {
      // One refused call must not drop the ones after it; what the runtime did not catch when
      // it made the call is reported as an uncaught error would have been.
      try {
        replay();
      } catch (error) {
        reportError(error);
      }
    }
    return backend;
  }

  /** Runs `call` now when the backend is loaded, else queues it for the replay. */
  later(call: (backend: WorkerBackend) => void): void {
    const backend = this.#backend;
    if (backend) call(backend);
    else {
      this.#pending.push(() => call(this.#backend!));
      this.load().catch(() => {});
    }
  }

  /** Closes the backend's hosts, when it was loaded. */
  async close(): Promise<void> {
    await this.#backend?.close();
  }
}

/** A channel opened before the backend was loaded; `real` once it is. */
class PendingChannel implements CrossIsolateChannel {
  readonly writer: PendingEnd;
  readonly reader: PendingEnd;
  readonly spec: CrossIsolateChannelSpec;
  real: CrossIsolateChannel | undefined;
  #closed = false;

  constructor(spec: CrossIsolateChannelSpec) {
    this.spec = spec;
    this.writer = new PendingEnd(this, "writer");
    this.reader = new PendingEnd(this, "reader");
  }

  open(backend: WorkerBackend): void {
    if (this.#closed) return;
    this.real = backend.transport.open(this.spec);
  }

  stats(): ConnectionStats {
    return this.real?.stats() ?? {
      capacity: this.spec.capacity,
      policy: this.spec.policy,
      queued: 0,
      written: 0,
      read: 0,
      dropped: 0,
      fullRejections: 0,
      discarded: 0,
    };
  }

  close(): void {
    this.#closed = true;
    this.real?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** One end of a {@linkcode PendingChannel}. */
class PendingEnd {
  constructor(readonly channel: PendingChannel, readonly side: "writer" | "reader") {}

  /** The real endpoint (after the backend is loaded). */
  get real(): TransportEndpoint {
    const real = this.channel.real;
    return real === undefined ? undefined : real[this.side];
  }
}

/** Swaps a pending endpoint for the real one (after the backend is loaded). */
function realEndpoint(endpoint: TransportEndpoint): TransportEndpoint {
  return endpoint instanceof PendingEnd ? endpoint.real : endpoint;
}

class PendingTransport implements CrossIsolateTransport {
  readonly #lazy: LazyWorkerBackend;

  constructor(lazy: LazyWorkerBackend) {
    this.#lazy = lazy;
  }

  get sharedMemory(): FrameMemorySource | undefined {
    return this.#lazy.backend?.transport.sharedMemory;
  }

  /**
   * The real transport, made now: see {@linkcode LazyWorkerBackend.loadWith}.
   *
   * @param backendClass The `WorkerBackend` class.
   * @returns The loaded backend's transport.
   */
  materialize(backendClass: typeof WorkerBackend): CrossIsolateTransport {
    return this.#lazy.loadWith(backendClass).transport;
  }

  open(spec: CrossIsolateChannelSpec): CrossIsolateChannel {
    const backend = this.#lazy.backend;
    if (backend) return backend.transport.open(spec);
    const channel = new PendingChannel(spec);
    this.#lazy.later((loaded) => channel.open(loaded));
    return channel;
  }

  adoptWriter<T>(endpoint: TransportEndpoint): ConnectionWriter<T> & Disposable {
    const backend = this.#lazy.backend;
    if (backend && !(endpoint instanceof PendingEnd && !endpoint.real)) {
      return backend.transport.adoptWriter(realEndpoint(endpoint));
    }
    const writer = new PendingWriter<T>((endpoint as PendingEnd).channel.spec.capacity);
    this.#lazy.later((loaded) => {
      const real = realEndpoint(endpoint);
      if (real !== undefined) writer.resolve(loaded.transport.adoptWriter(real));
    });
    return writer;
  }

  adoptReader<T>(
    endpoint: TransportEndpoint,
    onData: () => void,
  ): ConnectionReader<T> & Disposable {
    const backend = this.#lazy.backend;
    if (backend && !(endpoint instanceof PendingEnd && !endpoint.real)) {
      return backend.transport.adoptReader(realEndpoint(endpoint), onData);
    }
    const reader = new PendingReader<T>();
    this.#lazy.later((loaded) => {
      const real = realEndpoint(endpoint);
      if (real !== undefined) reader.resolve(loaded.transport.adoptReader(real, onData));
      onData();
    });
    return reader;
  }
}

/** A writer adopted before the backend was loaded: full until then, then the real one. */
class PendingWriter<T> implements ConnectionWriter<T>, Disposable {
  readonly capacity: number;
  #real: (ConnectionWriter<T> & Disposable) | undefined;
  #onSpace: (() => void) | undefined;
  #ended: boolean | undefined;
  #disposed = false;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  resolve(real: ConnectionWriter<T> & Disposable): void {
    if (this.#disposed) return real[Symbol.dispose]();
    this.#real = real;
    if (this.#ended !== undefined) real.end?.(this.#ended);
    if (this.#onSpace) {
      real.onSpace?.(this.#onSpace);
      this.#onSpace();
    }
  }

  push(frame: T): boolean {
    return this.#real?.push(frame) ?? false;
  }

  get space(): number | undefined {
    return this.#real ? this.#real.space : 0;
  }

  onSpace(callback: () => void): void {
    this.#onSpace = callback;
    this.#real?.onSpace?.(callback);
  }

  end(ended: boolean): void {
    this.#ended = ended;
    this.#real?.end?.(ended);
  }

  takeKeyframeRequest(): boolean {
    return this.#real?.takeKeyframeRequest?.() ?? false;
  }

  [Symbol.dispose](): void {
    this.#disposed = true;
    this.#real?.[Symbol.dispose]();
  }
}

/** A reader adopted before the backend was loaded: empty until then, then the real one. */
class PendingReader<T> implements ConnectionReader<T>, Disposable {
  #real: (ConnectionReader<T> & Disposable) | undefined;
  #keyframe = false;
  #disposed = false;

  resolve(real: ConnectionReader<T> & Disposable): void {
    if (this.#disposed) return real[Symbol.dispose]();
    this.#real = real;
    if (this.#keyframe) real.requestKeyframe?.();
  }

  get available(): number {
    return this.#real?.available ?? 0;
  }

  get ended(): boolean {
    return this.#real?.ended ?? false;
  }

  pop(): T | undefined {
    return this.#real?.pop();
  }

  popLatest(): T | undefined {
    return this.#real?.popLatest();
  }

  requestKeyframe(): void {
    if (this.#real) this.#real.requestKeyframe?.();
    else this.#keyframe = true;
  }

  [Symbol.dispose](): void {
    this.#disposed = true;
    this.#real?.[Symbol.dispose]();
  }
}

/**
 * The host of one Worker until the backend is loaded: what it is asked is queued and replayed
 * on the real host, in order; after that it forwards every call.
 */
class PendingHost
  implements
    IsolateHost,
    ConfigurableHost,
    ProbedHost,
    KeyframeRequestingHost,
    FrameLeakReportingHost {
  readonly isolate: string;
  readonly #worker: string;
  readonly #lazy: LazyWorkerBackend;
  readonly #hasRegistries: boolean;
  readonly #nodes = new Map<string, HostedNodeSpec>();
  readonly #listeners = new Set<RuntimeEventListener>();
  readonly #offs = new Map<RuntimeEventListener, () => void>();
  #real: IsolateHost | undefined;

  constructor(worker: string, lazy: LazyWorkerBackend, hasRegistries: boolean) {
    this.#worker = worker;
    this.isolate = isolateOf({ worker });
    this.#lazy = lazy;
    this.#hasRegistries = hasRegistries;
    lazy.later((backend) => {
      const real = this.#real = backend.spawn(worker);
      for (const listener of this.#listeners) this.#offs.set(listener, real.on(listener));
    });
  }

  /** Runs `call` on the real host now, or in order once it exists. */
  #do(call: (host: IsolateHost) => void): void {
    if (this.#real) call(this.#real);
    else this.#lazy.later(() => call(this.#real!));
  }

  /** Like `#do`, for calls that answer with a promise. */
  #await<T>(call: (host: IsolateHost) => Promise<T>): Promise<T> {
    if (this.#real) return call(this.#real);
    return new Promise<T>((resolve, reject) => {
      this.#lazy.load().catch(reject);
      this.#lazy.later(() => call(this.#real!).then(resolve, reject));
    });
  }

  addNode(spec: HostedNodeSpec): void {
    const { moduleUrl, descriptor } = spec.definition;
    if (moduleUrl === undefined && !this.#hasRegistries) {
      throw new WorkerDefinitionError(spec.id, descriptor.name, this.#worker);
    }
    this.#nodes.set(spec.id, spec);
    this.#do((host) => host.addNode(spec));
  }

  removeNode(node: string): Promise<void> {
    this.#nodes.delete(node);
    return this.#await((host) => host.removeNode(node));
  }

  configureNode(node: string, config: JsonValue, changed: readonly string[], live: boolean): void {
    this.#do((host) => capability(host, "configure")?.configureNode(node, config, changed, live));
  }

  connect(spec: HostedConnectionSpec): void {
    this.#do((host) => host.connect(spec));
  }

  attachWriter(spec: HostedEndpointSpec): void {
    this.#do((host) => host.attachWriter({ ...spec, endpoint: realEndpoint(spec.endpoint) }));
  }

  attachReader(spec: HostedEndpointSpec): void {
    this.#do((host) => host.attachReader({ ...spec, endpoint: realEndpoint(spec.endpoint) }));
  }

  disconnect(connection: string): void {
    this.#do((host) => host.disconnect(connection));
  }

  setup(): Promise<void> {
    return this.#await((host) => host.setup());
  }

  run(): void {
    this.#do((host) => host.run());
  }

  pause(): Promise<void> {
    return this.#await((host) => host.pause());
  }

  resume(): void {
    this.#do((host) => host.resume());
  }

  halt(): Promise<void> {
    return this.#await((host) => host.halt());
  }

  drain(): Promise<boolean> {
    return this.#await((host) => host.drain());
  }

  teardown(): Promise<void> {
    return this.#await((host) => host.teardown());
  }

  settled(): Promise<void> {
    return this.#await((host) => host.settled());
  }

  frameLeaks(): Promise<FrameLeak[]> {
    return this.#await(async (host) => await capability(host, "frameLeaks")?.frameLeaks() ?? []);
  }

  probe(spec: HostedProbeSpec, deliver: (sample: HostedProbeSample) => void): () => void {
    let stop: (() => void) | undefined;
    let stopped = false;
    this.#do((host) => {
      if (!stopped) stop = capability(host, "probes")?.probe(spec, deliver);
    });
    return () => {
      stopped = true;
      stop?.();
    };
  }

  requestKeyframe(node: string, port: string): void {
    this.#do((host) => capability(host, "keyframes")?.requestKeyframe(node, port));
  }

  endNode(node: string): void {
    this.#do((host) => capability(host, "endings")?.endNode(node));
  }

  nodeState(node: string): NodeState {
    return this.#real ? this.#real.nodeState(node) : "stopped";
  }

  nodeStats(node: string): NodeStats {
    if (this.#real) return this.#real.nodeStats(node);
    const spec = this.#nodes.get(node);
    if (!spec) throw new NodeNotFoundError(node, [...this.#nodes.keys()], false);
    return new NodeCounters().snapshot(spec.definition.ports(), undefined);
  }

  nodeFailure(node: string): NodeFailure | undefined {
    return this.#real?.nodeFailure(node);
  }

  connectionStats(connection: string): ConnectionStats | undefined {
    return this.#real?.connectionStats(connection);
  }

  on(listener: RuntimeEventListener): () => void {
    this.#listeners.add(listener);
    if (this.#real) this.#offs.set(listener, this.#real.on(listener));
    return () => {
      this.#listeners.delete(listener);
      this.#offs.get(listener)?.();
      this.#offs.delete(listener);
    };
  }
}
