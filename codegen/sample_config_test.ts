import assert from "node:assert/strict";
import { sampleConfig } from "./sample_config.ts";

Deno.test("sampleConfig() gives the required fields the simplest values their bounds allow", () => {
  const sample = sampleConfig({
    type: "object",
    properties: {
      path: { type: "string", minLength: 1 },
      width: { type: "integer", minimum: 15, multipleOf: 2 },
      rate: { type: "number", exclusiveMinimum: 0 },
      mode: { type: "string", enum: ["fast", "slow"] },
      gain: { type: "number", default: 1 },
      label: { type: "string" },
    },
    required: ["path", "width", "rate", "mode"],
    additionalProperties: false,
  }, "Sample");
  assert.deepEqual(sample?.given, { path: "path", width: 16, rate: 1, mode: "fast" });
  assert.deepEqual(sample?.filled, { path: "path", width: 16, rate: 1, mode: "fast", gain: 1 });
});

Deno.test("sampleConfig() fills nested objects' defaulted fields, which their type may require", () => {
  const sample = sampleConfig({
    type: "object",
    properties: {
      tuning: {
        type: "object",
        properties: {
          lowLatency: { type: "boolean", default: true },
          keyframes: { type: "number" },
        },
        required: [],
      },
    },
    required: ["tuning"],
  }, "Nested");
  assert.deepEqual(sample?.given, { tuning: { lowLatency: true } });
});

Deno.test("sampleConfig() gives up on a schema no simple value passes", () => {
  const schema = {
    type: "object" as const,
    properties: { id: { type: "string" as const, pattern: "^[0-9]+$" } },
    required: ["id"],
  };
  assert.equal(sampleConfig(schema, "Patterned"), undefined);
  assert.deepEqual(sampleConfig({ type: "object", properties: {} }, "Empty")?.given, {});
});
