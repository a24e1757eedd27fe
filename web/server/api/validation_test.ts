import assert from "node:assert/strict";
import type { JsonValue } from "../../../core/schema/json_schema.ts";
import { ApiError } from "./errors.ts";
import { ADD_NODE_SCHEMA, CONNECT_SCHEMA } from "../../../core/operations/schemas.ts";
import {
  checkBody,
  MAX_BODY_BYTES,
  onlyFields,
  placementChoices,
  readJsonObject,
} from "./validation.ts";

const json = (body: string, type = "application/json") =>
  new Request("http://x/", { method: "POST", body, headers: { "content-type": type } });

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return error.status;
  }
}

Deno.test("readJsonObject() reads objects and refuses everything else with a 4xx", async () => {
  assert.deepEqual(await readJsonObject(json('{"a":1}')), { a: 1 });
  assert.deepEqual(
    await readJsonObject(new Request("http://x/", { method: "POST" }), true),
    {},
  );
  assert.equal(await status(readJsonObject(json("[1]"))), 400);
  assert.equal(await status(readJsonObject(json("nul"))), 400);
  assert.equal(await status(readJsonObject(json("{}", "text/plain"))), 415);
  assert.equal(await status(readJsonObject(json(`"${"x".repeat(MAX_BODY_BYTES)}"`))), 413);
});

Deno.test("Field checkers name the field and the choices", () => {
  const body = { a: "x", n: 3.5, p: "newest", end: "mix.out", extra: 1 };
  const connection = { from: "a.out", to: "b.in" };
  assert.throws(
    () => checkBody(CONNECT_SCHEMA, { ...connection, capacity: 3.5 }, "a connection"),
    (e: ApiError) =>
      e.code === "invalid_field" && e.fields.field === "capacity" &&
      /integer from 1 to 16777216/.test(e.message),
  );
  assert.throws(
    () => checkBody(CONNECT_SCHEMA, { ...connection, policy: "newest" }, "a connection"),
    (e: ApiError) => e.fields.choices?.join() === "fifo,latest",
  );
  assert.throws(
    () => checkBody(ADD_NODE_SCHEMA, { id: "x", extra: 1 }, "a node"),
    (e: ApiError) =>
      e.code === "unknown_field" && e.fields.field === "extra" &&
      e.message.endsWith("known fields are type, config, id, placement, onError, maxRestarts"),
  );
  // What is inside a config is the processor's to judge, not the operation's.
  checkBody(ADD_NODE_SCHEMA, { type: "Gain", config: { ["__proto__"]: 1 } }, "a node");
  assert.throws(
    () => checkBody(CONNECT_SCHEMA, { from: "mix", to: "b.in" }, "a connection"),
    (e: ApiError) =>
      e.code === "invalid_field" && e.fields.field === "from" &&
      e.message === 'Field \'from\' must be "node.port" (a node id, a dot, a port name), got "mix"',
  );
  // Unknown fields first, whatever else is wrong: they usually explain the rest.
  assert.throws(
    () => checkBody(CONNECT_SCHEMA, { from: "mix", colour: 1 }, "a connection"),
    (e: ApiError) => e.code === "unknown_field" && e.fields.field === "colour",
  );
  assert.throws(
    () => onlyFields(body, ["a", "n", "p", "end"], "a thing"),
    (e: ApiError) => e.code === "unknown_field" && e.fields.field === "extra",
  );
});

Deno.test("checkBody() refuses a bad placement listing main and the Workers in use", () => {
  const choices = { placement: placementChoices(["video"]) };
  checkBody(ADD_NODE_SCHEMA, { type: "Gain", placement: "main" }, "a node", choices);
  checkBody(ADD_NODE_SCHEMA, { type: "Gain", placement: { worker: "dsp" } }, "a node", choices);
  const bads: JsonValue[] = [
    "gpu",
    { worker: "" },
    { worker: "a b" },
    { worker: "x", y: 1 },
    3,
    null,
  ];
  for (const bad of bads) {
    assert.throws(
      () => checkBody(ADD_NODE_SCHEMA, { type: "Gain", placement: bad }, "a node", choices),
      (e: unknown) =>
        e instanceof ApiError && e.status === 400 && e.code === "invalid_field" &&
        e.fields.field === "placement" &&
        JSON.stringify(e.fields.choices) ===
          JSON.stringify(["main", '{"worker":"video"}', '{"worker":"<name>"}']) &&
        /Field 'placement' must be "main" or \{ "worker": "<name>" \}/.test(e.message),
      JSON.stringify(bad),
    );
  }
});
