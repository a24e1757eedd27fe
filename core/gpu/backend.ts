/**
 * {@linkcode chooseGpuBackend}: on Linux, WebGPU on Vulkan alone unless the user chose a backend.
 *
 * Left to itself, Deno's wgpu starts every backend it can on Linux: Vulkan and also OpenGL through
 * EGL (libglvnd, Mesa). The GL one is never the adapter where Vulkan has one, but loading it is
 * not free: at process exit libglvnd's destructors free per-thread state that a thread still
 * ending (a Worker that made a device, as every `deno test --parallel` file and every session
 * isolate is) frees again, and glibc aborts the process with "double free or corruption" after
 * everything else went well. Measured on lavapipe: 5 aborts in 115 runs of the GPU tests with
 * every backend, 0 in 100 with Vulkan alone (decision 0073). Asking for Vulkan alone also leaves
 * the GL libraries unloaded.
 *
 * @module
 */

/** The environment variable Deno's WebGPU reads, once per isolate, at the first adapter request. */
export const GPU_BACKEND_ENV = "DENO_WEBGPU_BACKEND";

/**
 * Sets `DENO_WEBGPU_BACKEND=vulkan` on Linux when it is unset and this process may set it, before
 * the isolate's first adapter request (the runtime's `IsolateGpu` calls it; call it yourself
 * before using `navigator.gpu` directly). Does nothing elsewhere, when the variable is set (the
 * user's choice: `gl` for a machine with OpenGL and no Vulkan driver), or without `--allow-env`
 * for it.
 *
 * @returns The backend the process asks for: the variable's value, or `undefined` for wgpu's
 *   default (every backend).
 *
 * @example Vulkan alone on Linux
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseGpuBackend } from "./backend.ts";
 *
 * const chosen = chooseGpuBackend();
 * if (Deno.build.os === "linux") assert.equal(chosen, Deno.env.get("DENO_WEBGPU_BACKEND"));
 * ```
 */
export function chooseGpuBackend(): string | undefined {
  let state: Deno.PermissionState;
  try {
    state = Deno.permissions.querySync({ name: "env", variable: GPU_BACKEND_ENV }).state;
  } catch {
    return undefined;
  }
  if (state !== "granted") return undefined;
  const chosen = Deno.env.get(GPU_BACKEND_ENV);
  if (chosen !== undefined && chosen !== "") return chosen;
  if (Deno.build.os !== "linux") return undefined;
  Deno.env.set(GPU_BACKEND_ENV, "vulkan");
  return "vulkan";
}
