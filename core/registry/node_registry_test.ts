import assert from "node:assert/strict";
import { defineNode, type NodeDefinition } from "./node_definition.ts";
import { DuplicateProcessorError, NodeRegistry, ProcessorNotFoundError } from "./node_registry.ts";
import { Processor, type ProcessorTypes } from "../processor/processor.ts";
import type { ProcessorDescriptor } from "../schema/descriptor.ts";

function definition(name: string, source = `${name}.ts`): NodeDefinition {
  class Node extends Processor {
    process(): void {}
  }
  const descriptor: ProcessorDescriptor = {
    name,
    description: `${name} does things.\nMore detail.`,
    tags: ["t"],
    mode: "push",
    inputs: [{
      name: "in",
      direction: "input",
      portType: "Frame",
      required: false,
      description: "",
    }],
    outputs: [],
    config: { type: "object", properties: {}, additionalProperties: false },
    source,
  };
  return defineNode<ProcessorTypes, Node>({
    descriptor,
    processorClass: Node,
    accessors: () => ({ inputs: {}, outputs: {} }),
  });
}

Deno.test("NodeRegistry.list() summarizes processors sorted by name", () => {
  const registry = new NodeRegistry([definition("Zeta"), definition("Alpha")]);
  assert.deepEqual(registry.names, ["Alpha", "Zeta"]);
  assert.deepEqual(registry.list()[0], {
    name: "Alpha",
    summary: "Alpha does things.",
    tags: ["t"],
    mode: "push",
    inputs: [{ name: "in", portType: "Frame" }],
    outputs: [],
  });
  assert.equal(registry.size, 2);
  assert.deepEqual([...registry].map((d) => d.descriptor.name), ["Alpha", "Zeta"]);
});

Deno.test("NodeRegistry.describe() throws ProcessorNotFoundError with near matches and what exists", () => {
  const registry = new NodeRegistry([definition("Gain")]);
  assert.equal(registry.describe("Gain").name, "Gain");
  assert.throws(
    () => registry.describe("Gian"),
    (e: unknown) =>
      e instanceof ProcessorNotFoundError && e.processor === "Gian" &&
      e.message === "Cannot find processor 'Gian': did you mean Gain? available processors: Gain" &&
      e.nearMatches[0] === "Gain",
  );
  assert.throws(() => registry.describe("Camera"), /'Camera': available processors: Gain$/);
});

Deno.test("NodeRegistry.with() joins registries and refuses two definitions of one name", () => {
  const gain = definition("Gain");
  const builtins = new NodeRegistry([gain]);
  const project = new NodeRegistry([definition("Mine")]);
  const joined = builtins.with(project);
  assert.deepEqual(joined.names, ["Gain", "Mine"]);
  assert.equal(joined.with([gain]).size, 2);
  assert.throws(
    () => joined.with([definition("Gain", "other/gain.ts")]),
    (e: unknown) =>
      e instanceof DuplicateProcessorError && e.sources.join() === "Gain.ts,other/gain.ts",
  );
});

Deno.test("NodeRegistry.of() and create() find definitions by class and by name", () => {
  const gain = definition("Gain");
  const registry = new NodeRegistry([gain]);
  assert.equal(registry.of(gain.processorClass!), gain);
  assert.equal(
    registry.of(
      class Other extends Processor {
        process(): void {}
      },
    ),
    undefined,
  );
  assert.ok(registry.create("Gain", {}) instanceof gain.processorClass!);
  assert.equal(registry.has("Gain") && !registry.has("gain"), true);
});
