import assert from "node:assert/strict";
import { FilePathConflictError } from "../../core/graph/file_path_conflicts.ts";
import { createRuntime } from "../../processors/mod.ts";

Deno.test("Runtime.start() refuses two writers on one file, naming both nodes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using rt = createRuntime();
    rt.add("TestToneGenerator", {}, { id: "tone" });
    rt.add("WavWriter", { path: `${dir}/take.wav` }, { id: "rec_a" });
    rt.add("WavWriter", { path: `${dir}/./take.wav` }, { id: "rec_b" });
    rt.connectByName("tone", "audio", "rec_a", "in");
    rt.connectByName("tone", "audio", "rec_b", "in");
    await assert.rejects(rt.start(), (error: unknown) => {
      assert.ok(error instanceof FilePathConflictError);
      assert.equal(error.code, "file_path_conflict");
      assert.deepEqual(error.conflicts.map((c) => [c.code, c.writer, c.other]), [
        ["writers-share-path", "rec_b", "rec_a"],
      ]);
      return true;
    });
    assert.equal(rt.state, "stopped");
    await assert.rejects(Deno.stat(`${dir}/take.wav`), Deno.errors.NotFound); // nothing written
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Runtime.start() refuses a writer whose file is the graph's own source file, which stays intact", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/in.wav`;
    const tone = await new Deno.Command("sox", {
      args: [
        "-n",
        "-r",
        "48000",
        "-c",
        "2",
        "-e",
        "floating-point",
        "-b",
        "32",
        path,
        "synth",
        "0.1",
        "sine",
        "440",
      ],
    }).output();
    assert.ok(tone.success, "sox made the input");
    const before = await Deno.readFile(path);
    await using rt = createRuntime();
    rt.add("WavFileSource", { path }, { id: "play" });
    rt.add("WavWriter", { path }, { id: "rec" });
    rt.connectByName("play", "audio", "rec", "in");
    await assert.rejects(rt.start(), (error: unknown) => {
      assert.ok(error instanceof FilePathConflictError);
      assert.equal(error.conflicts[0].code, "writer-overwrites-source");
      assert.match(error.message, /'rec' would write .*in\.wav, which 'play' reads/);
      return true;
    });
    assert.deepEqual(await Deno.readFile(path), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
