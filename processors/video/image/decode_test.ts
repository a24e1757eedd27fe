import assert from "node:assert/strict";
import { encode } from "fast-png";
import { join } from "node:path";
import { psnr } from "../psnr.ts";
import { decodeImage, MAX_IMAGE_SIDE } from "./decode.ts";
import { ImageLoadError } from "./error.ts";

/** Runs ffmpeg (an independent encoder and decoder), failing loudly where it is missing. */
async function ffmpeg(...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
}

/** A test picture written by ffmpeg in `pixFmt` (7x5 unless told), and ffmpeg's decode of it as RGBA. */
async function fixture(dir: string, file: string, pixFmt: string, size = "7x5") {
  const path = join(dir, file);
  const source = [
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${size}:rate=1,format=rgba,geq=` +
    "r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='X*36'",
    "-frames:v",
    "1",
  ];
  await ffmpeg(...source, "-pix_fmt", pixFmt, path);
  await ffmpeg("-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", `${path}.rgba`);
  return { bytes: await Deno.readFile(path), rgba: await Deno.readFile(`${path}.rgba`) };
}

/** A PNG with a chunk put before its first IDAT (fast-png writes no tRNS for grey). */
function withChunk(png: Uint8Array, type: string, body: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + body.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, body.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(body, 8);
  view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
  const at = 8 + 25; // the signature and IHDR
  return new Uint8Array([...png.subarray(0, at), ...chunk, ...png.subarray(at)]);
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

const isCode = (code: string) => (e: unknown) => e instanceof ImageLoadError && e.code === code;

Deno.test("decodeImage() reads every PNG colour type and depth ffmpeg writes, as ffmpeg does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const pixFmt of ["rgba", "rgb24", "gray", "monob", "pal8", "ya8", "rgba64be", "gray16be"]
    ) {
      const { bytes, rgba } = await fixture(dir, `${pixFmt}.png`, pixFmt);
      const picture = decodeImage(bytes, `${pixFmt}.png`);
      assert.deepEqual([picture.width, picture.height], [7, 5], pixFmt);
      if (pixFmt.includes("16") || pixFmt.includes("64")) {
        // ffmpeg's 16-to-8 conversion rounds its own way: within 1 of the specification's.
        assert.ok(picture.data.every((v, i) => Math.abs(v - rgba[i]) <= 1), pixFmt);
      } else assert.deepEqual(picture.data, rgba, pixFmt);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeImage() keeps PNG alpha straight: colour untouched where alpha is 0 or partial", () => {
  const data = new Uint8Array([200, 100, 50, 0, 200, 100, 50, 1, 200, 100, 50, 128]);
  const picture = decodeImage(encode({ width: 3, height: 1, data, channels: 4, depth: 8 }), "a");
  assert.deepEqual(picture.data, data);
});

Deno.test("decodeImage() makes the tRNS colour of a grey PNG transparent", () => {
  const plain = encode({
    width: 2,
    height: 1,
    data: new Uint8Array([10, 20]),
    channels: 1,
    depth: 8,
  });
  const png = withChunk(plain, "tRNS", new Uint8Array([0, 20])); // grey 20 is transparent
  assert.deepEqual(Array.from(decodeImage(png, "key").data), [10, 10, 10, 255, 20, 20, 20, 0]);
});

// ffmpeg's decoder differs from libjpeg-turbo's at odd sizes in 4:2:0 (jpeg-js agrees with
// libjpeg-turbo there, 47 dB), so 4:2:0 is compared at an even size.
Deno.test("decodeImage() decodes ffmpeg's JPEGs (4:4:4 at 7x5, 4:2:0 at 8x6) within 40 dB of ffmpeg's decoder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [pixFmt, size] of [["yuvj444p", "7x5"], ["yuvj420p", "8x6"]]) {
      const { bytes, rgba } = await fixture(dir, `${pixFmt}.jpg`, pixFmt, size);
      const picture = decodeImage(bytes, "j");
      assert.equal(`${picture.width}x${picture.height}`, size);
      assert.ok(picture.data.every((v, i) => i % 4 !== 3 || v === 255), "JPEG is opaque");
      const db = psnr(rgba, picture.data);
      assert.ok(db >= 40, `${pixFmt}: ${db.toFixed(1)} dB`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeImage() refuses every truncation of a PNG and a JPEG with image_invalid", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const file of ["t.png", "t.jpg"]) {
      const { bytes } = await fixture(dir, file, file.endsWith(".png") ? "rgba" : "yuvj420p");
      for (let n = file.endsWith(".png") ? 8 : 3; n < bytes.length; n++) {
        assert.throws(
          () => decodeImage(bytes.subarray(0, n), file),
          isCode("image_invalid"),
          `${n}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeImage() refuses garbage, other formats and sizes over the limit, naming what is valid", () => {
  const png = encode({ width: 2, height: 2, data: new Uint8Array(16), channels: 4, depth: 8 });
  const garbled = png.slice();
  garbled.fill(0x55, 40, 50); // inside IDAT: the CRC no longer matches
  assert.throws(() => decodeImage(garbled, "g.png"), isCode("image_invalid"));
  assert.throws(
    () => decodeImage(new TextEncoder().encode("GIF89a\x01\x00\x01\x00"), "a.gif"),
    (e) => isCode("image_unsupported")(e) && /valid: PNG, JPEG/.test((e as Error).message),
  );
  assert.throws(() => decodeImage(new Uint8Array(0), "empty"), isCode("image_unsupported"));
  // A header that says 9000 pixels wide: refused before any pixel is decoded.
  const wide = png.slice();
  new DataView(wide.buffer).setUint32(16, MAX_IMAGE_SIDE + 808);
  assert.throws(
    () => decodeImage(wide, "wide.png"),
    (e) =>
      isCode("image_too_large")(e) && (e as ImageLoadError).details.width === 9000 &&
      /valid: 1x1 to 8192x8192/.test((e as Error).message),
  );
  assert.throws(() => decodeImage(png, "small.png", 1), isCode("image_too_large"));
});

Deno.test("decodeImage() reads a JPEG's size from its frame header and refuses one over the limit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { bytes } = await fixture(dir, "s.jpg", "yuvj420p");
    let sof = 2;
    while (!(bytes[sof] === 0xff && bytes[sof + 1] === 0xc0)) sof++;
    const tall = bytes.slice();
    new DataView(tall.buffer).setUint16(sof + 5, 9000); // the frame's height
    assert.throws(() => decodeImage(tall, "tall.jpg"), isCode("image_too_large"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
