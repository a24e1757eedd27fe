import assert from "node:assert/strict";
import { run } from "./media_tools.ts";

Deno.test("run() of a tool that is not installed fails loudly, naming it and the install script", async () => {
  await assert.rejects(
    run("streamlib-no-such-tool", ["--version"]),
    /'streamlib-no-such-tool' is not installed; this test needs it: run 'bash scripts\/install_test_deps\.sh'/,
  );
});

Deno.test("run() of a tool that fails names the command line, the exit code and its stderr", async () => {
  await assert.rejects(
    run("sh", ["-c", "echo broken >&2; exit 3"]),
    /'sh -c .*' exited with 3: broken/,
  );
});
