/**
 * Every built-in processor that writes has what it could not write counted: a write a connection
 * refused (a full `fifo`) shows in the node's stats (`framesRefused`, by output in
 * `framesRefusedByOutput`), in `describe()` and in the connection's `fullRejections`, whatever the
 * processor does with `write()`'s `false`. The count is the runtime's (the output binding's), so
 * no processor can lose frames silently; this test checks it for each processor of the registry
 * that has outputs, writing through the processor's own generated `outputs` accessor into a real
 * connection of its runtime. `tests/webrtc/whip_refused_audio_test.ts` checks the case that
 * showed it: WhipSource's audio from a real WHIP publisher into a full connection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { NodeRegistry, Runtime } from "../../mod.ts";
import type { NodeDefinition, PortTable, Processor } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";
import { gpuSinkNode } from "../fixtures/gpu/gpu_nodes.ts";

/** The config each processor needs to be added (its required fields), by processor name. */
const CONFIGS: Record<string, Record<string, unknown>> = {
  Mp4FileSource: { path: "/nonexistent/in.mp4" },
  RtspSource: { url: "rtsp://127.0.0.1:9/none" },
  SrtSource: { port: 9 },
  WavFileSource: { path: "/nonexistent/in.wav" },
  Y4mFileSource: { path: "/nonexistent/in.y4m" },
  GpuLut: { path: "/nonexistent/grade.cube" },
  ImageOverlay: { src: "/nonexistent/logo.png" },
};

/** A frame of the port type `portType`, as a processor would write it. */
function frameFor(portType: string): unknown {
  if (portType.startsWith("AudioFrame")) {
    const channels = Number(/<(\d+)>/.exec(portType)?.[1] ?? 2);
    return {
      kind: "audio",
      channels,
      sampleRate: 48_000,
      samples: new Float32Array(channels * 4),
      timestampNs: 0,
      frameNumber: 0,
    };
  }
  if (portType === "EncodedVideoFrame") {
    return {
      kind: "encoded-video",
      codec: "h264",
      data: new Uint8Array([0, 0, 0, 1, 0x65]),
      keyframe: true,
      timestampNs: 0,
      frameNumber: 0,
    };
  }
  if (portType === "EncodedAudioFrame") {
    return {
      kind: "encoded-audio",
      codec: "aac",
      sampleRate: 48_000,
      channels: 2,
      frameCount: 1024,
      extradata: new Uint8Array([0x11, 0x90]),
      data: new Uint8Array([0x21, 0x10]),
      timestampNs: 0,
      frameNumber: 0,
    };
  }
  if (portType.startsWith("DataFrame")) {
    return { kind: "data", timestampNs: 0, value: { type: "speech-start", timestampNs: 0 } };
  }
  if (portType === "GpuVideoFrame") {
    // Never read: the connection only counts it (no GPU device is asked for).
    return {
      kind: "gpu-video",
      width: 2,
      height: 2,
      format: "RGBA",
      texture: {},
      timestampNs: 0,
      frameNumber: 0,
    };
  }
  assert.equal(portType, "VideoFrame", `a frame for ${portType}`);
  return {
    kind: "video",
    width: 2,
    height: 2,
    format: "RGBA",
    stride: 8,
    timestampNs: 0,
    frameNumber: 0,
    data: new Uint8Array(16),
  };
}

/** `definition`, with the processor the runtime constructs (and its ports) recorded. */
function recording(
  definition: NodeDefinition,
  made: { processor?: Processor; ports?: PortTable },
): NodeDefinition {
  const create = (config?: unknown, ports?: PortTable) => {
    const processor = definition.create(config, ports);
    made.processor = processor;
    made.ports = ports;
    return processor;
  };
  // The definition is frozen: an object that inherits from it, with its own create().
  return Object.create(definition, { create: { value: create } });
}

const writers = [...builtinRegistry].filter((d) => d.descriptor.outputs.length > 0);

Deno.test("every built-in processor with outputs is checked below (the registry has some)", () => {
  const names = writers.map((d) => d.descriptor.name);
  assert.ok(names.length >= 15, names.join(", "));
  for (const name of ["WhipSource", "SrtSource", "H264Decoder", "Mp4FileSource", "AudioMixer"]) {
    assert.ok(names.includes(name), name);
  }
});

for (const lazy of writers) {
  const name = lazy.descriptor.name;
  Deno.test(`${name}: a write a full connection refused is counted per output in its node stats`, async () => {
    const definition = await builtinRegistry.load(name);
    const made: { processor?: Processor; ports?: PortTable } = {};
    const registry = new NodeRegistry([recording(definition, made), gpuSinkNode]);
    const rt = new Runtime({ registry });
    rt.add(name, CONFIGS[name] ?? {}, { id: "node" });
    const outputs = definition.descriptor.outputs;
    for (const [i, port] of outputs.entries()) {
      const options = { capacity: 1, policy: "fifo" } as const;
      if (port.portType === "GpuVideoFrame") {
        // An application output of GPU video downloads it (the application holds bytes): a GPU
        // reader keeps the connection one of frames by reference, as this test means.
        rt.add("GpuSink", {}, { id: `o${i}` });
        rt.connectByName("node", port.name, `o${i}`, "in", options);
      } else {
        rt.addOutput(`o${i}`, `node.${port.name}`, options);
      }
    }
    assert.ok(made.processor, `the runtime constructed ${name} when it was added`);
    const accessor = made.processor.outputs as Record<
      string,
      { write(frame: unknown): boolean }
    >;
    for (const port of outputs) {
      const output = accessor[port.name];
      const bound: unknown = made.ports!.output(port.name);
      assert.ok(output === bound, `${name}.outputs.${port.name} is the runtime's binding`);
      const frame = frameFor(port.portType);
      assert.equal(output.write(frame), true, `${port.name}: the first write fits`);
      assert.equal(output.write(frame), false, `${port.name}: the second is refused`);
    }
    const stats = rt.stats().nodes.node;
    assert.equal(stats.framesOut, outputs.length * 2);
    assert.equal(stats.framesRefused, outputs.length);
    assert.deepEqual(
      stats.framesRefusedByOutput,
      Object.fromEntries(outputs.map((p) => [p.name, 1])),
    );
    const described = rt.describe().nodes.find((n) => n.id === "node")!;
    assert.equal(described.stats.framesRefused, outputs.length);
    const rejections = Object.values(rt.stats().connections).map((c) => c.fullRejections);
    assert.deepEqual(rejections, outputs.map(() => 1), "each connection counts its refusal too");
    // Never started: nothing to stop, no setup() ran (no device, file or socket was opened).
  });
}
