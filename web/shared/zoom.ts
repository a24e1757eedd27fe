/**
 * Zoom levels of the graph view: the fit of the whole drawing (the first view, and Fit), the
 * legible fit of Auto, which never shrinks text below a legible size (the view scrolls instead),
 * and the steps of the zoom buttons and the wheel.
 *
 * @module
 */

/** The smallest font size in the drawing, in graph pixels (port types, edge labels). */
export const SMALLEST_FONT_PX = 11;
/** The smallest rendered text the legible fit (Auto) allows, in screen pixels. */
export const LEGIBLE_PX = 10;
/** Zoom limits of the buttons and the wheel. */
export const MIN_SCALE = 0.2;
/** Zoom limits of the buttons and the wheel. */
export const MAX_SCALE = 2.5;

/** A width and a height. */
export interface Size {
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/**
 * The scale at which the whole drawing fits the room (any size, for "fit all").
 *
 * @param room The visible area.
 * @param drawing The drawing.
 * @returns The scale, at most 1.
 *
 * @example A drawing twice the room's width
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitScale } from "./zoom.ts";
 *
 * assert.equal(fitScale({ width: 500, height: 500 }, { width: 1000, height: 200 }), 0.5);
 * ```
 */
export function fitScale(room: Size, drawing: Size): number {
  const s = Math.min(
    1,
    room.width / Math.max(1, drawing.width),
    room.height / Math.max(1, drawing.height),
  );
  return Math.max(MIN_SCALE, s);
}

/**
 * The legible scale of Auto: the fit, but never so small that the smallest text renders below
 * {@linkcode LEGIBLE_PX}; what does not fit then scrolls.
 *
 * @param room The visible area.
 * @param drawing The drawing.
 * @returns The scale.
 *
 * @example A large drawing stays legible
 * ```ts
 * import assert from "node:assert/strict";
 * import { autoScale, LEGIBLE_PX, SMALLEST_FONT_PX } from "./zoom.ts";
 *
 * const scale = autoScale({ width: 800, height: 600 }, { width: 1600, height: 700 });
 * assert.ok(scale * SMALLEST_FONT_PX >= LEGIBLE_PX);
 * ```
 */
export function autoScale(room: Size, drawing: Size): number {
  return Math.max(Math.ceil((LEGIBLE_PX / SMALLEST_FONT_PX) * 100) / 100, fitScale(room, drawing));
}

/**
 * The next zoom step.
 *
 * @param scale The current scale.
 * @param direction `1` to zoom in, `-1` to zoom out.
 * @returns The new scale, within {@linkcode MIN_SCALE} and {@linkcode MAX_SCALE}.
 *
 * @example In and out again
 * ```ts
 * import assert from "node:assert/strict";
 * import { zoomStep } from "./zoom.ts";
 *
 * assert.equal(zoomStep(zoomStep(1, 1), -1), 1);
 * ```
 */
export function zoomStep(scale: number, direction: 1 | -1): number {
  const next = Math.round(scale * (direction > 0 ? 1.25 : 0.8) * 1000) / 1000;
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, next));
}
