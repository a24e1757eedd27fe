import assert from "node:assert/strict";
import { readParameters } from "./_patch.ts";

const LIMITS = { maxBytes: 1024, timeoutMs: 1_000 };

function request(body: string, type = "application/json"): Request {
  return new Request("http://127.0.0.1/v1/webrtc/p/s", {
    method: "PATCH",
    headers: { "content-type": type },
    body,
  });
}

function refused(code: string, message: RegExp) {
  return (error: unknown) =>
    (error as { code?: string }).code === code && message.test((error as Error).message);
}

Deno.test("readParameters() reads {parameters: {...}} of JSON values", async () => {
  assert.deepEqual(
    await readParameters(request('{"parameters":{"gain":0,"mix":[1,{"a":null}]}}'), LIMITS),
    { gain: 0, mix: [1, { a: null }] },
  );
  assert.deepEqual(
    await readParameters(request('{"parameters":{}}', "application/json; charset=utf-8"), LIMITS),
    {},
  );
});

Deno.test("readParameters() refuses another content type, JSON that is not one, or another shape", async () => {
  await assert.rejects(
    readParameters(request('{"parameters":{}}', "text/plain"), LIMITS),
    refused("unsupported_media_type", /content-type must be application\/json, got "text\/plain"/),
  );
  await assert.rejects(
    readParameters(request("{gain: 0}"), LIMITS),
    refused("invalid_json", /^Cannot read the parameters: the body is not JSON/),
  );
  for (
    const [body, message] of [
      ['{"gain":0}', /got the member "gain"$/],
      ['{"parameters":[0]}', /got an array as parameters$/],
      ['{"parameters":null}', /got null as parameters$/],
      ["{}", /got nothing as parameters$/],
      ["3", /got number$/],
    ] as const
  ) {
    await assert.rejects(readParameters(request(body), LIMITS), refused("invalid_body", message));
  }
  await assert.rejects(
    readParameters(request(`{"parameters":{"gain":${"[".repeat(64)}${"]".repeat(64)}}}`), LIMITS),
    refused("invalid_parameter", /more than 64 levels deep/),
  );
  // 63 levels inside the value: 64 with the object of names, the most taken.
  await readParameters(request(`{"parameters":{"g":${"[".repeat(63)}${"]".repeat(63)}}}`), LIMITS);
  await assert.rejects(
    readParameters(request(`{"parameters":{"g":"${"x".repeat(2_000)}"}}`), LIMITS),
    refused("body_too_large", /^Cannot read the parameters: it is over 1024 bytes/),
  );
});
