import assert from "node:assert/strict";
import { WebRtcSessionError } from "./errors.ts";
import { queryParameters } from "./_query.ts";

const at = (query: string) => new URL(`http://127.0.0.1/v1/webrtc/voice${query}`);
const encoded = (value: unknown) => `?parameters=${encodeURIComponent(JSON.stringify(value))}`;

function invalidQuery(pattern: RegExp, field = "parameters") {
  return (error: unknown) =>
    error instanceof WebRtcSessionError && error.code === "invalid_query" &&
    error.status === 400 && pattern.test(error.message) && error.details.field === field &&
    JSON.stringify(error.details.available) === '["parameters"]';
}

Deno.test("queryParameters() reads a URL-encoded JSON object of any JSON values", () => {
  const values = { gain: 3, voice: "low & deep", on: true, off: null, list: [1, { a: [] }] };
  assert.deepEqual(queryParameters(at(encoded(values))), values);
  assert.equal(queryParameters(at("")), undefined);
  assert.equal(queryParameters(at("?")), undefined);
  assert.equal(queryParameters(at(encoded({}))), undefined);
});

Deno.test("queryParameters() refuses any other query parameter, naming the one it takes", () => {
  assert.throws(
    () => queryParameters(at("?gain=3")),
    invalidQuery(/query parameter "gain": an offer's URL takes only \?parameters=/, "gain"),
  );
  assert.throws(
    () => queryParameters(at(`${encoded({ gain: 1 })}&token=x`)),
    invalidQuery(/query parameter "token"/, "token"),
  );
  assert.throws(
    () => queryParameters(at(`${encoded({ gain: 1 })}&parameters=%7B%7D`)),
    invalidQuery(/\?parameters= 2 times: give it once/),
  );
});

Deno.test("queryParameters() refuses text that is not a JSON object, too deep or too long", () => {
  assert.throws(() => queryParameters(at("?parameters={gain:3}")), invalidQuery(/not JSON/));
  assert.throws(() => queryParameters(at("?parameters=")), invalidQuery(/not JSON/));
  assert.throws(() => queryParameters(at(encoded([3]))), invalidQuery(/it is an array, expected/));
  assert.throws(() => queryParameters(at(encoded(3))), invalidQuery(/it is number, expected/));
  assert.throws(() => queryParameters(at(encoded(null))), invalidQuery(/it is null, expected/));
  const deep = `{"a":${"[".repeat(64)}${"]".repeat(64)}}`;
  assert.throws(
    () => queryParameters(at(`?parameters=${encodeURIComponent(deep)}`)),
    invalidQuery(/nests more than 64 levels deep/),
  );
  // 63 levels of lists inside the object: 64 in all, taken.
  const deepest = `{"a":${"[".repeat(63)}${"]".repeat(63)}}`;
  assert.ok(queryParameters(at(`?parameters=${encodeURIComponent(deepest)}`)));
  assert.throws(
    () => queryParameters(at(encoded({ gain: "x".repeat(65_535) }))),
    invalidQuery(/it is 65546 bytes of JSON, at most 65535 are taken/),
  );
});
