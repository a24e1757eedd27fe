import assert from "node:assert/strict";
import { Runtime, RuntimeArgumentError } from "../../mod.ts";
import { builtinRegistry } from "../../processors/mod.ts";

const refused = (method: string, argument: string, pattern?: RegExp) => (e: unknown) =>
  e instanceof RuntimeArgumentError && e.code === "invalid_argument" && e.method === method &&
  e.argument === argument && e.details.argument === argument &&
  (pattern === undefined || pattern.test(e.message));

Deno.test("Runtime.on() refuses a listener that is not a function where it is given; start() then runs", async () => {
  await using rt = new Runtime();
  assert.throws(
    // The report's call: a type name first, as some event APIs take.
    // deno-lint-ignore no-explicit-any
    () => (rt.on as any)("node-error", () => {}),
    refused("on", "listener", /filter in it: rt\.on\(\(e\) => \{ if \(e\.type === "node-error"\)/),
  );
  // deno-lint-ignore no-explicit-any
  for (const bad of [undefined, null, 5, {}, [() => {}]] as any[]) {
    assert.throws(() => rt.on(bad), refused("on", "listener"));
  }
  await rt.start(); // nothing bad was registered: no TypeError later
  await rt.stop();
});

Deno.test("Runtime.use() and new Runtime() check their arguments at the call, naming the option", () => {
  // deno-lint-ignore no-explicit-any
  const any = (v: unknown) => v as any;
  assert.throws(() => new Runtime().use(any(5)), refused("use", "registry"));
  assert.throws(() => new Runtime().use(any(null)), refused("use", "registry"));
  assert.throws(() => new Runtime(any(5)), refused("new Runtime", "options"));
  assert.throws(
    () => new Runtime({ registry: any([]) }),
    refused("new Runtime", "options.registry"),
  );
  assert.throws(() => new Runtime({ clock: any(3) }), refused("new Runtime", "options.clock"));
  assert.throws(() => new Runtime({ timers: any({}) }), refused("new Runtime", "options.timers"));
  const timers = { setTimeout: () => 0, clearTimeout: () => {} };
  assert.throws(
    () => new Runtime({ timers: any({ ...timers, guard: 5 }) }),
    refused("new Runtime", "options.timers"),
  );
  assert.throws(
    () => new Runtime({ timers: any({ ...timers, defer: "soon" }) }),
    refused("new Runtime", "options.timers"),
  );
  for (const bad of [0, -1, 1.5, NaN, "2"]) {
    assert.throws(
      () => new Runtime({ maxCatchUp: any(bad) }),
      refused("new Runtime", "options.maxCatchUp", /expected an integer of 1 or more/),
    );
  }
  assert.throws(
    () => new Runtime({ isolates: any(7) }),
    refused("new Runtime", "options.isolates"),
  );
  // A long string is quoted as a bounded excerpt.
  const error = (() => {
    try {
      new Runtime().on(any("x".repeat(100_000)));
    } catch (e) {
      return e as Error;
    }
  })();
  assert.ok(error !== undefined && error.message.length < 400, error?.message.slice(0, 100));
});

Deno.test("add(), connectByName() and probe() refuse options that are not an object, naming the method", () => {
  // deno-lint-ignore no-explicit-any
  const any = (v: unknown) => v as any;
  const rt = new Runtime({ registry: builtinRegistry });
  rt.add("TestToneGenerator", {}, { id: "t" });
  rt.add("NullSink", {}, { id: "s" });
  for (const bad of [5, null, "fifo", []]) {
    assert.throws(() => rt.add("Gain", {}, any(bad)), refused("add", "options"));
    assert.throws(
      () => rt.connectByName("t", "audio", "s", "in", any(bad)),
      refused("connect", "options"),
    );
    assert.throws(() => rt.probe("t.audio", () => {}, any(bad)), refused("probe", "options"));
  }
  assert.deepEqual(rt.describe().nodes.map((n) => n.id), ["t", "s"], "nothing was added");
  assert.equal(rt.describe().connections.length, 0);
  assert.deepEqual(rt.probes(), []);
});
