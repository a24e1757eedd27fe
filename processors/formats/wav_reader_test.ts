import assert from "node:assert/strict";
import {
  NotWavError,
  TruncatedWavError,
  UnsupportedWavFormatError,
  WavHeaderTooLargeError,
  WavNotFoundError,
  WavNotRegularFileError,
  WavReadError,
} from "./wav_errors.ts";
import { buildWavHeader } from "./wav_format.ts";
import { MAX_WAV_HEADER_CHUNKS, readWavFile, WavReader } from "./wav_reader.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wav_reader_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Builds a RIFF/WAVE file from chunks, padding odd chunk sizes as the spec requires. */
function riff(chunks: [string, Uint8Array, number?][]): Uint8Array {
  const ascii = (text: string) => new TextEncoder().encode(text);
  const parts: Uint8Array[] = [ascii("RIFF"), new Uint8Array(4), ascii("WAVE")];
  for (const [id, body, declared] of chunks) {
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, declared ?? body.length, true);
    parts.push(ascii(id), size, body);
    if (body.length % 2 === 1) parts.push(new Uint8Array(1));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  new DataView(bytes.buffer).setUint32(4, bytes.length - 8, true);
  return bytes;
}

const PCM16_MONO_FMT = buildWavHeader("pcm16", 1, 8_000).bytes.subarray(20, 36);

Deno.test("WavReader.open() skips unknown chunks, including odd-sized padded ones", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/chunks.wav`;
    const data = new Uint8Array(new Int16Array([16384, -16384, 8192]).buffer);
    await Deno.writeFile(
      path,
      riff([
        ["JUNK", new Uint8Array(3)],
        ["fmt ", PCM16_MONO_FMT],
        ["LIST", new TextEncoder().encode("INFOISFT")],
        ["data", data],
        ["id3 ", new Uint8Array(5)],
      ]),
    );
    const { info, samples } = await readWavFile(path);
    assert.equal(info.frameCount, 3);
    assert.equal(info.dataOffset, 12 + 12 + 24 + 16 + 8);
    assert.deepEqual(Array.from(samples), [0.5, -0.5, 0.25]);
  });
});

Deno.test("WavReader.read() reads in blocks and seek() moves between them", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/blocks.wav`;
    const values = new Int16Array(100_000).map((_, i) => i % 30_000);
    await Deno.writeFile(
      path,
      riff([["fmt ", PCM16_MONO_FMT], ["data", new Uint8Array(values.buffer)]]),
    );
    await using reader = await WavReader.open(path);
    const block = new Float32Array(70_000); // larger than the internal 64 KiB buffer
    assert.equal(await reader.read(block), 70_000);
    assert.equal(block[69_999], 9_999 / 32768);
    assert.equal(await reader.read(block), 30_000);
    assert.equal(block[0], 10_000 / 32768);
    assert.equal(await reader.read(block), 0);
    await reader.seek(50);
    assert.equal(reader.position, 50);
    assert.equal(await reader.read(block, 1), 1);
    assert.equal(block[0], 50 / 32768);
    await assert.rejects(reader.read(block, 70_001), RangeError);
    reader.close();
    reader.close();
    await assert.rejects(reader.read(block), {
      name: "WavReadError",
      message: /the reader is closed/,
    });
  });
});

