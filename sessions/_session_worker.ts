/**
 * The isolate of one pipeline session: a web Worker (`_isolate.ts`) that runs one runtime with
 * the session's manifest, driven over its message port (`_protocol.ts`). Internal.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { AppOutput } from "../core/app/app_output.ts";
import type { AppInput } from "../core/app/app_input.ts";
import type { NodeDefinition } from "../core/registry/node_definition.ts";
import { Runtime } from "../core/runtime.ts";
import { loadManifest } from "../core/manifest/manifest.ts";
import { type FromIsolate, type IsolateExiting, type ToIsolate, toWire } from "./_protocol.ts";
import { SessionChannel } from "./_channel.ts";
import { SampleSpares } from "../core/app/sample_spares.ts";

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

let rt: Runtime | undefined;
const lanes = new Map<string, Lane>();
const credits = new Map<string, { n: number; wake?: () => void }>();
let closing = false;

/** The session's channel, from `open` on (see `Session`'s `#channel`). */
let channel: SessionChannel<FromIsolate, ToIsolate> | undefined;

/**
 * Sends a message to the session. One that cannot be posted (not clonable) throws, which ends
 * the isolate, as a throw outside a processor does.
 *
 * @returns Whether the message was copied into the channel at once (`SessionChannel.post()`): an
 *   output frame's arrays are then free for the next frame.
 */
function post(message: FromIsolate): boolean {
  if (channel === undefined) {
    if (acks.length > 0) flushAcks();
    scope.postMessage(message);
    return false;
  } else if (acks.length === 0) return channel.post(message, withPayload);
  // The acks and the message (most often the output of the frame acked) ring the session once.
  channel.hold();
  try {
    flushAcks();
    return channel.post(message, withPayload);
  } finally {
    channel.release();
  }
}

/** A message as it crosses the port: an output frame's payload moved, not copied. */
function withPayload(message: FromIsolate): [FromIsolate, Transferable[]] {
  if (message.t !== "frame") return [message, []];
  const frame = message.item.frame as { samples?: Float32Array; data?: Uint8Array };
  const payload = frame.samples ?? frame.data;
  return [message, payload ? [payload.buffer as ArrayBuffer] : []];
}

/**
 * Acks not sent yet: each goes with the next message (the output of the frame it acks, most
 * often, made in the same turn), or at the end of the turn, so the session's thread is woken
 * once per frame rather than once for its ack and again for its output.
 */
const acks: FromIsolate[] = [];
/**
 * Microtasks an ack waits for the next message before it asks for the end of the turn: a graph
 * makes a frame's output in the turn that took it, and its output reaches `post()` a few
 * microtasks after the ack (two here). The end of the turn (`setImmediate`, a task of its own)
 * is only asked for when none came, rather than for every frame.
 */
const ACK_MICROTASKS = 8;
let ackWaits = 0;

function ack(message: FromIsolate): void {
  acks.push(message);
  if (acks.length === 1) {
    ackWaits = 0;
    queueMicrotask(ackLater);
  }
}

function ackLater(): void {
  if (acks.length === 0) return; // a message took them
  if (++ackWaits < ACK_MICROTASKS) queueMicrotask(ackLater);
  else setImmediate(flushAcks);
}

function flushAcks(): void {
  for (let i = 0; i < acks.length; i++) {
    if (channel) channel.post(acks[i]);
    else scope.postMessage(acks[i]);
  }
  acks.length = 0;
}

scope.onmessage = (event: MessageEvent) => receive(event.data as ToIsolate);

function receive(message: ToIsolate): void {
  switch (message.t) {
    case "open":
      channel = new SessionChannel(message.buffers, message.port, receive, spares.take);
      open(message).catch((error) =>
        post({ t: "open-failed", error: toWire(error, "invalid_manifest") })
      );
      break;
    case "send":
      send(message);
      break;
    case "end": {
      const input = inputOf(message.input);
      const lane = laneOf(message.input);
      lane.busy++;
      lane.tail = lane.tail.then(() => {
        lane.busy--;
        input?.end();
      });
      break;
    }
    case "credit": {
      const credit = credits.get(message.output);
      if (credit) {
        credit.n += message.n;
        credit.wake?.();
      }
      break;
    }
    case "close":
      close();
      break;
    case "inspect":
      post({
        t: "inspected",
        id: message.id,
        heapBytes: Deno.memoryUsage().heapUsed,
        graph: message.graph ? rt?.describe() : undefined,
      });
      break;
    case "preload":
      // A pooled isolate: import the registries now, and the modules of the processors named,
      // so opening a session only builds its graph.
      preload(message.registries, message.warmup ?? []).catch(() => {});
      break;
  }
}

const loaded = new Map<string, Promise<NodeDefinition[]>>();

/**
 * Readies a pooled isolate so a session's open only builds its graph: imports the registries and
 * the modules of the processors the warm-up manifests use (their graphs built, never started, so
 * no file, port or device opens), opens the native library when there are warm-up manifests (see
 * `openNativeLibrary()`), then runs one frame through a graph of its own (an application input, a
 * `Gain`, an application output) so the runtime's start and frame paths are compiled.
 */
