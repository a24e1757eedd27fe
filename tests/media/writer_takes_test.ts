/**
 * One rule for every file writer (issue 14, item 9): the first take goes to `path`, each later
 * take of the same node (the graph started again) to the first free `<name>-N<ext>`, so no writer
 * truncates what it recorded before.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { createRuntime } from "../../processors/mod.ts";
import { withTempDir } from "./media_tools.ts";

const WRITERS = [
  { type: "WavWriter", source: "TestToneGenerator", from: "audio", to: "in", ext: "wav" },
  { type: "Y4mWriter", source: "TestPattern", from: "video", to: "in", ext: "y4m" },
  { type: "Mp4Writer", source: "TestToneGenerator", from: "audio", to: "audio", ext: "mp4" },
] as const;

for (const { type, source, from, to, ext } of WRITERS) {
  Deno.test(`${type} started three times records take.${ext}, take-1.${ext}, take-2.${ext} and never rewrites an earlier take`, async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, `take.${ext}`);
      await using rt = createRuntime();
      rt.add(source, {}, { id: "src" });
      rt.add(type, { path }, { id: "rec" });
      rt.connectByName("src", from, "rec", to);
      const takes = [path, join(dir, `take-1.${ext}`), join(dir, `take-2.${ext}`)];
      const seen: Uint8Array[] = [];
      for (let n = 0; n < 3; n++) {
        await rt.start();
        await new Promise((resolve) => setTimeout(resolve, 150));
        await rt.stop();
        seen.push(await Deno.readFile(takes[n]));
        for (let k = 0; k < n; k++) {
          assert.deepEqual(await Deno.readFile(takes[k]), seen[k], `take ${k} unchanged`);
        }
      }
      const names = [];
      for await (const entry of Deno.readDir(dir)) names.push(entry.name);
      assert.deepEqual(names.sort(), [`take-1.${ext}`, `take-2.${ext}`, `take.${ext}`]);
      assert.ok(seen.every((bytes) => bytes.length > 100), "each take holds media");
    });
  });
}
