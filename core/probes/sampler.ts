/**
 * The sampling side of a probe, run by the host of the isolate that owns the port.
 *
 * @module
 */

import {
  type HostedProbeSample,
  type HostedProbeSpec,
  ProbeOptionsError,
  type ProbeTransform,
  summarizeFrame,
} from "./probe.ts";
import type { Frame } from "../frames/frame.ts";

type TransformFn = (frame: unknown, options: unknown) => unknown;

/**
 * What a {@linkcode ProbeSampler} samples: an `OutputBinding` of a JavaScript node, or a native
 * plugin node's output (whose host polls the native probe slot).
 */
export interface SampledOutput {
  /** `node.port`, for messages. */
  readonly label: string;
  /**
   * Calls `callback` once with the next frame written (valid only during the call), after that
   * write and never inside it.
   */
  sampleNext(callback: (frame: unknown) => void): void;
  /**
   * Calls `callback` with every frame written from now on, until `cancelSample` (probes with
   * `everyFrame`). Absent on outputs sampled one frame at a time (a native node's probe slot).
   */
  sampleEvery?(callback: (frame: unknown) => void): void;
  /** Forgets a callback of `sampleNext` or `sampleEvery`. */
  cancelSample(callback: (frame: unknown) => void): void;
}

/**
 * Samples an output every `everyMs`: each tick asks the output for the next frame it writes
 * (`sampleNext()`), which comes in a microtask after that write, and hands it to `deliver`. The
 * write path pays one boolean test, and one retain and release per sample: no copy, no wait, and
 * no frame is held between samples. A writer that writes nothing is not sampled.
 *
 * @example Sample an output by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputBinding } from "../ports/output_binding.ts";
 * import { ProbeSampler } from "./sampler.ts";
 *
 * const output = new OutputBinding<{ kind: string; frameNumber: number }>("out", "DataFrame");
 * const seen: number[] = [];
 * const sampler = new ProbeSampler(output, { node: "n", port: "out", everyMs: 5 }, (s) => {
 *   seen.push(s.summary.frameNumber!);
 * });
 * await new Promise((resolve) => setTimeout(resolve, 20)); // the first tick asks for a frame
 * output.write({ kind: "data", frameNumber: 1 });
 * output.write({ kind: "data", frameNumber: 2 });
 * await Promise.resolve();
 * sampler.close();
 * assert.deepEqual(seen, [1]); // one sample per tick: the first frame written after it
 * ```
 */
export class ProbeSampler {
  readonly #binding: SampledOutput;
  readonly #deliver: (sample: HostedProbeSample) => void;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #everyFrame: boolean;
  #transform: TransformFn | undefined;
  readonly #transformOptions: unknown;
  #transformError: string | undefined;
  #waiting = false;
  #asked = false;
  #closed = false;

  /**
   * Starts the timer.
   *
   * @param binding The probed output (an `OutputBinding`, or a native node's output).
   * @param spec Period and transform.
   * @param deliver Receives each sample.
   */
  constructor(
    binding: SampledOutput,
    spec: HostedProbeSpec,
    deliver: (sample: HostedProbeSample) => void,
  ) {
    if (spec.everyFrame === true && binding.sampleEvery === undefined) {
      throw new ProbeOptionsError(
        "everyFrame",
        `everyFrame is not available on ${binding.label}: a native plugin node's output is ` +
          "sampled one frame at a time; use everyMs",
      );
    }
    this.#binding = binding;
    this.#deliver = deliver;
    this.#transformOptions = spec.transform?.options;
    this.#everyFrame = spec.everyFrame === true;
    if (spec.transform) {
      this.#waiting = true;
      loadTransform(spec.transform).then(
        (fn) => this.#transform = fn,
        (error) => this.#transformError = `transform did not load: ${messageOf(error)}`,
      ).finally(() => {
        this.#waiting = false;
        if (this.#everyFrame) this.#tick();
      });
    }
    if (this.#everyFrame) {
      this.#timer = undefined;
      this.#tick();
      return;
    }
    this.#timer = setInterval(this.#tick, spec.everyMs);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Stops sampling. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#asked) this.#binding.cancelSample(this.#sample);
    this.#asked = false;
  }

  #tick = (): void => {
    if (this.#closed || this.#waiting || this.#asked) return;
    this.#asked = true;
    if (this.#everyFrame) this.#binding.sampleEvery!(this.#sample);
    else this.#binding.sampleNext(this.#sample);
  };

  /** The output's frame, alive during the call. */
  #sample = (frame: unknown): void => {
    if (!this.#everyFrame) this.#asked = false;
    if (this.#closed) return;
    try {
      const sample: { -readonly [K in keyof HostedProbeSample]: HostedProbeSample[K] } = {
        summary: summarizeFrame(frame),
        frame: frame as Frame,
      };
      if (this.#transformError !== undefined) sample.error = this.#transformError;
      else if (this.#transform) {
        try {
          const value = this.#transform(frame, this.#transformOptions);
          if (isThenable(value)) {
            // An asynchronous transform (a GPU frame's thumbnail read back): the frame is valid
            // only during this call, so the sample goes without it when the value is ready.
            delete sample.frame;
            value.then(
              (resolved) => (sample.value = resolved),
              (error) => (sample.error = `transform threw: ${messageOf(error)}`),
            ).then(() => {
              if (!this.#closed) this.#deliver(sample);
            });
            return;
          }
          sample.value = value;
        } catch (error) {
          sample.error = `transform threw: ${messageOf(error)}`;
        }
      }
      this.#deliver(sample);
    } catch (error) {
      console.error(`A probe callback on '${this.#binding.label}' threw:`, error);
    }
  };
}

/** Whether a transform's result is a promise (or another thenable). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

const transforms = new Map<string, Promise<TransformFn>>();

/** Imports a transform's module once per isolate and finds its function. */
function loadTransform(ref: ProbeTransform): Promise<TransformFn> {
  const name = ref.export ?? "default";
  const key = `${ref.module}#${name}`;
  let loading = transforms.get(key);
  if (!loading) {
    loading = import(ref.module).then((mod) => {
      const fn = mod[name];
      if (typeof fn !== "function") {
        throw new TypeError(`'${ref.module}' exports no function '${name}'`);
      }
      return fn as TransformFn;
    });
    transforms.set(key, loading);
    loading.catch(() => transforms.delete(key));
  }
  return loading;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
