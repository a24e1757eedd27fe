import assert from "node:assert/strict";
import { formatNodeInfo } from "./nodes_command.ts";
import { testToneGeneratorNode } from "../processors/sources/test_tone_generator.gen.ts";

Deno.test("formatNodeInfo() marks the config fields setConfig() changes while running", () => {
  const text = formatNodeInfo(testToneGeneratorNode.descriptor);
  const config = text.slice(text.indexOf("Config:\n"), text.indexOf("Config JSON Schema:"));
  const rows = config.split("\n").slice(1).map((line) => line.trim().split(/\s{2,}/));
  assert.deepEqual(rows[0].slice(0, 5), ["FIELD", "TYPE", "DEFAULT", "LIVE", "DESCRIPTION"]);
  const live = Object.fromEntries(
    rows.slice(1).filter((r) => r.length >= 5).map((r) => [r[0], r[3]]),
  );
  // frequency, amplitude and waveform carry @live in processors/sources/test_tone_generator.ts.
  assert.deepEqual(live, {
    frequency: "live",
    amplitude: "live",
    sampleRate: "-",
    blockSize: "-",
    waveform: "live",
  });
});

Deno.test("loadProjectRegistry() of a project without processors of its own knows the package plugins", async () => {
  const { loadProjectRegistry } = await import("./nodes_command.ts");
  const root = await Deno.makeTempDir({ prefix: "streamlib_project_" });
  try {
    const registry = await loadProjectRegistry(root);
    assert.ok(registry.has("Gain"));
    assert.ok(registry.has("SubprocessProcessor"), "as streamlib run and validate know it");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
