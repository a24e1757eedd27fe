import assert from "node:assert/strict";
import { FirstFragmentWatch } from "./mp4_first_fragment.ts";

function box(type: string, size: number, large = false): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  if (large) {
    view.setUint32(0, 1);
    view.setBigUint64(8, BigInt(size));
  } else {
    view.setUint32(0, size);
  }
  bytes.set(new TextEncoder().encode(type), 4);
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("FirstFragmentWatch is complete exactly when the first mdat's last byte is written, however the bytes are cut", () => {
  const file = concat(box("ftyp", 28), box("moov", 700), box("moof", 120), box("mdat", 5000));
  const mdatEnd = file.length;
  for (const step of [1, 3, 7, 8, 13, 16, 100, 4096, file.length]) {
    const watch = new FirstFragmentWatch();
    for (let at = 0; at < file.length; at += step) {
      const done = watch.observe(at, file.subarray(at, Math.min(at + step, file.length)));
      assert.equal(done, at + step >= mdatEnd, `step ${step}, at ${at}`);
    }
  }
});

Deno.test("FirstFragmentWatch reads 64-bit box sizes, ignores patches behind it, and gives up on a size-0 box", () => {
  const file = concat(box("ftyp", 28), box("moov", 40), box("mdat", 64, true));
  const watch = new FirstFragmentWatch();
  assert.equal(watch.observe(0, file.subarray(0, 80)), false);
  assert.equal(watch.observe(4, new Uint8Array(4)), false, "a patch behind the scan point");
  assert.equal(watch.observe(80, file.subarray(80)), true);

  const open = new FirstFragmentWatch();
  const endless = concat(box("ftyp", 28), box("mdat", 8));
  new DataView(endless.buffer).setUint32(28, 0); // mdat to the end of the file
  assert.equal(open.observe(0, endless), false);
  assert.equal(open.observe(36, new Uint8Array(1000)), false);
});
