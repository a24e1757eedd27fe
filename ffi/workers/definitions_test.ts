import assert from "node:assert/strict";
import { gainNode } from "../../processors/transforms/gain.gen.ts";
import { WorkerDefinitions } from "./definitions.ts";

const testNodes = new URL("../../tests/fixtures/runtime/test_nodes.ts", import.meta.url).href;

Deno.test("WorkerDefinitions.resolve() imports the definition from its moduleUrl", async () => {
  const definitions = new WorkerDefinitions([]);
  assert.equal(await definitions.resolve("Gain", gainNode.moduleUrl), gainNode);
});

Deno.test("WorkerDefinitions.resolve() searches registry modules for definitions without a moduleUrl", async () => {
  const definitions = new WorkerDefinitions([testNodes]);
  const relay = await definitions.resolve("Relay", undefined);
  assert.equal(relay.descriptor.name, "Relay");
  assert.equal(relay.moduleUrl, undefined);
});

Deno.test("WorkerDefinitions.resolve() says where it looked when no module defines the processor", async () => {
  const definitions = new WorkerDefinitions([testNodes]);
  await assert.rejects(
    () => definitions.resolve("Fft", gainNode.moduleUrl),
    (e) =>
      e instanceof TypeError &&
      e.message ===
        `Cannot find processor 'Fft' in the Worker: no node definition of that name is exported by ${gainNode.moduleUrl}, ${testNodes}`,
  );
  await assert.rejects(() => new WorkerDefinitions([]).resolve("Fft", undefined), /no module URL/);
});
