/**
 * The chain `bench/gpu_bench.ts` measures, on the GPU and on the CPU: a 1920x1080 NV12 frame is
 * converted to RGBA, a copy is scaled to 480x270, the two are composited (picture in picture at
 * (1400, 40), 0.9 opaque), and the result is graded through a 17-point 3D LUT. Both chains give
 * the same picture (within the GPU kernels' rounding), checked by {@linkcode checkChains}.
 *
 * `bench/gpu_side.ts` runs one side alone in a process of its own.
 *
 * @module
 */

import { chooseGpuBackend } from "../core/gpu/backend.ts";
import { convertFrame } from "../processors/video/color_convert.ts";
import { compositeRgba } from "../processors/video/composite.ts";
import { applyLut3d, type Lut3d, lutFrom } from "../processors/video/lut3d.ts";
import { psnr } from "../processors/video/psnr.ts";
import { BilinearScaler } from "../processors/video/scale.ts";
import { TestPatternRenderer } from "../processors/video/test_pattern.ts";
import { GpuColorConverter } from "../processors/video/gpu/color_convert.ts";
import { GpuCompositor } from "../processors/video/gpu/compositor.ts";
import { createImage } from "../processors/video/gpu/image.ts";
import { GpuLut3d } from "../processors/video/gpu/lut3d.ts";
import { createPackedBuffer, writePacked } from "../processors/video/gpu/packed_frame.ts";
import { GpuScaler } from "../processors/video/gpu/scale.ts";

/** Frame width. */
export const W = 1920;
/** Frame height. */
export const H = 1080;
/** The picture in picture's size and place. */
export const PIP = { x: 1400, y: 40, width: 480, height: 270, alpha: 0.9, z: 1 } as const;

/** Frames the GPU chain has submitted and not yet read back. */
export const IN_FLIGHT = 3;

/** The grade: a gentle S-curve with warm highlights. */
export const GRADE: Lut3d = lutFrom(17, (r, g, b) => {
  const s = (x: number) => x * x * (3 - 2 * x);
  return [0.8 * s(r) + 0.2 * r + 0.03, 0.85 * s(g) + 0.15 * g, 0.9 * s(b) + 0.05 * b];
});

/** Two NV12 input frames (the test pattern at two times), so no frame is served from a cache. */
export function inputFrames(): Uint8Array[] {
  const renderer = new TestPatternRenderer("NV12", W, H);
  return [0, 15].map((n) => {
    const frame = new Uint8Array(renderer.byteLength);
    renderer.render(n, frame);
    return frame;
  });
}

/** The CPU chain: our CPU code for each step, with its buffers made once. */
export class CpuChain {
  readonly #rgba = new Uint8Array(W * H * 4);
  readonly #small = new Uint8Array(PIP.width * PIP.height * 4);
  readonly #scaler = new BilinearScaler("RGBA", W, H, PIP.width, PIP.height);
  readonly #out = new Uint8Array(W * H * 4);

