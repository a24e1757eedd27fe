/**
 * The isolate of one pipeline session: a web Worker (`_isolate.ts`) that runs one runtime with
 * the session's manifest, driven over its message port (`_protocol.ts`). Internal.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { format } from "node:util";
import type { AppOutput } from "../core/app/app_output.ts";
import type { AppInput } from "../core/app/app_input.ts";
import type { AppFrameInput } from "../core/app/frame_copy.ts";
import type { NodeDefinition } from "../core/registry/node_definition.ts";
import { Runtime } from "../core/runtime.ts";
import { type RunningNode, type RuntimeTimers, systemTimers } from "../core/time/timers.ts";
import { loadManifest, setParameters } from "../core/manifest/manifest.ts";
import type { ParameterValues } from "../core/manifest/parameters.ts";
import { clockFromNow } from "../core/time/media_clock.ts";
import { type FromIsolate, type IsolateExiting, type ToIsolate, toWire } from "./_protocol.ts";
import { createChannelBuffers, SessionChannel } from "./_channel.ts";
import { SampleSpares } from "../core/app/sample_spares.ts";
import { RunGuard } from "./_run_guard.ts";
import { reserveStdout, stdoutReserved } from "../core/processor/stdout_guard.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";
import { logLineText } from "../core/processor/log.ts";
import { WINDOW_BYTES } from "./_frame_bytes.ts";
import { framePayloadBytes as payloadBytes } from "../core/frames/payload_bytes.ts";

/** This Worker's own port (the web Worker scope). */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

// A web Worker that ends by itself is not reported to the thread that started it: say so before
// going, whoever asks (a processor calling `Deno.exit()`, `process.exit()` or `close()`).
const exit = Deno.exit;
Deno.exit = (code?: number): never => {
  scope.postMessage({ t: "exiting", code: code ?? 0 } satisfies IsolateExiting);
  return exit(code);
};
const closeScope = scope.close.bind(scope);
scope.close = () => {
  scope.postMessage({ t: "exiting", code: 0 } satisfies IsolateExiting);
  closeScope();
};

/**
 * The runner's `maxRunMs` on every run of processors (a scheduling turn, a loop's deadline): the
 * runtime's timers guard each with it (`RuntimeTimers.guard`). The limit is set by `preload` and
 * `open`; a run past it ends the session, and the isolate with it.
 */
const runGuard = new RunGuard(runStopped);
const guard = (run: () => void): void => runGuard.run(run);

/** The node in a call of its processor, recorded by the runtime: a stopped run names it. */
const running: RunningNode = { node: undefined, type: undefined };

/** The timers of every runtime this isolate runs: the platform's, each run guarded. */
const guardedTimers: RuntimeTimers = { ...systemTimers, guard, running };

/** A run went past `maxRunMs` and was stopped: the session ends, and the isolate with it. */
function runStopped(maxRunMs: number): void {
  session.runStopped(maxRunMs);
  scope.close();
}

/**
 * Sample arrays of blocks the graph took, for the channel to copy the next blocks into: a block
 * crossing from the session then costs a copy, not an allocation of its own (38 kB for 100 ms of
 * 48 kHz stereo) and its garbage.
 */
const spares = new SampleSpares();

/** A message as it crosses the port: an output frame's payload moved, not copied. */
function withPayload(message: FromIsolate): [FromIsolate, Transferable[]] {
  if (message.t !== "frame") return [message, []];
  const frame = message.item.frame as { samples?: Float32Array; data?: Uint8Array };
  const payload = frame.samples ?? frame.data;
  return [message, payload ? [payload.buffer as ArrayBuffer] : []];
}

/**
 * Microtasks an ack waits for the next message before it asks for the end of the turn: a graph
 * makes a frame's output in the turn that took it, and its output reaches `post()` a few
 * microtasks after the ack (two here). The end of the turn (`setImmediate`, a task of its own)
 * is only asked for when none came, rather than for every frame.
 */
const ACK_MICROTASKS = 8;

/**
 * An input's lane: its sends and its end, in the order they came. `busy` counts those not done
 * yet (a send until the graph took it or refused it); with none, a send goes to the graph at once
 * rather than through a promise chained per frame.
 */
