import assert from "node:assert/strict";
import { fit } from "./frame_presenter.ts";

Deno.test("fit() fills a window of the frame's shape exactly", () => {
  assert.deepEqual(fit(160, 120, 160, 120), { x: 0, y: 0, width: 160, height: 120 });
  assert.deepEqual(fit(160, 120, 320, 240), { x: 0, y: 0, width: 320, height: 240 });
});

Deno.test("fit() keeps the aspect ratio: bars beside a wide window, above and below a tall one", () => {
  assert.deepEqual(fit(160, 120, 320, 120), { x: 80, y: 0, width: 160, height: 120 });
  assert.deepEqual(fit(160, 120, 160, 240), { x: 0, y: 60, width: 160, height: 120 });
  assert.deepEqual(fit(1920, 1080, 640, 480), { x: 0, y: 60, width: 640, height: 360 });
});

Deno.test("fit() never gives an empty or oversized viewport", () => {
  assert.deepEqual(fit(4000, 2, 100, 100), { x: 0, y: 49, width: 100, height: 1 });
  assert.deepEqual(fit(3, 3, 2, 1), { x: 0, y: 0, width: 1, height: 1 });
});
