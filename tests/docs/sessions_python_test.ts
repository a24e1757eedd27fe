/**
 * docs/sessions.md's Python examples that talk to the server of its steps 1 and 2 run as they are
 * against that server: the manifest of step 1 (read from the page), served with and without step
 * 2's token file, the address changed to the test's port. A newcomer found two of them failing
 * (`parameters` the page's manifest did not declare) while the TypeScript ones passed: these were
 * never run. Needs `python3` with the `websockets` package (scripts/install_test_deps.sh).
 */

import assert from "node:assert/strict";
import { loadCatalog, serveSessions, TokenPolicy } from "../../serve/mod.ts";

const PAGE = new URL("../../docs/sessions.md", import.meta.url);
const PACKAGE = new URL("../../clients/python/src", import.meta.url).pathname;
const ADDRESS = "ws://127.0.0.1:8080/v1/sessions";

Deno.test("docs/sessions.md: the Python examples against the page's own server run", async () => {
  const page = await Deno.readTextFile(PAGE);
  const manifest = /cat > pipelines\/voice-fx\.json <<'JSON'\n([\s\S]*?)\nJSON\n/.exec(page)?.[1];
  assert.ok(manifest, "step 1's manifest is on the page");
  const tokenFile = /echo '(\{ "tokens": [^']*\})' > tokens\.json/.exec(page)?.[1];
  assert.ok(tokenFile, "step 2's token file is on the page");
  const blocks = [...page.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1])
    .filter((block) => block.includes(ADDRESS));
  assert.ok(blocks.length >= 3, `${blocks.length} Python examples use the page's server`);

  const folder = await Deno.makeTempDir();
  await Deno.writeTextFile(`${folder}/voice-fx.json`, manifest);
  const catalog = await loadCatalog(folder);
  const open = await serveSessions({ catalog, port: 0 });
  const withTokens = await serveSessions({
    catalog,
    port: 0,
    tokens: new TokenPolicy(JSON.parse(tokenFile)),
  });
  try {
    for (const block of blocks) {
      const server = block.includes("token=") ? withTokens : open;
      const script = block.replaceAll(ADDRESS, server.sessionsUrl);
      let output: Deno.CommandOutput;
      try {
        output = await new Deno.Command("python3", {
          args: ["-c", script],
          env: { PYTHONPATH: PACKAGE, PYTHONDONTWRITEBYTECODE: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
      } catch (error) {
        throw new Error(`python3 is needed for this test: ${(error as Error).message}`);
      }
      const text = new TextDecoder();
      assert.equal(
        output.code,
        0,
        `${block}\nfailed:\n${text.decode(output.stdout)}${text.decode(output.stderr)}`,
      );
    }
  } finally {
    await open.close();
    await withTokens.close();
    await Deno.remove(folder, { recursive: true });
  }
});
