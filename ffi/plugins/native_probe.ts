/**
 * The sampling side of probes on a native plugin node's outputs.
 *
 * @module
 */

import { FrameMessageBatch, NO_SLOT } from "../../core/frames/message.ts";
import type { SampledOutput } from "../../core/probes/sampler.ts";
import { FrameDecoder } from "../transport/channel/decoder.ts";
import type { FramePool } from "../transport/frame_pool.ts";
import type { NativeLibrary } from "../native/symbols.ts";

/**
 * One output of a native plugin node as a probe sees it: `sampleNext()` asks the node's thread
 * for the next frame it writes (`sl_plugin_node_probe`), which retains that frame's slot into the
 * output's one-frame probe slot and never waits for JavaScript; {@linkcode NativeOutputProbe.serve},
 * called from the host's poll, takes it (`sl_plugin_node_probe_take`), hands the frame (a
 * zero-copy view of the slot) to every waiting callback and releases the slot. The writer pays one
 * atomic load per frame while nobody asks, and one retain per sample; no JavaScript runs on its
 * thread.
 *
 * Every probe of one output shares one of these; `ProbeSampler` drives it.
 *
 * @example Sample a NativeGain's output in a running graph
 * ```ts
 * import assert from "node:assert/strict";
 * import { NativePlugin } from "@streamlib/streamlib/ffi";
 * import { createRuntime } from "@streamlib/streamlib/processors";
 *
 * const path = new URL("../../crates/target/release/libstreamlib_example_plugin.so", import.meta.url);
 * const plugin = NativePlugin.load(path.pathname);
 * const rt = createRuntime().use(plugin);
 * rt.add("TestToneGenerator", { frequency: 440, amplitude: 0.5 }, { id: "tone" });
 * rt.add("NativeGain", { gain: 0.5 }, { id: "gain" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "gain", "in");
 * rt.connectByName("gain", "out", "sink", "in");
 * const kinds: string[] = [];
 * const probe = rt.probe("gain.out", (sample) => kinds.push(sample.summary.kind), { everyMs: 10 });
 * await rt.start();
 * await new Promise((resolve) => setTimeout(resolve, 150));
 * await rt.stop();
 * probe.close();
 * assert.ok(kinds.length > 0 && kinds.every((kind) => kind === "audio"));
 * assert.equal(probe.isolate, "native:streamlib_example_plugin");
 * assert.deepEqual(rt.frameLeaks(), []);
 * plugin.close();
 * ```
 */
export class NativeOutputProbe implements SampledOutput {
  /** `node.port`. */
  readonly label: string;
  readonly #lib: NativeLibrary;
  readonly #node: number;
  readonly #port: number;
  readonly #pool: FramePool;
  readonly #poolHandle: number;
  readonly #decoder: FrameDecoder;
  readonly #message = new FrameMessageBatch(1);
  #waiting: ((frame: unknown) => void)[] = [];
  #closed = false;

  /**
   * For the native plugin host.
   *
   * @param lib The host library.
   * @param node The node's native handle.
   * @param port The output's index.
   * @param pool The pool the node's connections use (an unconnected output writes into it while
   * a frame is asked for).
   * @param label `node.port`.
   */
  constructor(lib: NativeLibrary, node: number, port: number, pool: FramePool, label: string) {
    this.#lib = lib;
    this.#node = node;
    this.#port = port;
    this.#pool = pool;
    this.#poolHandle = pool.share().handle;
    this.#decoder = new FrameDecoder(pool);
    this.label = label;
  }

  /** Whether a callback waits for a frame. */
  get waiting(): boolean {
    return this.#waiting.length > 0;
  }

  /**
   * Asks the node's thread for the next frame it writes; {@linkcode NativeOutputProbe.serve}
   * calls `callback` with it.
   *
   * @param callback Receives the frame once (valid only during the call).
   */
  sampleNext(callback: (frame: unknown) => void): void {
    if (this.#closed) return;
    this.#waiting.push(callback);
    this.#ask();
  }

  /**
   * Forgets a waiting callback; the native side stops asking when none is left.
   *
   * @param callback The callback.
   */
  cancelSample(callback: (frame: unknown) => void): void {
    this.#waiting = this.#waiting.filter((c) => c !== callback);
    if (this.#waiting.length === 0 && !this.#closed) {
      this.#lib.symbols.sl_plugin_node_unprobe(this.#node, this.#port);
    }
  }

  /**
   * Takes the frame the node sampled, if any, and hands it to every waiting callback; then
   * releases its slot. Called from the host's poll; never waits for the node's thread.
   *
   * @returns Whether a frame was delivered.
   */
  serve(): boolean {
    if (this.#closed || this.#waiting.length === 0) return false;
    const message = this.#message;
    const taken = this.#lib.symbols.sl_plugin_node_probe_take(
      this.#node,
      this.#port,
      message.bytes,
    );
    if (taken !== 1) return false;
    const slot = message.slot(0);
    try {
      const frame = this.#decoder.decode(message, 0);
      if (frame === undefined) {
        this.#ask(); // not a frame (a malformed write): keep the callbacks waiting for the next
        return false;
      }
      const callbacks = this.#waiting;
      this.#waiting = [];
      for (const callback of callbacks) callback(frame);
      return true;
    } finally {
      if (slot !== NO_SLOT) this.#pool.release(slot);
    }
  }

  /** Asks the native side; a node already freed (only after the host closed this) ends it. */
  #ask(): void {
    const status = this.#lib.symbols.sl_plugin_node_probe(this.#node, this.#port, this.#poolHandle);
    if (status < 0) {
      this.#closed = true;
      this.#waiting = [];
    }
  }

  /** Stops sampling and releases a frame sampled and not taken. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting = [];
    this.#lib.symbols.sl_plugin_node_unprobe(this.#node, this.#port);
  }
}
