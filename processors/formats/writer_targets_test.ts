import assert from "node:assert/strict";
import { WavWriter } from "./wav_writer.ts";
import { Y4mWriter } from "./y4m_writer.ts";
import { openMp4FileTarget } from "./mp4_file_target.ts";
import { NotRegularFileTargetError } from "./writer_errors.ts";

async function mkfifo(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(made.success, "mkfifo");
}

/** Each writer's create/open, given a path. */
const WRITERS: Record<string, (path: string) => Promise<unknown>> = {
  wav: (path) => WavWriter.create(path, { sampleRate: 48_000, channels: 2 }),
  y4m: (path) =>
    Y4mWriter.create(path, { width: 4, height: 2, frameRate: { numerator: 30, denominator: 1 } }),
  mp4: (path) => openMp4FileTarget(path),
};

Deno.test("Every file writer refuses a FIFO (no reader: the open would block), a device and a socket path with not_regular_file, at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/pipe`;
    await mkfifo(fifo);
    await Deno.symlink(fifo, `${dir}/link`);
    using socket = Deno.listen({ transport: "unix", path: `${dir}/sock` });
    const cases = [
      [fifo, "FIFO"],
      [`${dir}/link`, "FIFO"],
      ["/dev/zero", "character device"],
      [`${dir}/sock`, "socket"],
    ];
    for (const [name, create] of Object.entries(WRITERS)) {
      for (const [path, found] of cases) {
        const started = performance.now();
        await assert.rejects(create(path), (error: unknown) => {
          assert.ok(error instanceof NotRegularFileTargetError, `${name} ${path}: ${error}`);
          assert.equal(error.code, "not_regular_file");
          assert.equal(error.found, found);
          assert.match(error.message, new RegExp(`it is a ${found}`));
          return true;
        });
        assert.ok(performance.now() - started < 1000, `${name} ${path} answered at once`);
      }
    }
    assert.ok((await Deno.lstat(fifo)).isFifo, "the FIFO is still there, not replaced");
    void socket;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