interface Lane {
  tail: Promise<unknown>;
  busy: number;
}

/**
 * One session's side of the isolate: its runtime, and what it does with each message of its
 * channel. The isolate's session is one; `warmUp()` runs others, each over a channel of its own,
 * before that session's first block.
 */
class IsolateSession {
  rt: Runtime | undefined;
  /** Whether an `open` came. */
  opened = false;
  readonly #lanes = new Map<string, Lane>();
  readonly #credits = new Map<string, OutputCredit>();
  #closing = false;
  /** The session's channel, from `open` on (see `Session`'s `#channel`). */
  #channel: SessionChannel<FromIsolate, ToIsolate> | undefined;
  /** Where messages go before the channel exists. */
  readonly #beforeOpen: (message: FromIsolate) => void;
  /**
   * Acks not sent yet: each goes with the next message (the output of the frame acked, most
   * often, made in the same turn), or at the end of the turn, so the session's thread is woken
   * once per frame rather than once for its ack and again for its output.
   */
  readonly #acks: FromIsolate[] = [];
  #ackWaits = 0;

  /** Whether its open runs a warm-up session first, when this isolate has not warmed its manifest. */
  readonly #warmFirst: boolean;

  /**
   * @param beforeOpen Where messages go before the channel exists (`open-failed`).
   * @param warmFirst Whether its open runs a warm-up session first, when this isolate has not
   *   warmed its manifest (the isolate's session; not a warm-up's).
   */
  constructor(beforeOpen: (message: FromIsolate) => void, warmFirst: boolean) {
    this.#beforeOpen = beforeOpen;
    this.#warmFirst = warmFirst;
  }

