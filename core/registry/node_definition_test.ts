import assert from "node:assert/strict";
import type { AudioFrame } from "../frames/audio_frame.ts";
import { ConfigValidationError } from "../config/validation.ts";
import { config, input, output } from "../processor/decorators.ts";
import type { InputPort } from "../ports/input_port.ts";
import { connectLocal, LocalConnection } from "../ports/local_connection.ts";
import { defineNode } from "./node_definition.ts";
import type { OutputPort } from "../ports/output_port.ts";
import type { FrameOf, InputRef, NodeHandle, OutputRef } from "../ports/port_ref.ts";
import { PortTable } from "../ports/port_table.ts";
import { PortsNotBoundError, Processor, processorInit } from "../processor/processor.ts";

// What `deno task codegen` writes for `Doubler`, written by hand so core tests need no generator.
class DoublerInputs {
  readonly in: Doubler["in"];
  readonly side_0: Doubler["side"][number];
  readonly side_1: Doubler["side"][number];
  constructor(ports: PortTable) {
    this.in = ports.input("in");
    this.side_0 = ports.input("side_0");
    this.side_1 = ports.input("side_1");
  }
}
class DoublerOutputs {
  readonly out: Doubler["out"];
  constructor(ports: PortTable) {
    this.out = ports.output("out");
  }
}
interface DoublerHandle extends NodeHandle {
  readonly inputs: {
    readonly in: InputRef<FrameOf<Doubler["in"]>>;
    readonly side_0: InputRef<FrameOf<Doubler["side"][number]>>;
    readonly side_1: InputRef<FrameOf<Doubler["side"][number]>>;
  };
  readonly outputs: { readonly out: OutputRef<FrameOf<Doubler["out"]>> };
}
interface DoublerTypes {
  readonly inputs: DoublerInputs;
  readonly outputs: DoublerOutputs;
  readonly config: Doubler["config"];
  readonly handle: DoublerHandle;
}

class Doubler extends Processor<DoublerTypes> {
  @input({ required: true })
  in!: InputPort<AudioFrame<1>>;
  @input({ array: 2 })
  side!: readonly InputPort<AudioFrame<1>>[];
  @output()
  out!: OutputPort<AudioFrame<1>>;
  @config()
  config: { factor: number } = { factor: 2 };

  process(): void {
    const frame = this.inputs.in.read();
    if (!frame) return;
    const samples = frame.samples.map((s) => s * this.config.factor);
    this.outputs.out.write({ ...frame, samples });
  }
}

const port = (name: string, direction: "input" | "output", group?: string) => ({
  name,
  direction,
  portType: "AudioFrame<1>",
  required: name === "in",
  description: "",
  group,
});

const doublerNode = defineNode<DoublerTypes, Doubler>({
  descriptor: {
    name: "Doubler",
    description: "Doubles samples.\nSecond paragraph.",
    tags: ["audio"],
    mode: "push",
    inputs: [port("in", "input"), port("side_0", "input", "side"), port("side_1", "input", "side")],
    outputs: [port("out", "output")],
    config: {
      type: "object",
      properties: { factor: { type: "number", minimum: 0, default: 2 } },
      additionalProperties: false,
    },
    source: "doubler.ts",
  },
  processorClass: Doubler,
  accessors: (ports) => ({ inputs: new DoublerInputs(ports), outputs: new DoublerOutputs(ports) }),
});

const frame = (samples: number[]): AudioFrame<1> => ({
  kind: "audio",
  channels: 1,
  sampleRate: 8000,
  frameCount: samples.length,
  samples: Float32Array.from(samples),
  timestampNs: 0,
  frameNumber: 0,
});

Deno.test("defineNode().create() validates config and binds fields, arrays and accessors", () => {
  const ports = doublerNode.ports();
  const doubler = doublerNode.create({ factor: 3 }, ports);
  assert.deepEqual(doubler.config, { factor: 3 });
  assert.equal(doubler.in, doubler.inputs.in);
  assert.equal(doubler.in, ports.input("in"));
  assert.deepEqual(doubler.side, [doubler.inputs.side_0, doubler.inputs.side_1]);
  assert.equal(doubler.side[1].name, "side_1");
  assert.equal(doubler.out, doubler.outputs.out);
  assert.equal(processorInit(doubler)?.ports, ports);

  const source = new LocalConnection<AudioFrame<1>>();
  ports.input<AudioFrame<1>>("in").attach(source);
  const sink = new LocalConnection<AudioFrame<1>>();
  ports.output<AudioFrame<1>>("out").attach(sink);
  source.push(frame([1, 2]));
  doubler.process();
  assert.deepEqual([...sink.pop()!.samples], [3, 6]);
});

Deno.test("defineNode().create() fills defaults and rejects bad config with a typed error", () => {
  assert.deepEqual(doublerNode.create().config, { factor: 2 });
  assert.throws(() => doublerNode.create({ factor: -1 }), ConfigValidationError);
  assert.throws(() => doublerNode.create({ factor: 1, gain: 2 }), /config field 'gain' is unknown/);
});

Deno.test("defineNode().handle() gives refs with node, port and port type", () => {
  const handle = doublerNode.handle("d1");
  assert.equal(handle.name, "d1");
  assert.equal(handle.processor, "Doubler");
  assert.deepEqual(handle.inputs.side_1, {
    node: "d1",
    port: "side_1",
    portType: "AudioFrame<1>",
    direction: "input",
  });
  assert.equal(handle.outputs.out.direction, "output");
});

Deno.test("Processor built directly gets unconnected fields, its initializer config, and no accessors", () => {
  const doubler = new Doubler();
  assert.equal(doubler.in.isConnected, false);
  assert.equal(doubler.in.read(), undefined);
  assert.equal(doubler.side.length, 2);
  assert.equal(doubler.out.write(frame([1])), true);
  assert.deepEqual(doubler.config, { factor: 2 });
  assert.throws(() => doubler.inputs, PortsNotBoundError);
  assert.throws(() => doubler.outputs, /create it through its node definition/);
  assert.equal(processorInit(doubler), undefined);
});

Deno.test("input() refuses private fields at class definition", () => {
  assert.throws(() => {
    class Hidden extends Processor {
      @input()
      #in: InputPort<AudioFrame<1>> = undefined as never;
      process(): void {
        this.#in.read();
      }
    }
    return Hidden;
  }, TypeError);
});

Deno.test("connectLocal() wires two node instances end to end", () => {
  const aPorts = doublerNode.ports();
  const bPorts = doublerNode.ports();
  const a = doublerNode.create({}, aPorts);
  const b = doublerNode.create({ factor: 10 }, bPorts);
  const source = new LocalConnection<AudioFrame<1>>();
  aPorts.input<AudioFrame<1>>("in").attach(source);
  connectLocal(aPorts.output<AudioFrame<1>>("out"), bPorts.input("in"));
  const sink = new LocalConnection<AudioFrame<1>>();
  bPorts.output<AudioFrame<1>>("out").attach(sink);
  source.push(frame([0.5]));
  a.process();
  b.process();
  assert.deepEqual([...sink.pop()!.samples], [10]);
});

Deno.test("PortTable.input() names the available ports when one is missing", () => {
  const ports = new PortTable(doublerNode.descriptor);
  assert.deepEqual(ports.inputNames, ["in", "side_0", "side_1"]);
  assert.throws(() => ports.input("inn"), {
    name: "PortNotFoundError",
    message:
      "Cannot find input 'inn' on 'Doubler': did you mean in? available inputs: in, side_0, side_1",
  });
  assert.throws(() => ports.output("in"), { available: ["out"], direction: "output" });
});
