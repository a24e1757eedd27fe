import assert from "node:assert/strict";
import { formatConsoleArgs } from "./background_console.ts";

const MODULE = new URL("./background_console.ts", import.meta.url).href;

Deno.test("formatConsoleArgs() follows console.log's format specifiers", () => {
  assert.equal(formatConsoleArgs([]), "");
  assert.equal(formatConsoleArgs(["plain", 1, "two"]), "plain 1 two");
  assert.equal(formatConsoleArgs(["%s=%d (%i) %f", "x", 2.5, 2.5, "3.5"]), "x=2.5 (2) 3.5");
  assert.equal(formatConsoleArgs(["%o and %O", [1], { a: 1 }]), "[ 1 ] and { a: 1 }");
  assert.equal(formatConsoleArgs(["%j", { a: [1] }]), '{"a":[1]}');
  assert.equal(formatConsoleArgs(["%cstyled", "color: red"]), "styled");
  assert.equal(formatConsoleArgs(["100%% of %s", "it"]), "100% of it");
  assert.equal(formatConsoleArgs(["%s and %s", "one"]), "one and %s");
  assert.equal(formatConsoleArgs(["%d", 5n]), "5n");
  assert.equal(formatConsoleArgs([{ a: 1 }, "after"]), "{ a: 1 } after");
});

Deno.test("the background console prints every method's lines to stderr, in order", async () => {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    file,
    `import { flushBackgroundConsole, installBackgroundConsole } from "${MODULE}";
     const restore = installBackgroundConsole();
     console.log("log %s", "line");
     console.error("error line");
     console.count("n");
     console.count("n");
     console.countReset("n");
     console.count("n");
     console.group("group");
     console.info("inside");
     console.groupEnd();
     console.assert(true, "not printed");
     console.assert(false, "held");
     console.time("t");
     console.timeEnd("t");
     console.trace("where");
     console.dir({ deep: { deeper: { deepest: 1 } } }, { depth: 0 });
     console.table([{ a: 1 }]);
     restore();
     await flushBackgroundConsole(1_000);
     console.log("restored: stdout");`,
  );
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", file],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0);
    const err = new TextDecoder().decode(out.stderr).split("\n");
    assert.deepEqual(err.slice(0, 8), [
      "log line",
      "error line",
      "n: 1",
      "n: 2",
      "n: 1",
      "group",
      "  inside",
      "Assertion failed: held",
    ]);
    assert.match(err[8], /^t: \d+\.\d{3}ms$/);
    assert.equal(err[9], "Trace: where");
    assert.match(err[10], /^\s+at /);
    assert.ok(err.includes("{ deep: [Object] }"), err.join("\n"));
    assert.ok(err.includes("[ { a: 1 } ]"), err.join("\n"));
    assert.equal(new TextDecoder().decode(out.stdout), "restored: stdout\n");
  } finally {
    await Deno.remove(file);
  }
});