Deno.test("WavReader.open() flags data cut off before its declared size", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/cut.wav`;
    const file = riff([["fmt ", PCM16_MONO_FMT], ["data", new Uint8Array(7), 1000]]);
    await Deno.writeFile(path, file);
    await using reader = await WavReader.open(path);
    assert.equal(reader.info.truncated, true);
    assert.equal(reader.info.frameCount, 4); // 7 bytes + 1 pad byte hold 4 whole frames
  });
});

Deno.test("WavReader.open() reports missing, non-RIFF, truncated and unsupported files", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(WavReader.open(`${dir}/none.wav`), (e) => {
      assert.ok(e instanceof WavNotFoundError && e instanceof WavReadError);
      assert.ok(e.cause instanceof Deno.errors.NotFound);
      assert.equal(e.message, `Cannot read WAV '${dir}/none.wav': file not found`);
      return true;
    });

    await Deno.writeTextFile(`${dir}/text.wav`, "hello world, not audio");
    await assert.rejects(WavReader.open(`${dir}/text.wav`), (e) => {
      assert.ok(e instanceof NotWavError);
      assert.equal(e.found, "'hell'");
      assert.equal(
        e.message,
        `Cannot read WAV '${dir}/text.wav': not a RIFF/WAVE file, found 'hell', expected 'RIFF' .... 'WAVE'`,
      );
      return true;
    });
    await Deno.writeFile(`${dir}/binary.wav`, new Uint8Array([0, 1, 2, 255]));
    await assert.rejects(WavReader.open(`${dir}/binary.wav`), {
      message: /found bytes 00 01 02 ff/,
    });
    await Deno.writeFile(`${dir}/avi.wav`, new TextEncoder().encode("RIFF\0\0\0\0AVI LIST"));
    await assert.rejects(WavReader.open(`${dir}/avi.wav`), {
      message: /found RIFF form type 'AVI '/,
    });

    await Deno.writeFile(`${dir}/short.wav`, new TextEncoder().encode("RIFF\0\0\0"));
    await assert.rejects(WavReader.open(`${dir}/short.wav`), (e) => {
      assert.ok(e instanceof TruncatedWavError);
      assert.deepEqual([e.section, e.expectedBytes, e.actualBytes], ["RIFF header", 12, 7]);
      return true;
    });
    const header = riff([["fmt ", PCM16_MONO_FMT]]);
    await Deno.writeFile(`${dir}/nodata.wav`, header);
    await assert.rejects(WavReader.open(`${dir}/nodata.wav`), {
      name: "TruncatedWavError",
      message:
        `Cannot read WAV '${dir}/nodata.wav': truncated file: no 'data' chunk: expected 8 bytes, found 0`,
    });
    await Deno.writeFile(`${dir}/halffmt.wav`, header.subarray(0, 30));
    await assert.rejects(WavReader.open(`${dir}/halffmt.wav`), {
      name: "TruncatedWavError",
      message: /truncated fmt chunk: expected 16 bytes, found 10/,
    });

    const mp3 = new Uint8Array(PCM16_MONO_FMT);
    mp3[0] = 0x55;
    await Deno.writeFile(`${dir}/mp3.wav`, riff([["fmt ", mp3], ["data", new Uint8Array(4)]]));
    await assert.rejects(WavReader.open(`${dir}/mp3.wav`), UnsupportedWavFormatError);
  });
});

Deno.test("WavReader.open() refuses a FIFO, a folder, a device and a symlink to a FIFO without opening them", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/take.wav`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success, "mkfifo");
    await Deno.symlink(fifo, `${dir}/link.wav`);
    const cases: [string, string][] = [
      [fifo, "FIFO"], // no writer: opening it would block
      [`${dir}/link.wav`, "FIFO"],
      [dir, "directory"],
      ["/dev/zero", "character device"], // never ends
    ];
    for (const [path, found] of cases) {
      await assert.rejects(WavReader.open(path), (e) => {
        assert.ok(e instanceof WavNotRegularFileError && e instanceof WavReadError, path);
        assert.equal(e.code, "not_regular_file");
        assert.equal(e.found, found);
        assert.equal(
          e.message,
          `Cannot read WAV '${path}': it is a ${found}, expected a regular WAV file`,
        );
        return true;
      });
    }
  });
});

Deno.test("WavReader.open() walks at most MAX_WAV_HEADER_CHUNKS chunks before fmt and data", async () => {
  await withTempDir(async (dir) => {
    const filler = Array.from(
      { length: MAX_WAV_HEADER_CHUNKS },
      () => ["junk", new Uint8Array(0)] as [string, Uint8Array],
    );
    const path = `${dir}/junk.wav`;
    await Deno.writeFile(
      path,
      riff([...filler, ["fmt ", PCM16_MONO_FMT], ["data", new Uint8Array(4)]]),
    );
    await assert.rejects(WavReader.open(path), (e) => {
      assert.ok(e instanceof WavHeaderTooLargeError);
      assert.equal(e.code, "wav_header_too_large");
      assert.equal(e.maxChunks, MAX_WAV_HEADER_CHUNKS);
      return true;
    });
    // One chunk fewer of filler: fmt and data are the last two chunks walked.
    await Deno.writeFile(
      path,
      riff([...filler.slice(2), ["fmt ", PCM16_MONO_FMT], ["data", new Uint8Array(4)]]),
    );
    await using reader = await WavReader.open(path);
    assert.equal(reader.info.frameCount, 2);
  });
});

Deno.test("WavReadError subclasses carry a code naming the failure", async () => {
  await withTempDir(async (dir) => {
    const codeOf = (path: string) =>
      WavReader.open(path).then(() => "opened", (e: WavReadError) => e.code);
    await Deno.writeTextFile(`${dir}/text.wav`, "hello world, not audio");
    await Deno.writeFile(`${dir}/short.wav`, new TextEncoder().encode("RIFF\0\0\0"));
    const mp3 = new Uint8Array(PCM16_MONO_FMT);
    mp3[0] = 0x55;
    await Deno.writeFile(`${dir}/mp3.wav`, riff([["fmt ", mp3], ["data", new Uint8Array(4)]]));
    assert.deepEqual(
      await Promise.all(["none", "text", "short", "mp3"].map((n) => codeOf(`${dir}/${n}.wav`))),
      ["wav_not_found", "not_wav", "truncated_wav", "unsupported_wav_format"],
    );
  });
});
