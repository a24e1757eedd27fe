/**
 * docs/errors.md lists every code of core/errors/codes.ts and frontend/error_codes.ts with its HTTP status from
 * web/server/api/errors.ts, in table order, between its two markers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ERROR_CODES, type ErrorCode } from "../../frontend/error_codes.ts";
import { HTTP_STATUS } from "../../web/server/api/errors.ts";

const BEGIN = "<!-- error codes: begin (checked by tests/docs/errors_doc_test.ts) -->";
const END = "<!-- error codes: end -->";

/** The table docs/errors.md must hold, one row per code. */
export function errorTable(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => {
    const { origin, meaning } = ERROR_CODES[code];
    return `| \`${code}\` | ${origin} | ${HTTP_STATUS[code]} | ${meaning.replaceAll("|", "\\|")} |`;
  });
  return ["| code | origin | HTTP | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

Deno.test("docs/errors.md lists every error code with its HTTP status and meaning", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/errors.md", import.meta.url));
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, `docs/errors.md has the markers ${BEGIN} and ${END}`);
  const table = doc.slice(start + BEGIN.length, end).trim();
  // Compare cell by cell, so `deno fmt`'s column padding does not matter.
  const cells = (text: string) =>
    text.split("\n").map((line) => line.split(/(?<!\\)\|/).map((c) => c.trim()).join("|"))
      .map((line) => /^\|-+\|/.test(line.replaceAll(" ", "")) ? "|---|---|---|---|" : line)
      .map((line) => line.replace(/^\|[-|]+\|$/, "|---|---|---|---|"));
  assert.deepEqual(
    cells(table),
    cells(errorTable()),
    `docs/errors.md is out of date; the table should be:\n${errorTable()}`,
  );
});

if (import.meta.main) console.log(errorTable());

Deno.test("docs/errors.md lists every node-warning code with its meaning", async () => {
  const { NODE_WARNING_CODES } = await import("../../core/errors/warning_codes.ts");
  const doc = await Deno.readTextFile(new URL("../../docs/errors.md", import.meta.url));
  const begin = "<!-- warning codes: begin (checked by tests/docs/errors_doc_test.ts) -->";
  const start = doc.indexOf(begin);
  const end = doc.indexOf("<!-- warning codes: end -->");
  assert.ok(start >= 0 && end > start, "docs/errors.md has the warning codes' markers");
  const rows = doc.slice(start + begin.length, end).trim().split("\n").slice(2)
    .map((line) => line.split("|").map((c) => c.trim()));
  assert.deepEqual(
    rows.map((cells) => [cells[1], cells[3]]),
    Object.entries(NODE_WARNING_CODES).map(([code, meaning]) => [`\`${code}\``, meaning]),
  );
});
