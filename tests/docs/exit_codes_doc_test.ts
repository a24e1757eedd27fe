/**
 * Every exit code docs/limits.md gives for a manifest file's code is the one the CLI returns
 * (`ManifestFileError.exitCode`), and docs/cli.md's table puts each in the same row.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManifestFileError, type ManifestFileErrorCode } from "../../cli/_manifest_file.ts";

const FILE_CODES: ManifestFileErrorCode[] = [
  "not_found",
  "not_regular_file",
  "unreadable",
  "too_large",
  "not_utf8",
  "not_json",
  "too_deep",
];

Deno.test("docs/limits.md gives each manifest file code the exit code the CLI returns", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/limits.md", import.meta.url));
  let checked = 0;
  for (const line of doc.split("\n")) {
    for (const code of FILE_CODES) {
      // A row that names the code and an exit code right after it: "`too_large`, exit 1",
      // "`too_deep` (file, exit 1)".
      const match = line.match(new RegExp("`" + code + "`[^|]*?exit (\\d)"));
      if (!match) continue;
      const actual = new ManifestFileError(code, "p.json", "m").exitCode;
      assert.equal(Number(match[1]), actual, `docs/limits.md says ${code} exits ${match[1]}`);
      checked++;
    }
  }
  assert.ok(checked >= 3, `only ${checked} exit codes found in docs/limits.md`);
});

Deno.test("docs/cli.md's exit code table puts a too-large file under 1 and a non-regular one under 2", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/cli.md", import.meta.url));
  const row = (n: number) => doc.split("\n").find((l) => l.startsWith(`| ${n} `)) ?? "";
  const under = (code: ManifestFileErrorCode) => new ManifestFileError(code, "p", "m").exitCode;
  assert.equal(under("too_large"), 1);
  assert.match(row(1), /over 4 MiB/);
  assert.equal(under("not_regular_file"), 2);
  assert.match(row(2), /not a regular file/);
  assert.equal(under("not_found"), 2);
  assert.match(row(2), /missing/);
});
