import assert from "node:assert/strict";
import { jsonSyntaxError } from "./json_syntax.ts";

Deno.test("jsonSyntaxError(): the line and column of the first mistake, and what was expected", () => {
  const cases: [string, number, number, RegExp][] = [
    ['{\n  "a": 1,\n}', 3, 1, /found '}', expected another property \(JSON allows no ','/],
    ["[1,\n 2,]", 2, 4, /found '\]', expected another value/],
    ['{\n"a": tru\n}', 2, 6, /expected a value/],
    ['{"a" 1}', 1, 6, /expected ':' after the property name/],
    ['{"a": 1', 1, 8, /found the end of the text, expected ',' or '}'/],
    ['{"a": 1}}', 1, 9, /expected the end of the text \(one JSON value only\)/],
    ["{a: 1}", 1, 2, /expected a string \(a property name\)/],
    ['"line\nbreak"', 1, 6, /a string cannot hold a raw line break/],
    ['"\\x"', 1, 3, /expected an escape/],
  ];
  for (const [text, line, column, problem] of cases) {
    const at = jsonSyntaxError(text);
    assert.ok(at, text);
    assert.deepEqual([at.line, at.column], [line, column], text);
    assert.match(at.problem, problem, text);
  }
  for (const valid of ['{"a": [1, -2.5e3, true, null, "\\u00e9"]}', " [] ", '"x"']) {
    assert.equal(jsonSyntaxError(valid), undefined, valid);
    JSON.parse(valid);
  }
});
