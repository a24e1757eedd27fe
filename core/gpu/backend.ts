/**
 * {@linkcode chooseGpuBackend}: on Linux, WebGPU on Vulkan alone unless the user chose a backend;
 * {@linkcode requestGpuAdapter}: that, and an adapter request without libwayland's noise.
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

/** A `WAYLAND_DISPLAY` no socket can have (`/dev/null` is not a folder): libwayland fails quietly. */
const NO_WAYLAND = "/dev/null/no-wayland";

/** Adapter requests of this isolate under way with `WAYLAND_DISPLAY` set by us. */
let quieted = 0;

/**
 * Calls {@linkcode chooseGpuBackend}, then asks `gpu` for an adapter without the two lines
 * `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` on stderr.
 *
 * Mesa's Vulkan drivers (lavapipe among them) look for a Wayland display at each isolate's first
 * adapter request; where `XDG_RUNTIME_DIR` is unset (a server, a container, CI) libwayland cannot
 * find one by name and says so on stderr, twice per isolate, though nothing is wrong. There, and
 * only when `WAYLAND_DISPLAY` is unset too (no Wayland display can be reached either way),
 * `WAYLAND_DISPLAY` names a path no socket can have for the length of the request, so libwayland
 * fails the same way without a word; the variable is removed again once the request settled.
 * Elsewhere, or without `--allow-env` for both variables, this is `gpu.requestAdapter(options)`.
 *
 * @param gpu The WebGPU entry point (default `navigator.gpu`).
 * @param options The adapter options.
 * @returns The adapter, or `null` when there is none.
 *
 * @example An adapter, quietly
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestGpuAdapter } from "./backend.ts";
 *
 * const adapter = await requestGpuAdapter();
 * assert.ok(adapter === null || typeof adapter.requestDevice === "function");
 * if (adapter !== null) (await adapter.requestDevice()).destroy();
 * ```
 */
export async function requestGpuAdapter(
  gpu: { requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null> } =
    navigator.gpu,
  options?: GPURequestAdapterOptions,
): Promise<GPUAdapter | null> {
  chooseGpuBackend();
  const quiet = Deno.build.os === "linux" && mayQuietWayland() &&
    (quieted > 0 || (!absolute(Deno.env.get("XDG_RUNTIME_DIR")) &&
      Deno.env.get("WAYLAND_DISPLAY") === undefined));
  if (!quiet) return await gpu.requestAdapter(options);
  if (quieted++ === 0) Deno.env.set("WAYLAND_DISPLAY", NO_WAYLAND);
  try {
    return await gpu.requestAdapter(options);
  } finally {
    if (--quieted === 0 && Deno.env.get("WAYLAND_DISPLAY") === NO_WAYLAND) {
      Deno.env.delete("WAYLAND_DISPLAY");
    }
  }
}

function mayQuietWayland(): boolean {
  try {
    return ["XDG_RUNTIME_DIR", "WAYLAND_DISPLAY"].every((variable) =>
      Deno.permissions.querySync({ name: "env", variable }).state === "granted"
    );
  } catch {
    return false;
  }
}

function absolute(path: string | undefined): boolean {
  return path !== undefined && path.startsWith("/");
}