  /** Handles one message of the session. */
  receive = (message: ToIsolate): void => {
    switch (message.t) {
      case "open":
        this.opened = true;
        this.#channel = new SessionChannel(
          message.buffers,
          message.port,
          this.receive,
          spares.take,
        );
        this.#open(message).catch((error) =>
          this.#post({ t: "open-failed", error: toWire(error, "invalid_manifest") })
        );
        break;
      case "send":
        this.#send(message);
        break;
      case "end": {
        const input = this.#inputOf(message.input);
        const lane = this.#laneOf(message.input);
        lane.busy++;
        lane.tail = lane.tail.then(() => {
          lane.busy--;
          input?.end();
        });
        break;
      }
      case "credit": {
        const credit = this.#credits.get(message.output);
        if (credit) {
          credit.n += message.n;
          // The frames read were the oldest ahead: their bytes are room again.
          for (let i = 0; i < message.n && credit.sizes.length > 0; i++) {
            credit.bytes -= credit.sizes.shift()!;
          }
          credit.wake?.();
        }
        break;
      }
      case "close":
        this.#close();
        break;
      case "configure":
        this.#configure(message.id, message.values);
        break;
      case "inspect":
        this.#post({
          t: "inspected",
          id: message.id,
          heapBytes: Deno.memoryUsage().heapUsed,
          graph: message.graph ? this.rt?.describe() : undefined,
        });
        break;
    }
  };

  /** Applies a `configure`, then answers once its nodes took the values (`settled()`). */
  async #configure(id: number, values: unknown): Promise<void> {
    try {
      if (!this.rt) throw new Error("the graph is not loaded");
      setParameters(this.rt, values);
      await this.rt.settled();
      this.#post({ t: "configured", id });
    } catch (error) {
      this.#post({ t: "configured", id, error: toWire(error, "invalid_parameter") });
    }
  }

  /**
   * Ends the session with `session_processor_failed`: a run of its processors went past
   * `maxRunMs` and was stopped (the isolate closes next).
   *
   * @param ms The limit.
   */
  runStopped(ms: number): void {
    if (!this.opened) return;
    // The node whose call was stopped, when the run stopped inside one (`running` is left set).
    const { node, type } = running;
    const who = node === undefined ? "a processor" : `node '${node}' (${type})`;
    this.#post({
      t: "failed",
      error: {
        code: "session_processor_failed",
        message: `${who} ran for more than ${ms} ms without returning (maxRunMs); it was stopped`,
        details: {
          phase: "process",
          cause: "max_run_ms",
          maxRunMs: ms,
          ...(node === undefined ? {} : { node, type: type ?? "" }),
        },
      },
    });
  }

  /** Closes the channel (a warm-up's, once its session closed). */
  dispose(): void {
    this.#channel?.close();
  }

  /**
   * Sends a message to the session. One that cannot be posted (not clonable) throws, which ends
   * the isolate, as a throw outside a processor does.
   *
   * @returns Whether the message was copied into the channel at once (`SessionChannel.post()`):
   *   an output frame's arrays are then free for the next frame.
   */
  #post(message: FromIsolate): boolean {
    const channel = this.#channel;
    if (channel === undefined) {
      if (this.#acks.length > 0) this.#flushAcks();
      this.#beforeOpen(message);
      return false;
    } else if (this.#acks.length === 0) return channel.post(message, withPayload);
    // The acks and the message (most often the output of the frame acked) ring the session once.
    channel.hold();
    try {
      this.#flushAcks();
      return channel.post(message, withPayload);
    } finally {
      channel.release();
    }
  }

  #ack(message: FromIsolate): void {
    this.#acks.push(message);
    if (this.#acks.length === 1) {
      this.#ackWaits = 0;
      queueMicrotask(this.#ackLater);
    }
  }

  #ackLater = (): void => {
    if (this.#acks.length === 0) return; // a message took them
    if (++this.#ackWaits < ACK_MICROTASKS) queueMicrotask(this.#ackLater);
    else setImmediate(this.#flushAcks);
  };

  #flushAcks = (): void => {
    const acks = this.#acks;
    for (let i = 0; i < acks.length; i++) {
      if (this.#channel) this.#channel.post(acks[i]);
      else this.#beforeOpen(acks[i]);
    }
    acks.length = 0;
  };

  async #open(message: Extract<ToIsolate, { t: "open" }>): Promise<void> {
    runGuard.maxRunMs = message.maxRunMs;
    const [definitions] = await Promise.all([
      loadRegistries(message.registries),
      runGuard.load(),
    ]);
    const key = this.#warmFirst && message.warmUp ? JSON.stringify(message.manifest) : "";
    if (key !== "" && !warmed.has(key)) {
      // Not warmed in the pool (no pool, or taken before its warm-up ran): its first blocks would
      // run cold code, 5-10x slower; run a warm-up session first, as a pooled isolate does.
      if (await warmable(definitions, message.manifest)) {
        await warmUp(message.registries, message.manifest, () => this.#closing).catch(() => {});
        await collectGarbage();
      } else warmed.add(key);
    }
    const runtime = new Runtime({
      memoryBudgetBytes: message.memoryBudgetBytes,
      frameMemoryBytes: message.memoryBudgetBytes,
      maxFrameBytes: message.maxFrameBytes,
      timers: guardedTimers,
      // The session's own time, from 0: what its sources stamp fits the wire format's timestamps
      // and counts from where a client's inputs do.
      clock: clockFromNow(),
    });
    runtime.use(definitions);
    loadManifest(runtime, message.manifest, {
      parameters: message.parameters as ParameterValues | undefined,
    });
    runtime.on((event) => {
      // A node's `ctx.log` line, marked as the session's (labelConsole()), as `run` prints them.
      if (event.type === "node-log") console.error(logLineText(event.node, event));
      // What ends a session whose graph has no outputs to finish (a sink's pipeline).
      if (event.type === "end-of-stream" && !this.#closing) this.#post({ t: "graph-ended" });
      if (event.type === "node-error" && event.action !== "restart" && !this.#closing) {
        this.#post({
          t: "failed",
          error: {
            code: "session_processor_failed",
            message: `Node '${event.node}' threw in ${event.phase}(): ${event.message}`,
            details: { node: event.node, phase: event.phase, cause: event.code ?? event.name },
          },
        });
      }
    });
    this.rt = runtime;
    const inputs: Record<string, string> = {};
    const outputs: Record<string, string> = {};
    for (const node of runtime.describe().nodes) {
      if (node.type === "AppInput") {
        const name = node.id.slice("app_in_".length);
        inputs[name] = runtime.input(name).portType;
      } else if (node.type === "AppOutput") {
        const name = node.id.slice("app_out_".length);
        const output = runtime.output(name);
        outputs[name] = output.portType;
        // Unread frames copied out of the graph stay under the window: the rest wait in the
        // graph's connections, whose frames the runtime's frame memory bounds.
        output.maxUnreadBytes = WINDOW_BYTES;
      }
    }
    await runtime.start();
    if (this.#closing) {
      // Closed while it opened: `#close()` found nothing running yet.
      await runtime.stop();
      return;
    }
    for (const name of Object.keys(outputs)) this.#pump(runtime.output(name), message.window);
    this.#post({ t: "ready", inputs, outputs });
  }

  #inputOf(name: string): AppInput | undefined {
    try {
      return this.rt?.input(name);
    } catch {
      return undefined;
    }
  }

  #laneOf(name: string): Lane {
    let lane = this.#lanes.get(name);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), busy: 0 };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  #send(message: Extract<ToIsolate, { t: "send" }>): void {
    const lane = this.#laneOf(message.input);
    lane.busy++;
    lane.tail = lane.busy === 1
      ? this.#sendNow(message, lane)
      : lane.tail.then(() => this.#sendNow(message, lane));
  }

  /** Gives one frame to the graph; acks once it took it (or nacks). Never rejects. */
  #sendNow(message: Extract<ToIsolate, { t: "send" }>, lane: Lane): Promise<void> {
    let taken: Promise<number>;
    let input: AppInput;
    try {
      if (!this.rt) {
        throw Object.assign(new Error("The session has no graph"), { code: "session_closed" });
      }
      input = this.rt.input(message.input);
      taken = input.send(message.frame, { metadata: message.metadata, seq: message.seq });
    } catch (error) {
      lane.busy--;
      this.#post({ t: "nack", id: message.id, error: toWire(error, "app_frame_mismatch") });
      return Promise.resolve();
    }
    return taken.then((seq) => {
      lane.busy--;
      recycle(input, message.frame);
      this.#ack({ t: "ack", id: message.id, seq });
    }, (error) => {
      lane.busy--;
      this.#post({ t: "nack", id: message.id, error: toWire(error, "app_frame_mismatch") });
    });
  }

  /** Moves an output's frames to the session while it has credit (the session's unread room). */
  async #pump(output: AppOutput, window: number): Promise<void> {
    const credit: OutputCredit = { n: window, bytes: 0, sizes: [] };
    this.#credits.set(output.name, credit);
    const name = output.name;
    let item;
    // `next()` rather than the output's async iterator: one promise a frame, not a generator's.
    while ((item = await output.next()) !== undefined) {
      // Room: a frame of credit, and the bytes ahead under the window (or none ahead).
      const size = payloadBytes(item.frame);
      while (credit.n === 0 || (credit.sizes.length > 0 && credit.bytes + size > WINDOW_BYTES)) {
        await new Promise<void>((resolve) => (credit.wake = resolve));
      }
      credit.n--;
      credit.bytes += size;
      credit.sizes.push(size);
      // Copied into the channel: the frame's samples carry a later frame (no array per frame).
      if (this.#post({ t: "frame", output: name, item })) output.recycle(item.frame);
    }
    this.#post({ t: "output-end", output: output.name });
  }

  async #close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const rt = this.rt;
    try {
      if (rt && (rt.state === "running" || rt.state === "paused")) await rt.stop();
    } finally {
      this.#post({ t: "closed" });
    }
  }
}

