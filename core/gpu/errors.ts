/**
 * The GPU's typed errors: no device, a lost device, GPU use without a device, and GPU nodes on
 * Workers.
 *
 * @module
 */

import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";

/** What to install where WebGPU finds no adapter, named in {@linkcode GpuUnavailableError}. */
export const GPU_INSTALL_HINT =
  "install a Vulkan driver (Debian/Ubuntu: apt-get install mesa-vulkan-drivers, which brings lavapipe, a software device) or run on a machine with a GPU";

/**
 * Thrown when this isolate has no WebGPU device: no `navigator.gpu`, no adapter, or the adapter
 * refused a device. A node with a GPU port fails its setup with it.
 *
 * @example A runtime on a machine with no adapter
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuUnavailableError, IsolateGpu } from "@streamlib/streamlib";
 *
 * const gpu = new IsolateGpu({ requestAdapter: () => Promise.resolve(null) });
 * await assert.rejects(gpu.ready(), (e) =>
 *   e instanceof GpuUnavailableError && e.code === "gpu_unavailable" && /mesa-vulkan-drivers/.test(e.message));
 * ```
 */
export class GpuUnavailableError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "gpu_unavailable";
  /** Why there is no device. */
  readonly reason: string;
  /** What to install. */
  readonly hint: string = GPU_INSTALL_HINT;

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { reason: this.reason, hint: this.hint };
  }

  /**
   * Says why there is no device and what to install.
   *
   * @param reason Why: no `navigator.gpu`, no adapter, or the device request failed.
   */
  constructor(reason: string) {
    super(`No GPU device in this isolate: ${reason}; ${GPU_INSTALL_HINT}`);
    this.name = "GpuUnavailableError";
    this.reason = reason;
  }
}

/**
 * A node's failure when the isolate's GPU device was lost (a driver reset, `device.destroy()`):
 * every node that uses the device fails with it (`node-error`, code `gpu_device_lost`), and the
 * `restart` policy sets the node up again on a new device.
 *
 * @example The error a lost device gives
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuDeviceLostError } from "@streamlib/streamlib";
 *
 * const error = new GpuDeviceLostError("destroyed", "Device was destroyed.");
 * assert.equal(error.code, "gpu_device_lost");
 * ```
 */
export class GpuDeviceLostError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "gpu_device_lost";
  /** WebGPU's reason (`"destroyed"` or `"unknown"`). */
  readonly reason: string;

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { reason: this.reason };
  }

  /**
   * Says that and why the device was lost.
   *
   * @param reason WebGPU's `GPUDeviceLostInfo.reason`.
   * @param message WebGPU's message.
   */
  constructor(reason: string, message: string) {
    super(
      `The GPU device was lost (${reason}${
        message ? `: ${message}` : ""
      }): the nodes using it fail; the restart policy sets them up on a new device`,
    );
    this.name = "GpuDeviceLostError";
    this.reason = reason;
  }
}

/**
 * Thrown when a node uses `ctx.gpu.device` or `ctx.frames.gpuVideo()` before the isolate has a
 * device for it: it has no `GpuVideoFrame` port (for which the runtime makes the device before
 * `setup()`) and did not `await ctx.gpu.ready()` in its setup.
 *
 * @example A processor without GPU ports asks for a texture first thing
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuNotReadyError } from "@streamlib/streamlib";
 *
 * const error = new GpuNotReadyError("blur");
 * assert.equal(error.code, "gpu_not_ready");
 * ```
 */
export class GpuNotReadyError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "gpu_not_ready";
  /** The node. */
  readonly node: string;

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return { node: this.node };
  }

  /**
   * Names the node that used the GPU too early.
   *
   * @param node The node's id.
   */
  constructor(node: string) {
    super(
      `Cannot use the GPU in '${node}': it has no device yet; declare a GpuVideoFrame port, or await ctx.gpu.ready() in setup()`,
    );
    this.name = "GpuNotReadyError";
    this.node = node;
  }
}

/**
 * Thrown by `add()` when a node with a `GpuVideoFrame` port is placed on a Worker: WebGPU objects
 * cannot cross isolates, and GPU nodes run in the main isolate, on its one device
 * (`docs/decisions/0041-gpu-nodes-in-the-main-isolate.md`). CPU nodes on Workers connect to GPU
 * nodes in the main isolate; the transfer happens at the main isolate's end.
 *
 * @example Refused placement
 * ```ts
 * import assert from "node:assert/strict";
 * import { GpuPlacementError } from "@streamlib/streamlib";
 *
 * const error = new GpuPlacementError("blur", "GpuBlur", "worker:fx", ["in", "out"]);
 * assert.equal(error.code, "gpu_worker_placement");
 * ```
 */
export class GpuPlacementError extends Error {
  /** Stable machine code. */
  readonly code: ErrorCode = "gpu_worker_placement";
  /** The node. */
  readonly node: string;
  /** Its processor. */
  readonly processor: string;
  /** The isolate asked for (`worker:<name>`). */
  readonly isolate: string;
  /** Its GPU ports. */
  readonly ports: readonly string[];

  /** The offending names and the valid alternatives (`available`). */
  get details(): ErrorDetails {
    return {
      node: this.node,
      processor: this.processor,
      isolate: this.isolate,
      ports: [...this.ports],
      available: ["main"],
    };
  }

  /**
   * Names the node, where it was asked to go and its GPU ports.
   *
   * @param node The node's id.
   * @param processor Its processor.
   * @param isolate The isolate asked for.
   * @param ports Its GpuVideoFrame ports.
   */
  constructor(node: string, processor: string, isolate: string, ports: readonly string[]) {
    super(
      `Cannot place node '${node}' (${processor}) on ${isolate}: its ports ${
        ports.join(", ")
      } carry GpuVideoFrame, and GPU frames cannot cross isolates; place it on "main" (CPU nodes on Workers connect to it, the transfer is counted on the connection)`,
    );
    this.name = "GpuPlacementError";
    this.node = node;
    this.processor = processor;
    this.isolate = isolate;
    this.ports = ports;
  }
}
