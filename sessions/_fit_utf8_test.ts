import assert from "node:assert/strict";
import { fitUtf8 } from "./_fit_utf8.ts";

Deno.test("fitUtf8() keeps a leading U+FEFF of a message it cuts", () => {
  const cut = fitUtf8(`\ufeff${"x".repeat(200)}`, 100);
  assert.ok(cut.startsWith("\ufeffx"), JSON.stringify(cut.slice(0, 4)));
  assert.ok(new TextEncoder().encode(cut).byteLength <= 100);
});
