import assert from "node:assert/strict";
import { createNodeLog, LOG_DATA_MAX_CHARS, LOG_MESSAGE_MAX_CHARS, type LogRecord } from "./log.ts";
import { reserveStdout, stdoutReserved } from "./stdout_guard.ts";

Deno.test("createNodeLog() keeps at most linesPerSecond lines a second and counts the rest on the next line", () => {
  let now = 0;
  const lines: LogRecord[] = [];
  const log = createNodeLog((r) => lines.push(r), { nowMs: () => now, linesPerSecond: 3 });
  for (let i = 0; i < 10; i++) log.debug(`line ${i}`);
  assert.deepEqual(lines.map((l) => l.message), ["line 0", "line 1", "line 2"]);
  now = 1000;
  log.error("after");
  assert.deepEqual(lines.at(-1), { level: "error", message: "after", dropped: 7 });
});

Deno.test("createNodeLog() never throws and bounds what it is given", () => {
  const lines: LogRecord[] = [];
  const log = createNodeLog((r) => lines.push(r));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const hostile = {
    toString() {
      throw new Error("no");
    },
  };
  // deno-lint-ignore no-explicit-any
  const any = (v: unknown) => v as any;
  log.info(any(42));
  log.info(any(hostile));
  log.warn("cyclic", any(cyclic));
  log.warn("big", { text: "x".repeat(LOG_DATA_MAX_CHARS * 2) });
  log.info("y".repeat(LOG_MESSAGE_MAX_CHARS * 3));
  assert.equal(lines[0].message, "42");
  assert.equal(lines[1].message, "[object Object]");
  assert.equal(typeof lines[2].data, "string");
  assert.match(String(lines[3].data), /more characters of JSON\)$/);
  assert.ok(lines[4].message.length < LOG_MESSAGE_MAX_CHARS + 50);
  assert.match(lines[4].message, /\(4000 more characters\)$/);
  // A sink that throws does not reach the processor.
  createNodeLog(() => {
    throw new Error("sink");
  }).error("fine");
});

Deno.test("reserveStdout() sends console.log and its kin to stderr until the last reservation is released", () => {
  const before = { log: console.log, info: console.info, table: console.table };
  const a = reserveStdout();
  const b = reserveStdout();
  assert.equal(stdoutReserved(), true);
  assert.notEqual(console.log, before.log);
  assert.notEqual(console.table, before.table);
  a.release();
  a.release(); // idempotent: b still holds it
  assert.equal(stdoutReserved(), true);
  b[Symbol.dispose]();
  assert.equal(stdoutReserved(), false);
  assert.deepEqual({ log: console.log, info: console.info, table: console.table }, before);
});
