import assert from "node:assert/strict";
import { TruncatedY4mFrameError, Y4mHeaderError, Y4mNotFoundError } from "./_y4m_errors.ts";
import { Y4mReader } from "./y4m_reader.ts";
import { Y4mWriter } from "./y4m_writer.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "y4m_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const encode = (text: string) => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

Deno.test("Y4mWriter.writeFrame() and Y4mReader.readFrame() round-trip frames", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/round.y4m`;
    const writer = await Y4mWriter.create(path, {
      width: 6,
      height: 4,
      frameRate: { numerator: 30000, denominator: 1001 },
      interlace: "t",
      colorspace: "420mpeg2",
    });
    const frames = Array.from(
      { length: 3 },
      (_, n) => new Uint8Array(36).map((_, i) => (i * 7 + n) & 255),
    );
    await Promise.all(frames.map((f) => writer.writeFrame(f))); // queued in order
    await writer.close();
    assert.equal(writer.framesWritten, 3);

    await using reader = await Y4mReader.open(path);
    assert.deepEqual(reader.header.frameRate, { numerator: 30000, denominator: 1001 });
    assert.equal(reader.header.interlace, "t");
    assert.equal(reader.header.colorspace, "420mpeg2");
    assert.equal(reader.frameByteLength, 36);
    const out = new Uint8Array(40); // longer buffers are fine
    for (const frame of frames) {
      assert.equal(await reader.readFrame(out), true);
      assert.deepEqual(out.subarray(0, 36), frame);
    }
    assert.equal(await reader.readFrame(out), false);
    assert.equal(reader.framesRead, 3);
  });
});

Deno.test("Y4mReader.readFrame() skips frame parameters and handles odd sizes", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/params.y4m`;
    const pixels = new Uint8Array(9 + 2 * 4).fill(77);
    await Deno.writeFile(
      path,
      concat(
        encode("YUV4MPEG2 W3 H3 F1:1\n"),
        encode("FRAME Ixyz\n"),
        pixels,
        encode("FRAME\n"),
        pixels,
      ),
    );
    await using reader = await Y4mReader.open(path);
    const out = new Uint8Array(reader.frameByteLength);
    assert.equal(await reader.readFrame(out), true);
    assert.deepEqual(out, pixels);
    assert.equal(await reader.readFrame(out), true);
    assert.equal(await reader.readFrame(out), false);
  });
});

Deno.test("Y4mReader reports missing files, bad headers and truncated frames", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(Y4mReader.open(`${dir}/none.y4m`), Y4mNotFoundError);

    await Deno.writeFile(`${dir}/wav.y4m`, encode("RIFF\0\0\0\0WAVEfmt "));
    await assert.rejects(Y4mReader.open(`${dir}/wav.y4m`), {
      name: "Y4mHeaderError",
      message: /not a YUV4MPEG2 stream, found 'RIFF/,
    });
    await Deno.writeFile(`${dir}/nonewline.y4m`, encode("YUV4MPEG2 W2 H2 F1:1"));
    await assert.rejects(Y4mReader.open(`${dir}/nonewline.y4m`), {
      name: "Y4mHeaderError",
      message: /stream header has no newline in its first 20 bytes/,
    });

    const header = encode("YUV4MPEG2 W4 H2 F1:1\n");
    await Deno.writeFile(
      `${dir}/cut.y4m`,
      concat(header, encode("FRAME\n"), new Uint8Array(12), encode("FRAME\n"), new Uint8Array(5)),
    );
    await using cut = await Y4mReader.open(`${dir}/cut.y4m`);
    const out = new Uint8Array(12);
    assert.equal(await cut.readFrame(out), true);
    await assert.rejects(cut.readFrame(out), (e) => {
      assert.ok(e instanceof TruncatedY4mFrameError);
      assert.deepEqual([e.frameIndex, e.expectedBytes, e.actualBytes], [1, 12, 5]);
      assert.equal(
        e.message,
        `Cannot read Y4M '${dir}/cut.y4m': frame 1 is truncated: expected 12 pixels bytes, found 5`,
      );
      return true;
    });

    await Deno.writeFile(`${dir}/cuthead.y4m`, concat(header, encode("FRA")));
    await using cuthead = await Y4mReader.open(`${dir}/cuthead.y4m`);
    await assert.rejects(cuthead.readFrame(out), {
      name: "TruncatedY4mFrameError",
      message: /frame 0 is truncated: expected 6 header bytes, found 3/,
    });

    await Deno.writeFile(
      `${dir}/garbage.y4m`,
      concat(header, encode("FRAMX\n"), new Uint8Array(12)),
    );
    await using garbage = await Y4mReader.open(`${dir}/garbage.y4m`);
    await assert.rejects(garbage.readFrame(out), (e) => {
      assert.ok(e instanceof Y4mHeaderError);
      assert.match(e.message, /frame 0 does not start with 'FRAME', found "FRAMX\\n"/);
      return true;
    });
    await assert.rejects(garbage.readFrame(new Uint8Array(3)), RangeError);
  });
});