async function preload(registries: readonly string[], warmup: readonly unknown[]): Promise<void> {
  const definitions = await loadRegistries(registries);
  for (const manifest of warmup) {
    if (rt !== undefined) return; // a session arrived: it has the isolate now
    try {
      const runtime = new Runtime();
      runtime.use(definitions);
      loadManifest(runtime, manifest);
      const types = new Set(runtime.describe().nodes.map((node) => node.type));
      await Promise.all(
        definitions.filter((d) => types.has(d.descriptor.name)).map((d) =>
          d.load?.().catch(() => {})
        ),
      );
    } catch { /* the session that uses it reports why */ }
  }
  if (warmup.length > 0 && rt === undefined) await openNativeLibrary();
  if (rt !== undefined || !definitions.some((d) => d.descriptor.name === "Gain")) return;
  const runtime = new Runtime();
  try {
    runtime.use(definitions);
    loadManifest(runtime, WARM_GRAPH);
    await runtime.start();
    const samples = new Float32Array(2);
    await runtime.input("a").send({ kind: "audio", channels: 2, sampleRate: 48_000, samples });
    runtime.input("a").end();
    for await (const _ of runtime.output("a")) { /* one frame */ }
  } catch {
    /* a warm-up only */
  } finally {
    await runtime.stop().catch(() => {});
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

/** The graph `preload()` runs one frame through. */
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

async function open(message: Extract<ToIsolate, { t: "open" }>): Promise<void> {
  const definitions = await loadRegistries(message.registries);
  const runtime = new Runtime({
    memoryBudgetBytes: message.memoryBudgetBytes,
    maxFrameBytes: message.maxFrameBytes,
  });
  runtime.use(definitions);
  loadManifest(runtime, message.manifest);
  runtime.on((event) => {
    if (event.type === "node-error" && event.action !== "restart" && !closing) {
      post({
        t: "failed",
        error: {
          code: "session_processor_failed",
          message: `Node '${event.node}' threw in ${event.phase}(): ${event.message}`,
          details: { node: event.node, phase: event.phase, cause: event.code ?? event.name },
        },
      });
    }
  });
  rt = runtime;
  const inputs: Record<string, string> = {};
  const outputs: Record<string, string> = {};
  const names = runtime.describe().nodes;
  for (const node of names) {
    if (node.type === "AppInput") {
      const name = node.id.slice("app_in_".length);
      inputs[name] = runtime.input(name).portType;
    } else if (node.type === "AppOutput") {
      const name = node.id.slice("app_out_".length);
      outputs[name] = runtime.output(name).portType;
    }
  }
  await runtime.start();
  for (const name of Object.keys(outputs)) pump(runtime.output(name), message.window);
  post({ t: "ready", inputs, outputs });
}

function inputOf(name: string): AppInput | undefined {
  try {
    return rt?.input(name);
  } catch {
    return undefined;
  }
}

/**
 * Sample arrays of blocks the graph took, for the channel to copy the next blocks into: a block
 * crossing from the session then costs a copy, not an allocation of its own (38 kB for 100 ms of
 * 48 kHz stereo) and its garbage.
 */
const spares = new SampleSpares();

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
 * An input's lane: its sends and its end, in the order they came. `busy` counts those not done
 * yet (a send until the graph took it or refused it); with none, a send goes to the graph at once
 * rather than through a promise chained per frame.
 */
interface Lane {
  tail: Promise<unknown>;
  busy: number;
}

function laneOf(name: string): Lane {
  let lane = lanes.get(name);
  if (lane === undefined) {
    lane = { tail: Promise.resolve(), busy: 0 };
    lanes.set(name, lane);
  }
  return lane;
}

function send(message: Extract<ToIsolate, { t: "send" }>): void {
  const lane = laneOf(message.input);
  lane.busy++;
  lane.tail = lane.busy === 1
    ? sendNow(message, lane)
    : lane.tail.then(() => sendNow(message, lane));
}

/** Gives one frame to the graph; acks once it took it (or nacks). Never rejects. */
function sendNow(message: Extract<ToIsolate, { t: "send" }>, lane: Lane): Promise<void> {
  let taken: Promise<number>;
  let input: AppInput;
  try {
    if (!rt) {
      throw Object.assign(new Error("The session has no graph"), { code: "session_closed" });
    }
    input = rt.input(message.input);
    taken = input.send(message.frame, { metadata: message.metadata, seq: message.seq });
  } catch (error) {
    lane.busy--;
    post({ t: "nack", id: message.id, error: toWire(error, "app_frame_mismatch") });
    return Promise.resolve();
  }
  return taken.then((seq) => {
    lane.busy--;
    recycle(input, message.frame);
    ack({ t: "ack", id: message.id, seq });
  }, (error) => {
    lane.busy--;
    post({ t: "nack", id: message.id, error: toWire(error, "app_frame_mismatch") });
  });
}

/** Moves an output's frames to the session while it has credit (the session's unread room). */
async function pump(output: AppOutput, window: number): Promise<void> {
  const credit: { n: number; wake?: () => void } = { n: window };
  credits.set(output.name, credit);
  const name = output.name;
  let item;
  // `next()` rather than the output's async iterator: one promise a frame, not a generator's.
  while ((item = await output.next()) !== undefined) {
    while (credit.n === 0) await new Promise<void>((resolve) => (credit.wake = resolve));
    credit.n--;
    // Copied into the channel: the frame's samples carry a later frame (no array per frame).
    if (post({ t: "frame", output: name, item })) output.recycle(item.frame);
  }
  post({ t: "output-end", output: output.name });
}

async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    if (rt && (rt.state === "running" || rt.state === "paused")) await rt.stop();
  } finally {
    post({ t: "closed" });
  }
}
