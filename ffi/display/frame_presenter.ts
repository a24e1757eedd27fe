/**
 * {@linkcode FramePresenter}: CPU video frames drawn to a native window with WebGPU, through
 * Deno's `Deno.UnsafeWindowSurface`.
 *
 * @module
 */

import type { PixelFormat, VideoFrame } from "../../core/frames/video_frame.ts";
import { requestGpuAdapter } from "../../core/gpu/backend.ts";
import { WindowGpuUnavailableError, WindowSurfaceUnavailableError } from "./display_errors.ts";
import { PRESENT_WGSL } from "./present_wgsl.ts";
import type { X11Handles } from "./sdl_window.ts";

/** `Deno.UnsafeWindowSurface` as far as this module uses it (it exists under `--unstable-webgpu`). */
interface WindowSurface {
  width: number;
  height: number;
  getContext(id: "webgpu"): GPUCanvasContext | null;
  present(): void;
}

/** The constructor of `Deno.UnsafeWindowSurface`. */
export type WindowSurfaceClass = new (options: {
  system: "x11";
  windowHandle: Deno.PointerValue;
  displayHandle: Deno.PointerValue;
  width: number;
  height: number;
}) => WindowSurface;

/** One texture per plane, at the frame's size and layout. */
interface Planes {
  readonly format: PixelFormat;
  readonly width: number;
  readonly height: number;
  readonly textures: GPUTexture[];
  readonly bindGroup: GPUBindGroup;
}

/** How each pixel layout is drawn: its fragment shader and its planes' texture formats. */
const LAYOUTS: Record<PixelFormat, { entry: string; planes: GPUTextureFormat[] }> = {
  RGBA: { entry: "fs_rgb", planes: ["rgba8unorm"] },
  BGRA: { entry: "fs_rgb", planes: ["bgra8unorm"] },
  I420: { entry: "fs_i420", planes: ["r8unorm", "r8unorm", "r8unorm"] },
  NV12: { entry: "fs_nv12", planes: ["r8unorm", "rg8unorm"] },
};

let sharedDevice: Promise<GPUDevice> | undefined;

/** This isolate's WebGPU device for windows, made on first use and again after a loss. */
function windowDevice(): Promise<GPUDevice> {
  sharedDevice ??= (async () => {
    const gpu = (navigator as { gpu?: GPU }).gpu;
    if (gpu === undefined) throw new WindowGpuUnavailableError("this Deno has no navigator.gpu");
    let adapter: GPUAdapter | null;
    try {
      // Vulkan alone on Linux unless the user chose, quietly (core/gpu/backend.ts).
      adapter = await requestGpuAdapter(gpu);
    } catch (cause) {
      throw new WindowGpuUnavailableError(`requestAdapter() failed: ${cause}`, { cause });
    }
    if (adapter === null) {
      throw new WindowGpuUnavailableError("navigator.gpu.requestAdapter() found no adapter");
    }
    const device = await adapter.requestDevice().catch((cause) => {
      throw new WindowGpuUnavailableError(`requestDevice() failed: ${cause}`, { cause });
    });
    device.lost.then(() => sharedDevice = undefined);
    return device;
  })();
  return sharedDevice.catch((error) => {
    sharedDevice = undefined; // a later call tries again (a driver installed meanwhile)
    throw error;
  });
}

/**
 * Draws video frames to a window: each frame's planes are uploaded to textures of its size
 * (`queue.writeTexture`, no staging copy of our own), drawn scaled to fit the window with its
 * aspect ratio kept (black bars beside or above), converted to RGB in the fragment shader for
 * I420 and NV12, and presented. RGBA and BGRA frames at the window's size are shown pixel for
 * pixel. `close()` unconfigures the surface; it is idempotent.
 *
 * @example Present one frame to a window
 * ```ts ignore
 * // Needs a display, SDL 2, a WebGPU adapter and --unstable-webgpu:
 * // tests/display/video_window_test.ts runs it under Xvfb.
 * import assert from "node:assert/strict";
 * import { FramePresenter, SdlWindow } from "@streamlib/streamlib/ffi";
 *
 * using window = SdlWindow.open({ title: "preview", width: 2, height: 1 });
 * using presenter = await FramePresenter.create(window.x11, 2, 1);
 * const data = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]);
 * presenter.present({ kind: "video", width: 2, height: 1, format: "RGBA", stride: 8, timestampNs: 0, frameNumber: 0, data });
 * assert.equal(presenter.framesPresented, 1);
 * ```
 */
