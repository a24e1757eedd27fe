import assert from "node:assert/strict";
import { decodePreviewFrame, encodePreviewFrame } from "./preview_frame.ts";

Deno.test("encodePreviewFrame() round-trips through decodePreviewFrame()", () => {
  const header = { output: "scale.out", width: 2, height: 1, timestampNs: 42 };
  const rgba = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const decoded = decodePreviewFrame(encodePreviewFrame(header, rgba).buffer);
  assert.deepEqual(decoded?.header, header);
  assert.deepEqual([...decoded!.rgba], [...rgba]);
});

Deno.test("decodePreviewFrame() refuses truncated or inconsistent messages", () => {
  assert.equal(decodePreviewFrame(new Uint8Array([1, 0])), undefined);
  assert.equal(decodePreviewFrame(new Uint8Array([200, 0, 0, 0, 1])), undefined);
  const wrongSize = encodePreviewFrame(
    { output: "a.b", width: 4, height: 4, timestampNs: 0 },
    new Uint8Array(4),
  );
  assert.equal(decodePreviewFrame(wrongSize), undefined);
});
