import assert from "node:assert/strict";
import { readWavFile } from "./wav_reader.ts";
import { WavWriter } from "./wav_writer.ts";
import { WriterClosedError } from "./writer_closed_error.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wav_writer_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function u32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
}

Deno.test("WavWriter.write() round-trips 16-bit PCM and 32-bit float", async () => {
  await withTempDir(async (dir) => {
    const samples = new Float32Array(3 * 100).map((_, i) => Math.sin(i / 7) * 0.9);
    for (const sampleFormat of ["pcm16", "float32"] as const) {
      const path = `${dir}/${sampleFormat}.wav`;
      const writer = await WavWriter.create(path, {
        sampleRate: 22_050,
        channels: 3,
        sampleFormat,
      });
      await writer.write(samples.subarray(0, 150));
      await writer.write(samples.subarray(150));
      await writer.close();
      const { info, samples: read } = await readWavFile(path);
      assert.equal(info.sampleRate, 22_050);
      assert.equal(info.channels, 3);
      assert.equal(info.frameCount, 100);
      assert.equal(info.truncated, false);
      const tolerance = sampleFormat === "pcm16" ? 1 / 32768 : 0;
      for (let i = 0; i < samples.length; i++) {
        assert.ok(Math.abs(read[i] - samples[i]) <= tolerance, `${sampleFormat} sample ${i}`);
      }
    }
  });
});

Deno.test("WavWriter.write() patches the header sizes before it resolves", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/live.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8_000,
      channels: 2,
      sampleFormat: "float32",
    });
    let header = await Deno.readFile(path);
    assert.equal(u32(header, 54), 0); // data size of an empty float file (58-byte header)
    await writer.write(new Float32Array(2 * 10));
    header = await Deno.readFile(path);
    assert.equal(header.length, 58 + 80);
    assert.equal(u32(header, 4), 58 - 8 + 80); // RIFF size
    assert.equal(u32(header, 46), 10); // fact: sample frames
    assert.equal(u32(header, 54), 80); // data size
    await writer.close();
  });
});

Deno.test("WavWriter patchIntervalFrames defers header updates until the interval or close()", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/batched.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8_000,
      channels: 1,
      patchIntervalFrames: 100,
    });
    const block = new Float32Array(40);
    await writer.write(block);
    await writer.write(block);
    assert.equal(u32(await Deno.readFile(path), 40), 0);
    await writer.write(block); // 120 frames since the last patch
    assert.equal(u32(await Deno.readFile(path), 40), 240);
    await writer.write(block);
    await writer.flush();
    assert.equal(u32(await Deno.readFile(path), 40), 320);
    await writer.write(block);
    await writer.close();
    assert.equal(u32(await Deno.readFile(path), 40), 400);
  });
});

Deno.test("WavWriter.write() runs unawaited calls in order", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/queued.wav`;
    const writer = await WavWriter.create(path, {
      sampleRate: 8_000,
      channels: 1,
      sampleFormat: "float32",
    });
    const blocks = Array.from({ length: 20 }, (_, i) => new Float32Array(64).fill(i / 20));
    await Promise.all(blocks.map((b) => writer.write(b)));
    await writer.close();
    const { samples } = await readWavFile(path);
    assert.equal(samples.length, 20 * 64);
    for (let i = 0; i < 20; i++) assert.equal(samples[i * 64], Math.fround(i / 20));
  });
});

Deno.test("WavWriter.close() is idempotent and later writes reject with WriterClosedError", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/closed.wav`;
    const writer = await WavWriter.create(path, { sampleRate: 8_000, channels: 1 });
    const pending = writer.write(new Float32Array(8)); // queued before close: still written
    const first = writer.close();
    assert.equal(writer.close(), first);
    await pending;
    await first;
    await writer.close();
    assert.ok(writer.closed);
    await assert.rejects(writer.write(new Float32Array(8)), (e) => {
      assert.ok(e instanceof WriterClosedError);
      assert.equal(e.format, "WAV");
      assert.equal(e.path, path);
      assert.equal(e.message, `Cannot write WAV '${path}': the writer is closed`);
      return true;
    });
    await assert.rejects(writer.flush(), WriterClosedError);
    assert.equal((await readWavFile(path)).info.frameCount, 8);
  });
});

Deno.test("WavWriter rejects bad options and blocks that do not fit", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(WavWriter.create(`${dir}/a.wav`, { sampleRate: 0, channels: 1 }), {
      name: "RangeError",
      message: `Cannot create WAV '${dir}/a.wav': sampleRate must be a positive integer, got 0`,
    });
    await assert.rejects(
      WavWriter.create(`${dir}/b.wav`, {
        sampleRate: 8_000,
        channels: 1,
        sampleFormat: "pcm24" as never,
      }),
      RangeError,
    );
    await assert.rejects(
      WavWriter.create(`${dir}/no/such/dir.wav`, { sampleRate: 8_000, channels: 1 }),
      { name: "RecordingWriteError", code: "write_failed" },
    );
    await using writer = await WavWriter.create(`${dir}/c.wav`, { sampleRate: 8_000, channels: 2 });
    await assert.rejects(writer.write(new Float32Array(4), 3), {
      name: "RangeError",
      message: `Cannot write WAV '${dir}/c.wav': 3 frames of 2 channels do not fit in 4 samples`,
    });
  });
});