export class FramePresenter {
  readonly #device: GPUDevice;
  readonly #surface: WindowSurface;
  readonly #context: GPUCanvasContext;
  readonly #format: GPUTextureFormat;
  readonly #smooth: GPUSampler;
  readonly #nearest: GPUSampler;
  readonly #pipelines = new Map<string, GPURenderPipeline>();
  readonly #module: GPUShaderModule;
  #planes: Planes | undefined;
  #configured = true;
  #presented = 0;
  #gpuError: string | undefined;
  readonly #onGpuError = (event: Event) => {
    this.#gpuError ??= (event as GPUUncapturedErrorEvent).error.message;
  };

  private constructor(device: GPUDevice, surface: WindowSurface, context: GPUCanvasContext) {
    this.#device = device;
    this.#surface = surface;
    this.#context = context;
    this.#format = navigator.gpu.getPreferredCanvasFormat();
    this.#module = device.createShaderModule({ code: PRESENT_WGSL });
    this.#smooth = device.createSampler({ magFilter: "linear", minFilter: "linear" });
    this.#nearest = device.createSampler({ magFilter: "nearest", minFilter: "nearest" });
    for (const { entry } of Object.values(LAYOUTS)) this.#pipeline(entry);
    device.addEventListener("uncapturederror", this.#onGpuError);
  }

  /**
   * Makes a WebGPU surface on an X11 window.
   *
   * @param x11 The window's X11 handles (`SdlWindow.x11`).
   * @param width The window's drawable width.
   * @param height The window's drawable height.
   * @returns The presenter.
   * @throws {WindowSurfaceUnavailableError} When Deno runs without `--unstable-webgpu` (code
   *   `window_surface_unavailable`).
   * @throws {WindowGpuUnavailableError} When there is no WebGPU adapter or device, or the adapter
   *   cannot present to the window (code `window_gpu_unavailable`).
   * @throws {Error} When WebGPU refuses the shaders (a bug).
   */
  static async create(x11: X11Handles, width: number, height: number): Promise<FramePresenter> {
    const Surface = requireWindowSurface();
    const device = await windowDevice();
    const surface = new Surface({
      system: "x11",
      windowHandle: Deno.UnsafePointer.create(x11.window),
      displayHandle: x11.display,
      width,
      height,
    });
    const context = surface.getContext("webgpu");
    if (context === null) {
      throw new WindowSurfaceUnavailableError(
        "the window surface gave no WebGPU context",
        "check that the WebGPU adapter can present to X11 windows (a Vulkan driver with VK_KHR_xlib_surface)",
      );
    }
    device.pushErrorScope("validation");
    const presenter = new FramePresenter(device, surface, context);
    const shaderError = await device.popErrorScope();
    device.pushErrorScope("validation");
    if (shaderError === null) presenter.#configure();
    const surfaceError = await device.popErrorScope();
    if (shaderError !== null || surfaceError !== null) presenter.close();
    if (shaderError !== null) {
      throw new Error(`WebGPU refused the video window's shaders: ${shaderError.message}`);
    }
    if (surfaceError !== null) {
      // wgpu's GL backend (no Vulkan driver) gives an adapter that cannot present to X11.
      const adapter = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo?.description;
      throw new WindowGpuUnavailableError(
        `the WebGPU adapter${
          adapter ? ` (${adapter})` : ""
        } cannot present to an X11 window: ${surfaceError.message}`,
      );
    }
    return presenter;
  }

  /** Frames presented since creation. */
  get framesPresented(): number {
    return this.#presented;
  }

  /** The surface's size: the window's drawable size as last given. */
  get size(): { width: number; height: number } {
    return { width: this.#surface.width, height: this.#surface.height };
  }

  /**
   * Follows a new window size (the next `present()` or `redraw()` fills it).
   *
   * @param width The drawable width.
   * @param height The drawable height.
   */
  resize(width: number, height: number): void {
    if (!this.#configured || width < 1 || height < 1) return;
    if (width === this.#surface.width && height === this.#surface.height) return;
    this.#surface.width = width;
    this.#surface.height = height;
    this.#configure();
  }

  /**
   * Uploads a frame and shows it.
   *
   * @param frame The frame, with tightly packed chroma rows for I420 and NV12 (`stride` is the
   *   luma's, or RGBA's and BGRA's, row pitch).
   * @throws {RangeError} When the payload is shorter than the frame's size needs.
   * @throws {Error} When WebGPU refused an upload or the draw (device lost, or a bug).
   */
  present(frame: VideoFrame): void {
    if (!this.#configured) return;
    const { format, width, height, stride, data } = frame;
    const chroma = Math.ceil(width / 2) * Math.ceil(height / 2);
    const bytes = format === "RGBA" || format === "BGRA"
      ? stride * (height - 1) + width * 4
      : stride * height + 2 * chroma; // the luma plane, then both chroma planes
    if (data.length < bytes) {
      throw new RangeError(
        `Cannot show a ${format} ${width}x${height} frame (stride ${stride}): its payload holds ${data.length} bytes, the size needs ${bytes}`,
      );
    }
    const planes = this.#planesFor(format, width, height);
    this.#upload(planes, frame);
    this.#draw(planes);
  }

  /** Shows the last frame again (after a resize), or black before the first. */
  redraw(): void {
    if (this.#configured) this.#draw(this.#planes);
  }

  /** Unconfigures the surface and frees the textures. Idempotent. */
  close(): void {
    if (!this.#configured) return;
    this.#configured = false;
    this.#device.removeEventListener("uncapturederror", this.#onGpuError);
    for (const texture of this.#planes?.textures ?? []) texture.destroy();
    this.#planes = undefined;
    this.#context.unconfigure();
  }

  /** Same as {@linkcode FramePresenter.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #configure(): void {
    this.#context.configure({ device: this.#device, format: this.#format, alphaMode: "opaque" });
  }

  #pipeline(entry: string): GPURenderPipeline {
    let pipeline = this.#pipelines.get(entry);
    if (pipeline) return pipeline;
    const textures = entry === "fs_rgb" ? [2] : entry === "fs_nv12" ? [2, 3] : [2, 3, 4];
    const layout = this.#device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.FRAGMENT, sampler: {} },
        ...(entry === "fs_rgb"
          ? []
          : [{ binding: 1, visibility: GPUShaderStage.FRAGMENT, sampler: {} }]),
        ...textures.map((binding) => ({
          binding,
          visibility: GPUShaderStage.FRAGMENT,
          texture: {},
        })),
      ],
    });
    pipeline = this.#device.createRenderPipeline({
      layout: this.#device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      vertex: { module: this.#module, entryPoint: "vs" },
      fragment: { module: this.#module, entryPoint: entry, targets: [{ format: this.#format }] },
      primitive: { topology: "triangle-list" },
    });
    this.#pipelines.set(entry, pipeline);
    return pipeline;
  }

  #planesFor(format: PixelFormat, width: number, height: number): Planes {
    const planes = this.#planes;
    if (planes?.format === format && planes.width === width && planes.height === height) {
      return planes;
    }
    for (const texture of planes?.textures ?? []) texture.destroy();
    const { entry, planes: formats } = LAYOUTS[format];
    const [cw, ch] = [Math.ceil(width / 2), Math.ceil(height / 2)];
    const textures = formats.map((textureFormat, i) =>
      this.#device.createTexture({
        size: i === 0 ? [width, height] : [cw, ch],
        format: textureFormat,
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
      })
    );
    const pipeline = this.#pipeline(entry);
    const bindGroup = this.#device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: this.#smooth },
        ...(entry === "fs_rgb" ? [] : [{ binding: 1, resource: this.#nearest }]),
        ...textures.map((texture, i) => ({ binding: 2 + i, resource: texture.createView() })),
      ],
    });
    return this.#planes = { format, width, height, textures, bindGroup };
  }

  #upload(planes: Planes, frame: VideoFrame): void {
    const queue = this.#device.queue;
    const { width, height, stride, data } = frame;
    const [cw, ch] = [Math.ceil(width / 2), Math.ceil(height / 2)];
    const source = data as Uint8Array<ArrayBuffer>;
    const [luma, ...chroma] = planes.textures;
    queue.writeTexture({ texture: luma }, source, { bytesPerRow: stride }, [width, height]);
    if (frame.format === "I420") {
      const u = stride * height;
      const v = u + cw * ch;
      queue.writeTexture({ texture: chroma[0] }, source, { offset: u, bytesPerRow: cw }, [cw, ch]);
      queue.writeTexture({ texture: chroma[1] }, source, { offset: v, bytesPerRow: cw }, [cw, ch]);
    } else if (frame.format === "NV12") {
      const uv = stride * height;
      queue.writeTexture({ texture: chroma[0] }, source, { offset: uv, bytesPerRow: 2 * cw }, [
        cw,
        ch,
      ]);
    }
  }

  #draw(planes: Planes | undefined): void {
    const texture = this.#context.getCurrentTexture();
    const encoder = this.#device.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: [{
        view: texture.createView(),
        loadOp: "clear",
        storeOp: "store",
        clearValue: { r: 0, g: 0, b: 0, a: 1 },
      }],
    });
    if (planes !== undefined) {
      const { x, y, width, height } = fit(
        planes.width,
        planes.height,
        texture.width,
        texture.height,
      );
      pass.setViewport(x, y, width, height, 0, 1);
      pass.setPipeline(this.#pipeline(LAYOUTS[planes.format].entry));
      pass.setBindGroup(0, planes.bindGroup);
      pass.draw(3);
    }
    pass.end();
    this.#device.queue.submit([encoder.finish()]);
    this.#surface.present();
    if (this.#gpuError !== undefined) {
      throw new Error(`WebGPU refused a draw of the video window: ${this.#gpuError}`);
    }
    if (planes !== undefined) this.#presented++;
  }
}

/**
 * The largest rectangle of the frame's aspect ratio inside the window, centred, on whole pixels.
 *
 * @param fw Frame width.
 * @param fh Frame height.
 * @param ww Window width.
 * @param wh Window height.
 * @returns The viewport.
 */
export function fit(
  fw: number,
  fh: number,
  ww: number,
  wh: number,
): { x: number; y: number; width: number; height: number } {
  const scale = Math.min(ww / fw, wh / fh);
  const width = Math.max(1, Math.min(ww, Math.round(fw * scale)));
  const height = Math.max(1, Math.min(wh, Math.round(fh * scale)));
  return { x: Math.floor((ww - width) / 2), y: Math.floor((wh - height) / 2), width, height };
}

/**
 * `Deno.UnsafeWindowSurface`, or a typed error saying how to get it: callers check it before
 * opening a window.
 *
 * @returns The class.
 * @throws {WindowSurfaceUnavailableError} When Deno runs without `--unstable-webgpu` (code
 *   `window_surface_unavailable`).
 */
export function requireWindowSurface(): WindowSurfaceClass {
  const Surface = (Deno as unknown as { UnsafeWindowSurface?: WindowSurfaceClass })
    .UnsafeWindowSurface;
  if (Surface === undefined) {
    throw new WindowSurfaceUnavailableError(
      "Deno.UnsafeWindowSurface is missing (an unstable API)",
      'run deno with --unstable-webgpu (or add "unstable": ["webgpu"] to deno.json)',
    );
  }
  return Surface;
}
