/**
 * A node's failure carries a stable code when the error has one: Deno's permission refusal is
 * `permission_denied` in `describe()` and in the `node-error` event, the same on every front-end.
 */

import assert from "node:assert/strict";
import { defineNode, Processor, Runtime, type TypesOf } from "../../mod.ts";
import { processorInit } from "../../core/processor/processor.ts";
import type { NodeErrorEvent } from "../../core/lifecycle/events.ts";
import { accessors, descriptorMaker } from "../fixtures/runtime/node_descriptor.ts";

/** Throws in setup what its config names. */
class Refused extends Processor<
  {
    inputs: Record<never, never>;
    outputs: Record<never, never>;
    config: { denied: boolean };
    handle: never;
  }
> {
  override setup(): void {
    throw this.config.denied
      ? new Deno.errors.NotCapable('Requires write access to "/etc/x.wav"')
      : new TypeError("plain");
  }
  process(): void {}
  get config(): { denied: boolean } {
    return processorInit(this)!.config as { denied: boolean };
  }
}

const descriptor = descriptorMaker({
  portType: "DataFrame",
  source: "tests/runtime/failure_code_test.ts",
  what: "a test node",
});
const refusedNode = defineNode<TypesOf<Refused>, Refused>({
  descriptor: descriptor("Refused", "pull", [], [], {
    denied: { type: "boolean", default: false },
  }),
  processorClass: Refused,
  accessors: accessors([], []) as never,
});

Deno.test("a node refused by Deno's permissions fails with code permission_denied; a plain error has no code", async () => {
  const rt = new Runtime();
  const events: NodeErrorEvent[] = [];
  rt.on((event) => {
    if (event.type === "node-error") events.push(event);
  });
  rt.add(refusedNode, { denied: true }, { id: "writer" });
  rt.add(refusedNode, { denied: false }, { id: "plain" });
  await rt.start();
  const failures = Object.fromEntries(rt.describe().nodes.map((n) => [n.id, n.failure]));
  assert.deepEqual(failures.writer, {
    phase: "setup",
    message: 'Requires write access to "/etc/x.wav"',
    code: "permission_denied",
  });
  assert.deepEqual(failures.plain, { phase: "setup", message: "plain" });
  const byNode = Object.fromEntries(events.map((e) => [e.node, e.code]));
  assert.deepEqual(byNode, { writer: "permission_denied", plain: undefined });
  await rt.stop();
});
