import assert from "node:assert/strict";
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from "./diagnostic.ts";

const base: Diagnostic = {
  code: "duplicate-port",
  message: "Processor 'X' has two inputs named 'a'",
  hint: "rename one",
  file: "src/x.ts",
  line: 3,
  column: 5,
};

Deno.test("formatDiagnostic() prints file:line:col, code, message and hint", () => {
  assert.equal(
    formatDiagnostic(base),
    "src/x.ts:3:5: error[duplicate-port]: Processor 'X' has two inputs named 'a'\n  hint: rename one",
  );
});

Deno.test("sortDiagnostics() orders by file, line and column", () => {
  const sorted = sortDiagnostics([
    { ...base, line: 9 },
    { ...base, file: "a.ts" },
    { ...base, column: 1 },
  ]);
  assert.deepEqual(sorted.map((d) => `${d.file}:${d.line}:${d.column}`), [
    "a.ts:3:5",
    "src/x.ts:3:1",
    "src/x.ts:9:5",
  ]);
});
