import assert from "node:assert/strict";
import { assertConnectable, PortTypeMismatchError } from "./connect.ts";
import type { DataFrame } from "../frames/data_frame.ts";
import type { InputRef, OutputRef } from "../ports/port_ref.ts";

Deno.test("assertConnectable() also checks port type strings at run time", () => {
  const out: OutputRef<DataFrame> = {
    node: "a",
    port: "out",
    portType: "DataFrame<Stats>",
    direction: "output",
  };
  const ok: InputRef<DataFrame> = {
    node: "b",
    port: "in",
    portType: "DataFrame",
    direction: "input",
  };
  const bad: InputRef<DataFrame> = {
    node: "b",
    port: "in",
    portType: "DataFrame<Other>",
    direction: "input",
  };
  assertConnectable(out, ok);
  assert.throws(
    () => assertConnectable(out, bad),
    (e: unknown) =>
      e instanceof PortTypeMismatchError && e.from === "a.out" && e.to === "b.in" &&
      e.message ===
        "Cannot connect 'a.out' to 'b.in': DataFrame<Stats> does not fit DataFrame<Other>",
  );
});
