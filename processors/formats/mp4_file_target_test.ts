import assert from "node:assert/strict";
import { openMp4FileTarget, partialPath } from "./mp4_file_target.ts";

Deno.test("openMp4FileTarget writes <path>.partial; complete() moves it to path once, remove() deletes whichever exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/take.mp4`;
    await Deno.writeTextFile(path, "older");
    const file = await openMp4FileTarget(path);
    assert.ok((await Deno.stat(partialPath(path))).isFile);
    assert.equal(await Deno.readTextFile(path), "older", "untouched until the recording plays");
    await file.complete();
    await file.complete(); // idempotent
    await assert.rejects(() => Deno.stat(partialPath(path)), Deno.errors.NotFound);
    assert.equal((await Deno.stat(path)).size, 0, "the new recording replaced the older file");
    await file.remove();
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);

    const empty = await openMp4FileTarget(`${dir}/empty.mp4`);
    await empty.remove(); // a recording that received nothing leaves nothing
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
