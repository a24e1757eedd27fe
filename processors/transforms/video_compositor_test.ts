/**
 * VideoCompositor with three live inputs, frame by frame against the CPU reference
 * (`compositeRgba()`): every input sends frames of its own size at its own pace, the layers
 * change between frames (live config), and each output frame is read back and compared.
 */

import assert from "node:assert/strict";
import {
  connectLocal,
  createProcessContext,
  type GpuVideoFrame,
  InputBinding,
  OutputBinding,
} from "../../mod.ts";
import { compositeRgba, type CpuLayer, type RgbaPicture } from "../video/composite.ts";
import { GpuReadback } from "../video/gpu/readback.ts";
import { testPicture } from "../video/gpu/_test_gpu.ts";
import { psnr } from "../video/psnr.ts";
import { videoCompositorNode } from "./video_compositor.gen.ts";
import type { CompositorLayer } from "./video_compositor.ts";

const [W, H] = [96, 54];
const SIZES: [number, number][] = [[96, 54], [33, 21], [40, 40]];

Deno.test("VideoCompositor composites three live inputs frame by frame as compositeRgba() does (>= 50 dB)", async () => {
  const ctx = createProcessContext("mix");
  const device = await ctx.gpu.ready();
  const ports = videoCompositorNode.ports();
  const initial: CompositorLayer[] = [
    { x: 0, y: 0, width: 0, height: 0, alpha: 1, z: 0 },
    { x: 60, y: 4, width: 32, height: 18, alpha: 1, z: 2 },
    { x: 4, y: 30, width: 24, height: 20, alpha: 0.6, z: 1 },
  ];
  const mix = videoCompositorNode.create({ width: W, height: H, layers: initial }, ports);
  const layers = mix.config.layers; // live fields change in place, as rt.setConfig() does
  ctx.frames.bind(ports);
  const sources = SIZES.map((_, i) => {
    const source = new OutputBinding<GpuVideoFrame>(`source${i}`, "GpuVideoFrame");
    connectLocal(source, ports.input(`in_${i}`), { capacity: 4, policy: "fifo" });
    return source;
  });
  const sink = new InputBinding<GpuVideoFrame>("sink", "GpuVideoFrame");
  connectLocal(ports.output("out") as OutputBinding<GpuVideoFrame>, sink, {
    capacity: 4,
    policy: "fifo",
  });
  await mix.setup(ctx);
  using readback = new GpuReadback(device);
  const latest: (RgbaPicture | undefined)[] = [];
  const send = (i: number, seed: number) => {
    const [w, h] = SIZES[i];
    const data = testPicture(w, h, seed, i !== 1); // input 1 carries its own alpha
    const frame = ctx.frames.gpuVideo({ width: w, height: h, format: "RGBA" })!;
    device.queue.writeTexture({ texture: frame.texture }, data, { bytesPerRow: w * 4 }, [w, h]);
    frame.timestampNs = seed * 1_000_000;
    frame.frameNumber = seed;
    sources[i].write(frame);
    latest[i] = { data, width: w, height: h };
  };
  // Each step: which of inputs 1 and 2 send (0, 1 or 2 frames: the latest counts), then input 0.
  const steps = [[1, 1], [0, 1], [2, 0], [1, 2], [0, 0], [1, 1]];
  for (const [n, [ones, twos]] of steps.entries()) {
    for (let k = 0; k < ones; k++) send(1, 100 * n + 10 + k);
    for (let k = 0; k < twos; k++) send(2, 100 * n + 20 + k);
    send(0, 100 * n);
    // Live changes between frames, as rt.setConfig() makes them: move, fade and restack.
    if (n === 2) layers[1] = { ...layers[1], x: -10, y: 30, width: 50, height: 30 };
    if (n === 3) layers[2] = { ...layers[2], alpha: 1, z: 5 };
    if (n === 4) layers[1] = { ...layers[1], alpha: 0 };
    ctx.frames.flush(); // the sources' references go; the connections hold theirs
    mix.process(ctx);
    ctx.frames.flush();
    const out = sink.read()!;
    assert.equal(out.frameNumber, 100 * n, "in_0 paces the output");
    const got = await readback.texture(out.texture);
    (out as { release?: () => void }).release?.();
    const cpuLayers: CpuLayer[] = [];
    for (const [i, picture] of latest.entries()) {
      if (picture === undefined) continue;
      const place = layers[i];
      cpuLayers.push({
        picture,
        x: place.x,
        y: place.y,
        width: place.width || W,
        height: place.height || H,
        alpha: place.alpha,
        z: place.z,
      });
    }
    const expected = new Uint8Array(W * H * 4);
    compositeRgba(cpuLayers, expected, W, H);
    const db = psnr(expected, got);
    assert.ok(db >= 50, `frame ${n}: ${db.toFixed(1)} dB`);
  }
  mix.teardown();
});