/**
 * Keeps a block's samples for the next block, once the graph took the block: only from an input
 * whose `send()` resolves after its node copied the frame in (`fifo`; a `latest` input's resolves
 * at once, the frame still waiting).
 */
function recycle(input: AppInput, frame: unknown): void {
  const samples = (frame as { samples?: unknown }).samples;
  if (input.policy === "fifo" && samples instanceof Float32Array) spares.keep(samples);
}

/**
 * An output's room ahead of the caller's reads: frames of credit left, and the bytes of the frames
 * sent ahead and not yet read (their sizes, oldest first), under `WINDOW_BYTES`.
 */
interface OutputCredit {
  n: number;
  bytes: number;
  readonly sizes: number[];
  wake?: () => void;
}

/** The isolate's session. */
const session = new IsolateSession((message) => scope.postMessage(message), true);

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as ToIsolate;
  // The host's stdout carries a protocol: this isolate's prints go to stderr, once.
  if ((message.t === "preload" || message.t === "open") && message.console === "stderr") {
    if (!stdoutReserved()) reserveStdout();
  }
  if (message.t === "open" && typeof message.label === "string") labelConsole(message.label);
  if (message.t === "preload") {
    if (message.maxRunMs !== undefined) runGuard.maxRunMs = message.maxRunMs;
    // A pooled isolate: import the registries now, and the modules of the processors named,
    // so opening a session only builds its graph. The runner starts the next pooled isolate
    // once this one says it is done (one preload at a time: they take the cores).
    preload(message.registries, message.warmup ?? []).catch(() => {}).finally(() => {
      if (!session.opened) scope.postMessage({ t: "preloaded" } satisfies FromIsolate);
    });
  } else session.receive(message);
};

