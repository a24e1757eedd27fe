import assert from "node:assert/strict";
import { canonicalPayloadType } from "./payload_type.ts";

Deno.test("canonicalPayloadType() writes one spelling per structure", () => {
  const cases: [string, string][] = [
    ["number", "number"],
    ["{ rms: number, peak: number }", "{ peak: number; rms: number }"],
    ["{peak:number;rms:number;}", "{ peak: number; rms: number }"],
    ["{ readonly b?: string | undefined; a: boolean }", "{ a: boolean; b?: string }"],
    ["'loud' | \"quiet\" | 'loud'", '"loud" | "quiet"'],
    ["true | false | null", "boolean | null"],
    ["Array<number | string>", "(number | string)[]"],
    ["readonly { x: number }[]", "{ x: number }[]"],
    ["ReadonlyArray<1 | 2.50>", "(1 | 2.5)[]"],
    ["Record<string, number>", "{ [key: string]: number }"],
    [
      "{ [name: string]: number; \"my-key\": string; 'b': 1 }",
      '{ b: 1; "my-key": string; [key: string]: number }',
    ],
    ["({ b: 1 } | { a: 2 })[]", "({ a: 2 } | { b: 1 })[]"],
    ["{}", "{}"],
    ["any", "unknown"],
    ["number | any", "unknown"],
    ["{ readonly: number }", "{ readonly: number }"],
  ];
  for (const [text, expected] of cases) assert.equal(canonicalPayloadType(text), expected, text);
});

Deno.test("canonicalPayloadType() has no form for named types and bad syntax", () => {
  for (
    const text of ["Level", "{ a: Level }", "() => void", "{ a: number", "number |", "[number]", ""]
  ) {
    assert.equal(canonicalPayloadType(text), undefined, text);
  }
});
