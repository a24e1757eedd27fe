import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CodegenConfigError, loadCodegenConfig } from "./project_config.ts";

function withProject(files: Record<string, string>, test: (root: string) => void) {
  const root = Deno.makeTempDirSync();
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    test(root);
  } finally {
    rmSync(root, { recursive: true });
  }
}

Deno.test("loadCodegenConfig() reads the folders from deno.jsonc, comments and all", () => {
  withProject({
    "deno.jsonc":
      '{\n  // scanned by codegen\n  "streamlib": { "codegen": ["./nodes/", "nodes"] },\n  "fmt": { "lineWidth": 90 } /* width */\n}',
    "nodes/x.ts": "",
  }, (root) => {
    const config = loadCodegenConfig(root);
    assert.deepEqual(config.folders, ["nodes"]);
    assert.equal(config.fmtKey, '{"lineWidth":90}');
  });
});

Deno.test("loadCodegenConfig() says what to add when no folders are configured", () => {
  withProject({ "deno.json": "{}" }, (root) => {
    assert.throws(
      () => loadCodegenConfig(root),
      (e: unknown) =>
        e instanceof CodegenConfigError && e.code === "codegen_folders_missing" &&
        e.message.includes('add "streamlib": { "codegen": ["processors"] } to'),
    );
  });
});

Deno.test("loadCodegenConfig() takes folders from arguments and rejects missing ones", () => {
  withProject({ "deno.json": "{}", "mine/a.ts": "" }, (root) => {
    assert.deepEqual(loadCodegenConfig(root, ["mine"]).folders, ["mine"]);
    assert.throws(
      () => loadCodegenConfig(root, ["theirs"]),
      (e: unknown) =>
        e instanceof CodegenConfigError && e.code === "codegen_folder_not_found" &&
        /Cannot scan 'theirs': no such folder; the folders to scan are relative to /.test(
          e.message,
        ),
    );
  });
});

Deno.test("loadCodegenConfig() refuses codegen folders that are not an array of names", () => {
  for (const value of ['"processors"', "[1]", "{}", "null"]) {
    withProject({ "deno.json": `{ "streamlib": { "codegen": ${value} } }` }, (root) => {
      assert.throws(
        () => loadCodegenConfig(root),
        (e: unknown) =>
          e instanceof CodegenConfigError && e.code === "codegen_config_invalid" &&
          e.message.includes('must be an array of folder names, such as ["processors"], got'),
        value,
      );
    });
  }
});