  /**
   * Runs one frame through the chain.
   *
   * @param nv12 The input frame.
   * @returns The output, RGBA (reused by the next call).
   */
  run(nv12: Uint8Array): Uint8Array {
    convertFrame(nv12, "NV12", this.#rgba, "RGBA", W, H);
    this.#scaler.scale(this.#rgba, this.#small);
    compositeRgba(
      [
        { picture: { data: this.#rgba, width: W, height: H }, x: 0, y: 0, width: W, height: H },
        { picture: { data: this.#small, width: PIP.width, height: PIP.height }, ...PIP },
      ],
      this.#out,
      W,
      H,
    );
    applyLut3d(this.#out, this.#out, W, H, GRADE);
    return this.#out;
  }
}

/** One frame's buffers and images in the GPU chain. */
interface Slot {
  input: GPUBuffer;
  rgba: GPUTexture;
  small: GPUTexture;
  mixed: GPUTexture;
  graded: GPUTexture;
  staging: GPUBuffer;
}

/**
 * The GPU chain: one upload (NV12, 3 MB), four kernels in one submission, one download (RGBA,
 * 8 MB). {@linkcode IN_FLIGHT} frames are in flight: frame n+1 is uploaded and recorded while
 * the device works on frame n, and frame n-1 is read out while it works on frame n+1.
 */
export class GpuChain {
  /** The adapter's description (`llvmpipe ...` for lavapipe). */
  readonly device: string;
  readonly #device: GPUDevice;
  readonly #slots: Slot[];
  readonly #converter: GpuColorConverter;
  readonly #scaler: GpuScaler;
  readonly #compositor: GpuCompositor;
  readonly #lut: GpuLut3d;

  private constructor(
    name: string,
    device: GPUDevice,
    kernels: [GpuColorConverter, GpuScaler, GpuCompositor, GpuLut3d],
  ) {
    this.device = name;
    this.#device = device;
    [this.#converter, this.#scaler, this.#compositor, this.#lut] = kernels;
    this.#slots = Array.from({ length: IN_FLIGHT }, () => ({
      input: createPackedBuffer(device, "NV12", W, H),
      rgba: createImage(device, W, H),
      small: createImage(device, PIP.width, PIP.height),
      mixed: createImage(device, W, H),
      graded: createImage(device, W, H),
      staging: device.createBuffer({
        size: W * H * 4,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
    }));
  }

  /**
   * Opens the first adapter and compiles the kernels.
   *
   * @returns The chain.
   * @throws {Error} When there is no adapter.
   */
  static async create(): Promise<GpuChain> {
    chooseGpuBackend();
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) {
      throw new Error("No WebGPU adapter (Debian: apt-get install mesa-vulkan-drivers)");
    }
    const device = await adapter.requestDevice();
    const kernels = await Promise.all([
      GpuColorConverter.create(device),
      GpuScaler.create(device, W, H, PIP.width, PIP.height),
      GpuCompositor.create(device),
      GpuLut3d.create(device, GRADE),
    ]);
    return new GpuChain(adapter.info.description || adapter.info.vendor, device, kernels);
  }

  /**
   * Runs frames through the chain, {@linkcode IN_FLIGHT} in flight.
   *
   * @param frames The input frames, used in turn.
   * @param count How many frames to run.
   * @param onOutput Called with each output (RGBA, the mapped download: valid during the call).
   */
  async run(
    frames: readonly Uint8Array[],
    count: number,
    onOutput: (rgba: Uint8Array, n: number) => void = () => {},
  ): Promise<void> {
    // On Deno and lavapipe, `mapAsync()` waits in the call until the device has done everything
    // submitted (and resolves 10 ms later at the earliest), and a submission waits for the one
    // before it. So each frame is prepared (uploaded and recorded) while the device works on the
    // one before; that one's map is asked for, which waits for it; the frame is submitted; and
    // the oldest frame is read out while the device works on the new one.
    const mapped: { slot: Slot; n: number; read: Promise<void> }[] = [];
    const readOut = async () => {
      const { slot, n, read } = mapped.shift()!;
      await read;
      onOutput(new Uint8Array(slot.staging.getMappedRange()), n);
      slot.staging.unmap();
    };
    let previous: Slot | undefined;
    for (let n = 0; n < count; n++) {
      const slot = this.#slots[n % IN_FLIGHT];
      writePacked(this.#device, slot.input, frames[n % frames.length]);
      const encoder = this.#device.createCommandEncoder();
      this.#converter.toImage(encoder, slot.input, "NV12", slot.rgba);
      this.#scaler.scale(encoder, slot.rgba, slot.small);
      this.#compositor.composite(encoder, [
        { image: slot.rgba, x: 0, y: 0, width: W, height: H },
        { image: slot.small, ...PIP },
      ], slot.mixed);
      this.#lut.apply(encoder, slot.mixed, slot.graded);
      encoder.copyTextureToBuffer({ texture: slot.graded }, {
        buffer: slot.staging,
        bytesPerRow: W * 4,
      }, [W, H]);
      const commands = encoder.finish();
      if (previous !== undefined) {
        mapped.push({ slot: previous, n: n - 1, read: previous.staging.mapAsync(GPUMapMode.READ) });
      }
      this.#device.queue.submit([commands]);
      previous = slot;
      // The next frame's slot is the oldest one's: read it out now.
      while (mapped.length >= IN_FLIGHT - 1) await readOut();
    }
    if (previous !== undefined) {
      mapped.push({
        slot: previous,
        n: count - 1,
        read: previous.staging.mapAsync(GPUMapMode.READ),
      });
    }
    while (mapped.length > 0) await readOut();
  }

  /** Destroys the device. */
  close(): void {
    this.#device.destroy();
  }
}

/**
 * Runs one frame through both chains and returns the PSNR between their outputs.
 *
 * @returns The PSNR in dB.
 */
export async function checkChains(): Promise<number> {
  const frames = inputFrames();
  const cpu = new CpuChain().run(frames[0]).slice();
  const gpu = await GpuChain.create();
  let out: Uint8Array | undefined;
  await gpu.run(frames, 1, (rgba) => (out = rgba.slice()));
  gpu.close();
  return psnr(cpu, out!);
}

/** One side's run: frames, wall seconds and process CPU seconds of the timed part. */
export interface ChainRun {
  /** `gpu` or `cpu`. */
  side: string;
  /** The device the figures are from. */
  device: string;
  /** Frames timed. */
  frames: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of the whole process (every thread: lavapipe's too). */
  cpuSeconds: number;
}
