/**
 * GPU ports at `connect()`: typed connects between CPU and GPU video compile (the connection
 * transfers), GPU video into a port of another frame type does not compile and is refused at run
 * time, and port type strings say which transfer a connection makes.
 */

import assert from "node:assert/strict";
import {
  type GpuVideoFrame,
  type OutputRef,
  portTransfer,
  PortTypeMismatchError,
  Runtime,
  type VideoFrame,
} from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { cpuCheckNode, cpuPatternNode, gpuAddOneNode } from "../fixtures/gpu/gpu_nodes.ts";
import type { InputRef } from "../../core/ports/port_ref.ts";
import { isPortTypeCompatible } from "../../core/ports/port_type.ts";

Deno.test("Runtime.connect() compiles CPU <-> GPU video as transfers, not GPU into audio", () => {
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add(cpuPatternNode, {}, { id: "src" });
  rt.add(gpuAddOneNode, {}, { id: "fx" });
  rt.add(cpuCheckNode, {}, { id: "sink" });
  const gain = rt.add("Gain", {}, { id: "gain" });
  const cpuOut = rt.node("src").outputs.out as OutputRef<VideoFrame>;
  const gpuIn = rt.node("fx").inputs.in as InputRef<GpuVideoFrame>;
  const gpuOut = rt.node("fx").outputs.out as OutputRef<GpuVideoFrame>;
  const cpuIn = rt.node("sink").inputs.in as InputRef<VideoFrame>;
  const audioIn = gain.inputs.in as InputRef<{ kind: "audio" }>;
  assert.equal(rt.connect(cpuOut, gpuIn).to, "fx.in"); // an upload
  assert.equal(rt.connect(gpuOut, cpuIn).to, "sink.in"); // a download
  assert.throws(
    // @ts-expect-error GPU video into an audio input does not compile
    () => rt.connect(gpuOut, audioIn),
    (e) => e instanceof PortTypeMismatchError && e.outputType === "GpuVideoFrame",
  );
});

Deno.test("isPortTypeCompatible() and portTransfer() on CPU/GPU pairs", () => {
  assert.equal(portTransfer("VideoFrame", "GpuVideoFrame"), "upload");
  assert.equal(portTransfer("GpuVideoFrame", "VideoFrame"), "download");
  assert.equal(portTransfer("GpuVideoFrame", "Frame"), "download");
  assert.equal(portTransfer("GpuVideoFrame", "GpuVideoFrame"), undefined);
  assert.ok(isPortTypeCompatible("GpuVideoFrame", "GpuVideoFrame"));
  assert.ok(isPortTypeCompatible("VideoFrame", "GpuVideoFrame"));
  assert.ok(isPortTypeCompatible("GpuVideoFrame", "Frame"));
  assert.equal(isPortTypeCompatible("Frame", "GpuVideoFrame"), false);
  assert.equal(isPortTypeCompatible("GpuVideoFrame", "AudioFrame<2>"), false);
});
