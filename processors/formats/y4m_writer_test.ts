import assert from "node:assert/strict";
import { Y4mWriter } from "./y4m_writer.ts";
import { WriterClosedError } from "./writer_closed_error.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "y4m_writer_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Y4mWriter.create() writes the stream header with every parameter", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/header.y4m`;
    const writer = await Y4mWriter.create(path, {
      width: 6,
      height: 4,
      frameRate: { numerator: 30000, denominator: 1001 },
      pixelAspect: { numerator: 4, denominator: 3 },
      interlace: "b",
      colorspace: "420",
    });
    await writer.writeFrame(new Uint8Array(40).fill(9)); // only the first 36 bytes are written
    await writer.close();
    const bytes = await Deno.readFile(path);
    const header = "YUV4MPEG2 W6 H4 F30000:1001 Ib A4:3 C420\nFRAME\n";
    assert.equal(new TextDecoder().decode(bytes.subarray(0, header.length)), header);
    assert.equal(bytes.length, header.length + 36);
  });
});

Deno.test("Y4mWriter rejects bad options, short frames and writes after close()", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(Y4mWriter.create(`${dir}/a.y4m`, { width: 0, height: 2 }), {
      name: "RangeError",
      message: `Cannot create Y4M '${dir}/a.y4m': width must be an integer from 1 to 65536, got 0`,
    });
    await assert.rejects(
      Y4mWriter.create(`${dir}/b.y4m`, {
        width: 2,
        height: 2,
        frameRate: { numerator: 0, denominator: 1 },
      }),
      { message: /frameRate must be a ratio of positive integers, got 0:1/ },
    );
    const writer = await Y4mWriter.create(`${dir}/c.y4m`, { width: 2, height: 2 });
    await assert.rejects(writer.writeFrame(new Uint8Array(5)), {
      name: "RangeError",
      message: `Cannot write Y4M '${dir}/c.y4m': the frame has 5 bytes, expected 6 for 2x2 I420`,
    });
    const closing = writer.close();
    assert.equal(writer.close(), closing);
    await closing;
    await assert.rejects(writer.writeFrame(new Uint8Array(6)), WriterClosedError);
  });
});