/**
 * Marks every line this isolate prints with its session's label (`[session s3 'voice-fx'] ...`),
 * control characters escaped: what a processor prints cannot pass for the host's own lines
 * (`streamlib serve: session s1 ended ...`), move the cursor or clear a terminal. Once.
 */
function labelConsole(label: string): void {
  if (labelled) return;
  labelled = true;
  const mark = `[${terminalSafe(label, 200)}] `;
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  for (const name of methods) {
    const print = console[name].bind(console);
    console[name] = (...args: unknown[]) =>
      print(
        format(...args).split("\n").map((line) => mark + terminalSafe(line, Infinity)).join("\n"),
      );
  }
}

let labelled = false;

const loaded = new Map<string, Promise<NodeDefinition[]>>();

/**
 * Readies a pooled isolate so a session's open only builds its graph, and its first blocks run
 * as fast as later ones: imports the registries and the modules of the processors the warm-up
 * manifests use (their graphs built, never started, so no file, port or device opens), opens the
 * native library when there are warm-up manifests (see `openNativeLibrary()`), then runs a
 * session of its own, through the same channel and code a session uses (`warmUp()`), on the
 * first {@linkcode MAX_POOL_WARM_UPS} warm-up manifests whose processors all run without an event
 * loop (no file, device or network of their own), or on a graph of one `Gain` when there are
 * none, and collects the garbage they left (`collectGarbage()`).
 */
async function preload(registries: readonly string[], warmup: readonly unknown[]): Promise<void> {
  const [definitions] = await Promise.all([loadRegistries(registries), runGuard.load()]);
  const pure: unknown[] = [];
  for (const manifest of warmup) {
    if (session.opened) return; // a session arrived: it has the isolate now
    if (await warmable(definitions, manifest)) pure.push(manifest);
    else warmed.add(JSON.stringify(manifest));
  }
  if (warmup.length > 0 && !session.opened) await openNativeLibrary();
  if (pure.length === 0 && definitions.some((d) => d.descriptor.name === "Gain")) {
    pure.push(WARM_GRAPH); // the runtime's and the channel's code, whatever the session runs
  }
  for (const manifest of pure.slice(0, MAX_POOL_WARM_UPS)) {
    if (session.opened) return;
    await warmUp(registries, manifest, () => session.opened).catch(() => {});
  }
  if (!session.opened) await collectGarbage(() => !session.opened);
}

/** The `gc()` of V8's GC extension: `null` where it cannot be had. */
let gc: (() => void) | null | undefined;

/**
 * Collects this isolate's garbage now, in full, and gives back the memory it frees (V8's
 * `gc()`, which a context made after `--expose-gc` is set has: set only for that context, then
 * unset). A warm-up session leaves what it allocated in the heap, promoted to its old
 * generation, and an idle session allocates nothing that would trigger a collection: without
 * this, each session kept 2-3 MB more (`docs/performance.md`, Sessions).
 *
 * @param stillIdle Asked once the collector is at hand (its modules imported the first time):
 *   whether to collect still (not when a session took the isolate meanwhile).
 */
