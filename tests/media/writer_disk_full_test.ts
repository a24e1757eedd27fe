/**
 * WAV and Y4M writers on a file that cannot grow (a full disk, simulated with `ulimit -f` so no
 * root is needed: writes past the limit fail with EFBIG as they would with ENOSPC), on a missing
 * folder and on a path below a file: a typed error (`write_failed`) naming the file, and a file
 * that ends at its last whole frame, which SoX and FFmpeg read.
 */
import assert from "node:assert/strict";
import { RecordingWriteError } from "../../processors/formats/writer_errors.ts";
import { WavWriter } from "../../processors/formats/wav_writer.ts";
import { Y4mWriter } from "../../processors/formats/y4m_writer.ts";
import { run, withTempDir } from "./media_tools.ts";

const LIMIT_KIB = 64;

/** Writes until the system refuses, in a child limited to LIMIT_KIB KiB per file. */
const CHILD = `
const [wavPath, y4mPath] = Deno.args;
const { WavWriter } = await import(${
  JSON.stringify(import.meta.resolve("../../processors/formats/wav_writer.ts"))
});
const { Y4mWriter } = await import(${
  JSON.stringify(import.meta.resolve("../../processors/formats/y4m_writer.ts"))
});
const report = {};
const wav = await WavWriter.create(wavPath, { sampleRate: 8000, channels: 1 });
const block = new Float32Array(333).fill(0.25); // 666 bytes: the limit falls inside a block
try {
  for (;;) await wav.write(block);
} catch (error) {
  report.wav = { code: error.code, message: error.message, frames: wav.framesWritten };
  try { await wav.write(block); } catch { /* still full */ }
}
await wav.close();
const y4m = await Y4mWriter.create(y4mPath, { width: 64, height: 48 });
const frame = new Uint8Array(y4m.frameByteLength).fill(128);
try {
  for (;;) await y4m.writeFrame(frame);
} catch (error) {
  report.y4m = { code: error.code, message: error.message, frames: y4m.framesWritten };
}
await y4m.close();
console.log(JSON.stringify(report));
`;

Deno.test("WavWriter and Y4mWriter past a full disk: write_failed, the file cut to its last whole frame", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/child.ts`, CHILD);
    const wav = `${dir}/take.wav`;
    const y4m = `${dir}/take.y4m`;
    const deno = Deno.execPath();
    // SIGXFSZ ignored (inherited across exec), so a write past the limit fails with EFBIG.
    const script = `trap '' XFSZ; ulimit -f ${LIMIT_KIB}; exec "$0" run -A "$1" "$2" "$3"`;
    const out = await run("bash", ["-c", script, deno, `${dir}/child.ts`, wav, y4m]);
    const report = JSON.parse(out.text);

    const wavFrames = Math.floor((LIMIT_KIB * 1024 - 44) / 666) * 333; // whole blocks that fit
    assert.equal(report.wav.code, "write_failed");
    assert.equal(report.wav.frames, wavFrames);
    assert.equal(
      report.wav.message,
      `Cannot record to '${wav}': writing frames after the first ${wavFrames} failed: File too large (os error 27)`,
    );
    // Before, the part of the block that fitted stayed in the file past the data chunk.
    assert.equal((await Deno.stat(wav)).size, 44 + wavFrames * 2);
    assert.equal((await run("sox", ["--i", "-s", wav])).text.trim(), `${wavFrames}`);

    const frameBytes = 6 + 64 * 48 * 1.5;
    const header = "YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n".length;
    const y4mFrames = Math.floor((LIMIT_KIB * 1024 - header) / frameBytes);
    assert.equal(report.y4m.code, "write_failed");
    assert.equal(report.y4m.frames, y4mFrames);
    assert.match(
      report.y4m.message,
      new RegExp(`writing frame ${y4mFrames} failed: File too large`),
    );
    assert.equal((await Deno.stat(y4m)).size, header + y4mFrames * frameBytes);
    const probe = await run("ffprobe", [
      "-v",
      "error",
      "-count_frames",
      "-show_entries",
      "stream=nb_read_frames",
      "-of",
      "csv=p=0",
      y4m,
    ]);
    assert.equal(probe.text.trim(), `${y4mFrames}`);
  });
});

Deno.test("WavWriter and Y4mWriter name a missing folder and a path below a file, with write_failed", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    const cases = [
      [`${dir}/no/such/take`, "creating it failed: its folder does not exist"],
      [`${dir}/file/take`, "creating it failed: a folder in its path is a file"],
    ] as const;
    for (const [base, reason] of cases) {
      for (
        const create of [
          () => WavWriter.create(`${base}.wav`, { sampleRate: 8000, channels: 1 }),
          () => Y4mWriter.create(`${base}.y4m`, { width: 2, height: 2 }),
        ]
      ) {
        await assert.rejects(create, (e) => {
          assert.ok(e instanceof RecordingWriteError, String(e));
          assert.equal(e.code, "write_failed");
          assert.match(
            e.message,
            new RegExp(`^Cannot record to '${base}\\.(wav|y4m)': ${reason}$`),
          );
          return true;
        });
      }
    }
  });
});
