import assert from "node:assert/strict";
import {
  ConfigValidationError,
  describeSchema,
  MAX_CONFIG_ISSUES,
  validateConfig,
} from "./validation.ts";
import type { JsonSchema } from "../schema/json_schema.ts";

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

Deno.test("validateConfig() refuses keys named like object members as unknown fields", () => {
  const closed = {
    type: "object",
    properties: { gain: { type: "number", default: 1 } },
    additionalProperties: false,
  } as const;
  for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
    // JSON.parse makes `__proto__` an own key, as any client's body would.
    const config = JSON.parse(`{"gain":2,"${key}":{"polluted":true}}`);
    assert.throws(() => validateConfig(closed, config, "Gain"), (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError);
      assert.deepEqual(e.issues.map((i) => [i.field, i.reason]), [[key, "unknown"]]);
      assert.match(
        e.message,
        new RegExp(`config field '${key}' is unknown: known fields are gain`),
      );
      return true;
    }, key);
    const nested = JSON.parse(`{"inner":{"${key}":1}}`);
    assert.throws(
      () =>
        validateConfig(
          {
            type: "object",
            properties: { inner: { type: "object", properties: {}, additionalProperties: false } },
          },
          nested,
          "X",
        ),
      { message: new RegExp(`config field 'inner.${key}' is unknown`) },
      `inner.${key}`,
    );
  }
  // A field missing from the config is never read from Object.prototype.
  const schema = { type: "object", properties: { constructor: { type: "string" } } } as const;
  assert.deepEqual(validateConfig(schema, {}, "X"), {});
});

Deno.test("validateConfig() keeps other member-like keys as own data where extra fields are allowed, never __proto__", () => {
  const open = { type: "object", additionalProperties: true } as const;
  const out = validateConfig(open, JSON.parse('{"constructor":1,"toString":"x"}'), "X") as Record<
    string,
    unknown
  >;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.ok(Object.hasOwn(out, "constructor") && Object.hasOwn(out, "toString"));
  assert.throws(() => validateConfig(open, JSON.parse('{"__proto__":{"x":1}}'), "X"), {
    message: /config field '__proto__' is unknown: '__proto__' is never a config field/,
  });
  assert.equal(({} as Record<string, unknown>).x, undefined, "Object.prototype untouched");
});

Deno.test("ConfigValidationError quotes a config's own long keys and lists a bounded number of issues", () => {
  const key = "k".repeat(1_000_000);
  // An unknown key, a key of an open map whose value is wrong, and 100,000 more unknown keys.
  const config: Record<string, unknown> = { name: "a", [key]: 1, labels: { [key]: 5 } };
  for (let i = 0; i < 100_000; i++) config[`x${i}`] = i;
  assert.throws(() => validateConfig(schema, config, "Tone"), (e: unknown) => {
    assert.ok(e instanceof ConfigValidationError);
    assert.equal(e.total, 100_002);
    assert.equal(e.issues.length, MAX_CONFIG_ISSUES);
    const fields = e.issues.map((i) => i.field);
    assert.ok(fields.includes(`labels.${"k".repeat(64)}... (999936 more characters)`), fields[0]);
    assert.ok(fields.includes(`${"k".repeat(64)}... (999936 more characters)`));
    assert.ok(e.message.length < 500, e.message.slice(0, 200));
    assert.match(e.message, /\(and 100001 more\)$/);
    assert.ok(JSON.stringify(e.details).length < 50_000);
    return true;
  });
});

Deno.test("validateConfig(): an unknown field near a known one says 'did you mean'", () => {
  const schema = {
    type: "object",
    properties: { frequency: { type: "number" }, waveform: { type: "string" } },
    additionalProperties: false,
  } as const;
  assert.throws(
    () => validateConfig(schema, { frequncy: 440 }, "Tone"),
    /config field 'frequncy' is unknown: did you mean frequency\? known fields are frequency, waveform$/,
  );
  assert.throws(
    () => validateConfig(schema, { volume: 1 }, "Tone"),
    /config field 'volume' is unknown: known fields are frequency, waveform$/,
  );
});