async function collectGarbage(stillIdle: () => boolean = () => true): Promise<void> {
  if (gc === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    gc = typeof own === "function" ? own as () => void : null;
    if (gc === null) {
      // Imported here, not with the module: `node:v8` and `node:vm` take 9-13 ms of an isolate's
      // start (Deno's Node layer), which a unary run's isolate, never warmed up, need not pay.
      const node = await Promise.all([import("node:v8"), import("node:vm")]).catch(() => null);
      if (node !== null) {
        const [{ setFlagsFromString }, { runInNewContext }] = node;
        try {
          setFlagsFromString("--expose-gc");
          const made = runInNewContext("gc");
          if (typeof made === "function") gc = made as () => void;
        } catch { /* no collection: the memory is given back later, by V8 */ }
        try {
          setFlagsFromString("--no-expose-gc");
        } catch { /* as it was */ }
      }
    }
  }
  if (stillIdle()) gc?.();
}

/**
 * Warm-up sessions a pooled isolate runs at most: most of what they compile is shared (the
 * channel, the runtime), and each costs CPU the open sessions could use; a session on a manifest
 * past these warms up when it opens.
 */
const MAX_POOL_WARM_UPS = 4;

/**
 * Whether a warm-up session may run `manifest`: it loads, and every processor it uses runs
 * without an event loop (no file, device, network or timer of its own). Imports the modules of
 * the processors it uses, whatever the answer.
 */
async function warmable(definitions: NodeDefinition[], manifest: unknown): Promise<boolean> {
  try {
    const runtime = new Runtime();
    runtime.use(definitions);
    loadManifest(runtime, manifest);
    const types = new Set(runtime.describe().nodes.map((node) => node.type));
    const used = definitions.filter((d) => types.has(d.descriptor.name));
    await Promise.all(used.map((d) => d.load?.().catch(() => {})));
    return used.every((d) => d.descriptor.needsEventLoop === false);
  } catch {
    return false; // the session that uses it reports why
  }
}

/**
 * The manifests (their JSON) this isolate needs no warm-up session for: one ran, or could not
 * run (see `warmUp()`), or they are not `warmable()`.
 */
const warmed = new Set<string>();

/**
 * Blocks a warm-up session sends: 48 was enough for the first blocks of 10 sessions opened at
 * once on 2 cores to take as long as later ones (round trip p99 of their first 2 s 6.0-6.7 ms
 * with 30 blocks sent ahead, against 30.8-46.5 ms without; `docs/performance.md`, Sessions).
 */
const WARM_BLOCKS = 48;
/**
 * Longest a warm-up session runs, and then longest its close takes, in milliseconds (a graph
 * that never takes a block; a machine so loaded that 48 blocks take longer).
 */
const WARM_LIMIT_MS = 500;

/**
 * Runs one session in this isolate, over a channel of its own, on `manifest`: opens it, sends
 * {@linkcode WARM_BLOCKS} blocks of 20 ms of audio to every input (the input's channels, 16 kHz),
 * reads what comes out, and closes it, so V8 has compiled the code each block runs (the channel,
 * the runtime, the processors) before a session takes the isolate. Stops early when `stop()`
 * says so (a session arrived); otherwise the manifest is then in `warmed`, whether its warm-up ran
 * to its end or could not run (an input that is not audio, a processor that threw, the time
 * limit), so it is not tried again.
 */
