import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ImportMapResolver } from "./import_map.ts";

Deno.test("ImportMapResolver maps exact names, the longest prefix, file URLs and the package's own name", () => {
  const root = Deno.makeTempDirSync();
  try {
    mkdirSync(join(root, "src/deep"), { recursive: true });
    writeFileSync(
      join(root, "deno.jsonc"),
      `// comment
      {
        "name": "@me/pkg",
        "exports": { ".": "./mod.ts", "./extra": "./extra/mod.ts" },
        "imports": {
          "std/": "./vendor/std/",
          "std/fs/": "./vendor/fs/",
          "url": "${pathToFileURL(join(root, "by_url.ts")).href}",
          "remote": "jsr:@someone/remote@1",
          "npm-thing": "npm:thing@1"
        }
      }`,
    );
    const from = join(root, "src/deep/a.ts");
    const maps = new ImportMapResolver();
    const path = (specifier: string) => maps.resolve(specifier, from).path;
    assert.equal(path("std/path.ts"), join(root, "vendor/std/path.ts"));
    assert.equal(path("std/fs/copy.ts"), join(root, "vendor/fs/copy.ts"));
    assert.equal(path("url"), join(root, "by_url.ts"));
    assert.equal(path("@me/pkg"), join(root, "mod.ts"));
    assert.equal(path("@me/pkg/extra"), join(root, "extra/mod.ts"));
    assert.equal(path("@me/pkg/missing"), undefined);
    assert.equal(path("remote"), undefined);
    assert.equal(path("npm-thing"), undefined);
    assert.equal(maps.resolve("remote", from).configFile, join(root, "deno.jsonc"));
    assert.equal(maps.changedOnDisk(), false);
    writeFileSync(join(root, "deno.jsonc"), "{}");
    assert.equal(maps.changedOnDisk(), true);
  } finally {
    rmSync(root, { recursive: true });
  }
});

Deno.test("ImportMapResolver.isBare() tells bare specifiers from paths and URLs", () => {
  for (const specifier of ["@streamlib/streamlib", "lib/x.ts", "preact"]) {
    assert.equal(ImportMapResolver.isBare(specifier), true, specifier);
  }
  for (const specifier of ["./x.ts", "../x.ts", "/abs/x.ts", "npm:x", "jsr:@a/b", "node:fs"]) {
    assert.equal(ImportMapResolver.isBare(specifier), false, specifier);
  }
});
