import assert from "node:assert/strict";
import { renderText } from "./text.ts";
import { glyph } from "./_font5x7.ts";

Deno.test("renderText() sizes lines to the longest, with a one-cell margin, times scale", () => {
  const picture = renderText("AB\nC", { scale: 2 });
  assert.deepEqual([picture.width, picture.height], [(2 * 6 + 1) * 2, (2 * 8 + 1) * 2]);
  assert.equal(picture.data.length, picture.width * picture.height * 4);
});

Deno.test("renderText() draws each glyph's ink in the colour and the rest in the background", () => {
  const ink = [10, 20, 30, 255] as const;
  const paper = [1, 2, 3, 4] as const;
  const picture = renderText("T", { scale: 1, color: ink, background: paper });
  const rows = glyph("T");
  for (let y = 0; y < 7; y++) {
    for (let x = 0; x < 5; x++) {
      const o = ((1 + y) * picture.width + 1 + x) * 4;
      const want = rows[y][x] === "#" ? ink : paper;
      assert.deepEqual(Array.from(picture.data.subarray(o, o + 4)), [...want], `(${x}, ${y})`);
    }
  }
});

Deno.test("renderText() draws lowercase as capitals and unknown characters as '?'", () => {
  const same = (a: string, b: string) =>
    assert.deepEqual(renderText(a, { scale: 1 }).data, renderText(b, { scale: 1 }).data);
  same("hello", "HELLO");
  same("é", "?");
  assert.throws(() => renderText("x", { scale: 0 }), RangeError);
  assert.throws(() => renderText("x", { scale: 1.5 }), RangeError);
});
