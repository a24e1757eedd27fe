import assert from "node:assert/strict";
import { ImageLoadError } from "./error.ts";
import { readImageSource } from "./source.ts";

const isCode = (code: string) => (e: unknown) => e instanceof ImageLoadError && e.code === code;

Deno.test("readImageSource() reads a path and a file: URL, and refuses a missing file, a folder and another scheme", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.png`;
    await Deno.writeFile(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual(Array.from(await readImageSource(path)), [1, 2, 3]);
    assert.deepEqual(Array.from(await readImageSource(`file://${path}`)), [1, 2, 3]);
    await assert.rejects(readImageSource(`${dir}/none.png`), isCode("image_not_found"));
    await assert.rejects(readImageSource(dir), isCode("image_not_found"));
    await assert.rejects(
      readImageSource("ftp://example.invalid/a.png"),
      (e) =>
        isCode("image_not_found")(e) &&
        /valid: a file path, a file: URL/.test((e as Error).message),
    );
    await assert.rejects(readImageSource(path, { maxBytes: 2 }), isCode("image_too_large"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readImageSource() fetches http:, and refuses an HTTP error, a body over the limit and a server that never answers", async () => {
  const stalled: (() => void)[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/ok.png") return new Response(new Uint8Array([7, 8]));
    if (path === "/big.png") return new Response(new Uint8Array(100));
    if (path === "/never.png") {
      return new Promise((resolve) => stalled.push(() => resolve(new Response("late"))));
    }
    return new Response("no", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  assert.deepEqual(Array.from(await readImageSource(`${base}/ok.png`)), [7, 8]);
  await assert.rejects(
    readImageSource(`${base}/missing.png`),
    (e) => isCode("image_not_found")(e) && /HTTP 404/.test((e as Error).message),
  );
  await assert.rejects(
    readImageSource(`${base}/big.png`, { maxBytes: 10 }),
    isCode("image_too_large"),
  );
  await assert.rejects(
    readImageSource(`${base}/never.png`, { timeoutMs: 200 }),
    isCode("image_not_found"),
  );
  for (const answer of stalled) answer();
});
