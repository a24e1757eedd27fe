import assert from "node:assert/strict";
import { ParameterError } from "../../core/manifest/parameters.ts";
import { type ProtoValue, structToParameters } from "./_struct.ts";

const num = (numberValue: number): ProtoValue => ({ kind: "numberValue", numberValue });

function refusal(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof ParameterError && error.code === "invalid_parameter" &&
    pattern.test(error.message);
}

Deno.test("structToParameters() gives every kind of Value as JSON", () => {
  // As proto-loader decodes them: `kind` names the member; defaults left out.
  const got = structToParameters({
    fields: {
      none: { kind: "nullValue", nullValue: "NULL_VALUE" },
      yes: { kind: "boolValue", boolValue: true },
      no: { kind: "boolValue" },
      gain: num(3),
      zero: { kind: "numberValue" },
      voice: { kind: "stringValue", stringValue: "low" },
      empty: { kind: "stringValue" },
      list: { kind: "listValue", listValue: { values: [num(1), { kind: "stringValue" }] } },
      nothing: { kind: "listValue", listValue: {} },
      nested: {
        kind: "structValue",
        structValue: { fields: { a: { kind: "structValue", structValue: {} } } },
      },
    },
  });
  assert.deepEqual(got, {
    none: null,
    yes: true,
    no: false,
    gain: 3,
    zero: 0,
    voice: "low",
    empty: "",
    list: [1, ""],
    nothing: [],
    nested: { a: {} },
  });
});

Deno.test("structToParameters() takes a left-out or empty Struct as no parameters", () => {
  assert.equal(structToParameters(undefined), undefined);
  assert.equal(structToParameters({}), undefined);
  assert.equal(structToParameters({ fields: {} }), undefined);
});

Deno.test("structToParameters() refuses NaN, infinities and a Value with no kind", () => {
  assert.throws(
    () => structToParameters({ fields: { gain: num(NaN) } }),
    refusal(/Parameter gain holds NaN at gain: a JSON number must be finite/),
  );
  assert.throws(
    () =>
      structToParameters({
        fields: { g: { kind: "listValue", listValue: { values: [num(1), num(Infinity)] } } },
      }),
    refusal(/holds Infinity at g\[1\]/),
  );
  assert.throws(
    () => structToParameters({ fields: { gain: {} } }),
    (error) =>
      refusal(/no kind set at gain: set one of null_value, number_value/)(error) &&
      (error as ParameterError).parameter === "gain",
  );
});

Deno.test("structToParameters() refuses nesting past 64 levels and JSON over 64 KiB", () => {
  const nest = (levels: number, list: boolean): ProtoValue => {
    let value: ProtoValue = num(1);
    for (let i = 0; i < levels; i++) {
      value = list
        ? { kind: "listValue", listValue: { values: [value] } }
        : { kind: "structValue", structValue: { fields: { k: value } } };
    }
    return value;
  };
  // The object of names is level 1: 63 more levels are taken, 64 are not.
  for (const list of [false, true]) {
    assert.equal(jsonLevels(structToParameters({ fields: { deep: nest(63, list) } })), 64);
    assert.throws(
      () => structToParameters({ fields: { deep: nest(64, list) } }),
      refusal(/Parameter deep nests lists and structs more than 64 levels deep/),
    );
  }
  const big = { kind: "stringValue", stringValue: "x".repeat(65_535) };
  assert.throws(
    () => structToParameters({ fields: { big } }),
    refusal(/The parameters are 65545 bytes as JSON, at most 65535 are taken/),
  );
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, num(i)]));
  assert.throws(() => structToParameters({ fields: many }), refusal(/bytes as JSON/));
});

function jsonLevels(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(jsonLevels));
}