async function warmUp(
  registries: readonly string[],
  manifest: unknown,
  stop: () => boolean,
): Promise<void> {
  const [mine, theirs] = createChannelBuffers();
  const { port1, port2 } = new MessageChannel();
  const warm = new IsolateSession(() => {}, false);
  let heard: (message: FromIsolate) => void = () => {};
  const outputs = new SampleSpares();
  const peer = new SessionChannel<ToIsolate, FromIsolate>(mine, port1, (message) => {
    // Read at once, as a session's client would: its credit goes back.
    if (message.t === "frame") {
      peer.post({ t: "credit", output: message.output, n: 1 });
      const samples = (message.item.frame as { samples?: unknown }).samples;
      if (samples instanceof Float32Array) outputs.keep(samples);
    }
    heard(message);
  }, outputs.take);
  const deadline = performance.now() + WARM_LIMIT_MS;
  let stopped = false;
  /** The next message `accept` takes, or undefined after `until`. */
  const next = (accept: (message: FromIsolate) => boolean, until = deadline) =>
    new Promise<FromIsolate | undefined>((resolve) => {
      const done = (message: FromIsolate | undefined) => {
        clearTimeout(timer);
        heard = () => {};
        resolve(message);
      };
      const timer = setTimeout(() => done(undefined), Math.max(0, until - performance.now()));
      heard = (message) => {
        if (accept(message)) done(message);
      };
    });
  try {
    const ready = next((m) => m.t === "ready" || m.t === "open-failed");
    warm.receive({
      t: "open",
      manifest,
      registries,
      memoryBudgetBytes: 64 * 1024 * 1024,
      maxFrameBytes: 1024 * 1024,
      window: 16,
      warmUp: false,
      maxRunMs: runGuard.maxRunMs,
      buffers: theirs,
      port: port2,
    });
    const opened = await ready;
    if (opened?.t !== "ready") return;
    const frames: [string, AppFrameInput][] = [];
    for (const [name, portType] of Object.entries(opened.inputs)) {
      const channels = /^AudioFrame(?:<(\d+)>)?$/.exec(portType);
      if (!channels) return; // an input this warm-up cannot feed
      const n = Number(channels[1] ?? 1);
      const samples = new Float32Array(320 * n).map((_, i) => Math.sin(i / 7) * 0.1);
      frames.push([name, { kind: "audio", channels: n, sampleRate: 16_000, samples }]);
    }
    let id = 0;
    for (let block = 0; block < WARM_BLOCKS; block++) {
      if (stop()) {
        stopped = true;
        return;
      }
      for (const [input, frame] of frames) {
        const sent = id++;
        const acked = next((m) =>
          ((m.t === "ack" || m.t === "nack") && m.id === sent) || m.t === "failed"
        );
        peer.post({ t: "send", id: sent, input, frame });
        const answer = await acked;
        if (answer?.t !== "ack") return;
      }
    }
  } finally {
    if (!stopped) warmed.add(JSON.stringify(manifest));
    const closed = next((m) => m.t === "closed", performance.now() + WARM_LIMIT_MS);
    peer.post({ t: "close" });
    await closed;
    warm.dispose();
    peer.close();
  }
}

/**
 * Opens the native library (`ffi/native/load.ts`), when it is built, as the setup of a processor
 * that runs native code would: its module graph imported, the library opened. A session's start
 * then only binds the symbols its processors call: the open of a pooled unary run through a
 * `Reverb` took 17-52 ms at load 8 on 2 cores, 10-28 ms with the library opened here
 * (`bench/session_unary_bench.ts`'s manifest). Never builds it; a library that is missing or does
 * not open is left to the session's processors to report.
 */
async function openNativeLibrary(): Promise<void> {
  try {
    const { loadNativeLibrary } = await import("../ffi/native/load.ts");
    loadNativeLibrary({ build: false });
  } catch {
    /* the processors that need it report why */
  }
}

/** The graph `preload()` warms up on whatever the warm-up manifests are. */
const WARM_GRAPH = {
  version: 1,
  nodes: [{ id: "g", type: "Gain" }],
  inputs: { a: "g.in" },
  outputs: { a: "g.out" },
};

/** The definitions of the registry modules, each imported once per isolate. */
async function loadRegistries(urls: readonly string[]): Promise<NodeDefinition[]> {
  const all: NodeDefinition[] = [];
  for (const url of urls) {
    if (!loaded.has(url)) loaded.set(url, importRegistry(url));
    all.push(...await loaded.get(url)!);
  }
  return all;
}

async function importRegistry(url: string): Promise<NodeDefinition[]> {
  let module: { registry?: Iterable<NodeDefinition> };
  try {
    module = await import(url);
  } catch (error) {
    throw Object.assign(new Error(`Cannot import registry ${url}: ${(error as Error).message}`), {
      code: "plugin_import_failed",
      details: { url },
    });
  }
  if (typeof module.registry?.[Symbol.iterator] !== "function") {
    throw Object.assign(new Error(`Registry module ${url} has no \`registry\` export`), {
      code: "plugin_no_registry",
      details: { url },
    });
  }
  return [...module.registry];
}
