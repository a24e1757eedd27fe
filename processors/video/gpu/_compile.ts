/**
 * Builds pipelines inside a validation error scope, so WGSL the device refuses becomes a
 * {@linkcode WgslError} at setup rather than an uncaptured error on a later frame.
 *
 * @module
 */

import { WgslError } from "./wgsl_error.ts";

/**
 * Compiles `code` and builds a compute pipeline with entry point `main`.
 *
 * @param device The device.
 * @param name The shader's name, for the error.
 * @param code The WGSL.
 * @param lineOffset Lines the caller put before the author's code (their messages are renumbered).
 * @param layout The pipeline layout; `auto` (the default) keeps only the bindings the code uses.
 * @returns The pipeline.
 * @throws {WgslError} When the device refuses the code or the pipeline.
 */
export async function computePipeline(
  device: GPUDevice,
  name: string,
  code: string,
  lineOffset = 0,
  layout: GPUPipelineLayout | "auto" = "auto",
): Promise<GPUComputePipeline> {
  return await scoped(
    device,
    name,
    code,
    lineOffset,
    (module) =>
      device.createComputePipeline({
        label: name,
        layout,
        compute: { module, entryPoint: "main" },
      }),
  );
}

/**
 * Compiles `code` and builds a render pipeline from it with `build`.
 *
 * @param device The device.
 * @param name The shader's name, for the error.
 * @param code The WGSL.
 * @param build Builds the pipeline from the module.
 * @returns The pipeline.
 * @throws {WgslError} When the device refuses the code or the pipeline.
 */
export async function renderPipeline(
  device: GPUDevice,
  name: string,
  code: string,
  build: (module: GPUShaderModule) => GPURenderPipeline,
): Promise<GPURenderPipeline> {
  return await scoped(device, name, code, 0, build);
}

async function scoped<T>(
  device: GPUDevice,
  name: string,
  code: string,
  lineOffset: number,
  build: (module: GPUShaderModule) => T,
): Promise<T> {
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ label: name, code });
  const messages: string[] = [];
  try {
    const info = await module.getCompilationInfo();
    for (const m of info.messages) {
      if (m.type !== "error") continue;
      const line = m.lineNum - lineOffset;
      messages.push(line > 0 ? `line ${line}: ${m.message}` : m.message);
    }
  } catch {
    // getCompilationInfo() is optional to a device; the error scope below still reports.
  }
  const built = build(module);
  const error = await device.popErrorScope();
  if (messages.length > 0) throw new WgslError(name, messages);
  if (error) throw new WgslError(name, [error.message]);
  return built;
}

/**
 * Workgroups to cover `n` invocations of `size` each, split over x and y when x would pass the
 * device's per-dimension limit; the shader rebuilds the index as `id.x + id.y * groups.x * size`.
 *
 * @param device The device (for `maxComputeWorkgroupsPerDimension`).
 * @param n Invocations needed.
 * @param size The workgroup size.
 * @returns `[x, y]` workgroup counts.
 */
export function linearGroups(device: GPUDevice, n: number, size: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / size));
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y];
}
