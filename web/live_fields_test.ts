import assert from "node:assert/strict";
import { builtinRegistry, gainNode } from "../processors/mod.ts";
import { BUILTIN_LIVE_FIELDS, liveFields } from "./live_fields.ts";

Deno.test("liveFields() lists the built-in live fields in schema order", () => {
  assert.deepEqual(liveFields(builtinRegistry.describe("Reverb")), [
    "roomSize",
    "damping",
    "wet",
    "dry",
    "width",
  ]);
  assert.deepEqual(liveFields(builtinRegistry.describe("VideoScale")), []);
  assert.deepEqual(liveFields(builtinRegistry.describe("WavWriter")), []);
});

Deno.test("liveFields() also takes properties marked x-live in the schema", () => {
  const descriptor = {
    ...gainNode.descriptor,
    name: "Custom",
    config: {
      type: "object" as const,
      properties: {
        a: { type: "number" as const, "x-live": true },
        b: { type: "number" as const },
      },
    },
  };
  assert.deepEqual(liveFields(descriptor as never), ["a"]);
});

Deno.test("BUILTIN_LIVE_FIELDS names only fields that exist", () => {
  for (const [name, fields] of Object.entries(BUILTIN_LIVE_FIELDS)) {
    const properties = builtinRegistry.describe(name).config.properties ?? {};
    for (const field of fields) assert.ok(field in properties, `${name}.${field}`);
  }
});
