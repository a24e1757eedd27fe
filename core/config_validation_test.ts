import assert from "node:assert/strict";
import { ConfigValidationError, describeSchema, validateConfig } from "./config_validation.ts";
import type { JsonSchema } from "./json_schema.ts";

const schema: JsonSchema = {
  type: "object",
  properties: {
    frequency: { type: "number", minimum: 1, maximum: 20000, default: 440 },
    blockSize: { type: "integer", minimum: 16, default: 480 },
    waveform: { type: "string", enum: ["sine", "square"], default: "sine" },
    name: { type: "string", pattern: "^[a-z]+$" },
    gains: { type: "array", items: { type: "number" }, maxItems: 2 },
    filter: {
      type: "object",
      properties: { cutoff: { type: "number", default: 1000 }, on: { type: "boolean" } },
      required: ["on"],
      additionalProperties: false,
    },
    crop: { anyOf: [{ type: "null" }, { type: "integer" }] },
    labels: { type: "object", properties: {}, additionalProperties: { type: "string" } },
  },
  required: ["name"],
  additionalProperties: false,
};

function issues(value: unknown) {
  try {
    validateConfig(schema, value, "Tone");
  } catch (error) {
    assert.ok(error instanceof ConfigValidationError);
    assert.equal(error.processor, "Tone");
    return error.issues.map((i) => [i.field, i.reason, i.expected, i.actual]);
  }
  return [];
}

Deno.test("validateConfig() fills defaults, nested ones included, and copies the input", () => {
  const input = { name: "abc", filter: { on: true }, labels: { a: "b" }, crop: null };
  const result = validateConfig(schema, input, "Tone");
  assert.deepEqual(result, {
    frequency: 440,
    blockSize: 480,
    waveform: "sine",
    name: "abc",
    filter: { cutoff: 1000, on: true },
    crop: null,
    labels: { a: "b" },
  });
  assert.notEqual(result, input);
});

Deno.test("validateConfig() names every bad field and what it expects", () => {
  assert.deepEqual(
    issues({
      frequency: 30000,
      blockSize: 16.5,
      waveform: "saw",
      name: "ABC",
      gains: [1, "2", 3],
      filter: { on: "yes", extra: 1 },
      crop: "full",
      labels: { a: 1 },
      colour: "red",
    }),
    [
      ["frequency", "mismatch", "a number from 1 to 20000", "30000"],
      ["blockSize", "mismatch", "an integer at least 16", "16.5"],
      ["waveform", "mismatch", 'one of "sine", "square"', '"saw"'],
      ["name", "mismatch", "a string matching /^[a-z]+$/", '"ABC"'],
      ["gains", "mismatch", "an array of numbers with at most 2 items", '[1,"2",3]'],
      ["filter.on", "mismatch", "a boolean", '"yes"'],
      ["filter.extra", "unknown", "known fields are cutoff, on", "1"],
      ["crop", "mismatch", "null or an integer", '"full"'],
      ["labels.a", "mismatch", "a string", "1"],
      [
        "colour",
        "unknown",
        "known fields are frequency, blockSize, waveform, name, gains, filter, crop, labels",
        '"red"',
      ],
    ],
  );
  assert.deepEqual(issues({}), [["name", "missing", "a string matching /^[a-z]+$/", "missing"]]);
  assert.deepEqual(issues([]), [["", "mismatch", "an object", "[]"]]);
  assert.deepEqual(issues({ name: "a", labels: new Map() }), [
    ["labels", "mismatch", "an object", "an instance of Map"],
  ]);
});

Deno.test("ConfigValidationError's message names the processor, the field and the expected type", () => {
  assert.throws(
    () => validateConfig(schema, { name: "a", frequency: "loud" }, "Tone"),
    {
      name: "ConfigValidationError",
      message:
        "Cannot configure 'Tone': config field 'frequency' must be a number from 1 to 20000, got \"loud\"",
    },
  );
  assert.throws(() => validateConfig(schema, {}, "Tone"), {
    message:
      "Cannot configure 'Tone': config field 'name' is missing: expected a string matching /^[a-z]+$/",
  });
  assert.throws(() => validateConfig(schema, { name: "a", x: 1, y: 2 }, "Tone"), {
    message: /config field 'x' is unknown: known fields are .* \(and 1 more\)$/,
  });
});

Deno.test("describeSchema() words bounds, lengths and item counts", () => {
  assert.equal(describeSchema({ type: "number", exclusiveMinimum: 0 }), "a number greater than 0");
  assert.equal(
    describeSchema({ type: "string", minLength: 1 }),
    "a string of at least 1 characters",
  );
  assert.equal(describeSchema({ type: ["string", "null"] }), "a string or null");
  assert.equal(describeSchema({}), "any JSON value");
});
