/**
 * The graph view's viewport: the room it has, the zoom (`"fit"`, the whole graph in view, on first
 * load and whenever a graph loads into an empty view, until the person zooms; `"auto"`, the legible
 * fit of `zoom.ts`, on request), zooming about a point, and scrolling a node asked for into view.
 *
 * @module
 */

import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { GraphLayout, NodeBox, Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";
import { autoScale, fitScale, type Size, zoomStep } from "../../shared/zoom.ts";

/** A zoom asked for: the whole graph (`"fit"`), the legible fit (`"auto"`) or a scale. */
export type Zoom = number | "auto" | "fit";

/**
 * The scale a zoom draws at in a room.
 *
 * @param zoom The zoom asked for.
 * @param room The visible area, once measured.
 * @param drawing The drawing's size.
 * @returns The scale.
 */
function scaleOf(zoom: Zoom, room: Size | null, drawing: Size): number {
  if (typeof zoom === "number") return zoom;
  if (!room) return 1;
  return zoom === "fit" ? fitScale(room, drawing) : autoScale(room, drawing);
}

/** What {@linkcode useViewport} gives the graph view. */
export interface Viewport {
  /** The zoom asked for: `"fit"` (everything in view), `"auto"` (fit, legible) or a scale. */
  readonly zoom: Zoom;
  /** The scale drawn at. */
  readonly scale: number;
  /**
   * Zooms, keeping the graph point under `at` (relative to the view) where it is.
   *
   * @param next The zoom.
   * @param at The point kept in place; default the view's centre.
   */
  zoomTo(next: Zoom, at?: Point): void;
  /** Ctrl+wheel (or Cmd+wheel) zooms about the pointer; a plain wheel scrolls. */
  onWheel(e: WheelEvent): void;
  /** Fits the whole graph in view, from the top-left, and keeps it fitted until a zoom. */
  fit(): void;
  /** Back to `"auto"`, from the top-left. */
  auto(): void;
}

/**
 * The viewport of a scrolled drawing.
 *
 * @param store The dashboard's store (`reveal`: a node to scroll into view).
 * @param scroller The scrolled element.
 * @param drawing The drawing's size.
 * @param boxes The node boxes as drawn.
 * @param layout The server's layout (a node is revealed once it is laid out).
 * @returns The viewport.
 */
export function useViewport(
  store: DashboardStore,
  scroller: RefObject<HTMLDivElement | null>,
  drawing: Size,
  boxes: Record<string, NodeBox>,
  layout: GraphLayout,
): Viewport {
  const [room, setRoom] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    const element = scroller.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() =>
      setRoom({ width: element.clientWidth - 8, height: element.clientHeight - 8 })
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  // "fit" until the person zooms: the first view shows every node, whatever the window's size.
  const [zoom, setZoom] = useState<Zoom>("fit");
  const scale = scaleOf(zoom, room, drawing);
  // A graph that loads into an empty view is fitted too.
  const empty = Object.keys(boxes).length === 0;
  useEffect(() => {
    if (empty) setZoom("fit");
  }, [empty]);
  const pendingScroll = useRef<{ left: number; top: number } | null>(null);
  const reveal = store.reveal.value;
  useLayoutEffect(() => {
    const element = scroller.current;
    const box = reveal ? boxes[reveal] : undefined;
    if (!element || !box || !layout.nodes[reveal!]) return;
    store.reveal.value = null;
    const left = box.x * scale;
    const top = box.y * scale;
    const right = (box.x + box.width) * scale;
    const bottom = (box.y + box.height) * scale;
    const inView = left >= element.scrollLeft && top >= element.scrollTop &&
      right <= element.scrollLeft + element.clientWidth &&
      bottom <= element.scrollTop + element.clientHeight;
    if (!inView) {
      pendingScroll.current = {
        left: Math.max(0, (left + right) / 2 - element.clientWidth / 2),
        top: Math.max(0, (top + bottom) / 2 - element.clientHeight / 2),
      };
    }
  });
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !pendingScroll.current) return;
    element.scrollLeft = pendingScroll.current.left;
    element.scrollTop = pendingScroll.current.top;
    pendingScroll.current = null;
  });
  const zoomTo = (next: Zoom, at?: Point) => {
    const element = scroller.current;
    if (element) {
      const target = scaleOf(next, room, drawing);
      const cx = at?.x ?? element.clientWidth / 2;
      const cy = at?.y ?? element.clientHeight / 2;
      const gx = (element.scrollLeft + cx) / scale;
      const gy = (element.scrollTop + cy) / scale;
      pendingScroll.current = typeof next !== "number" && target <= scale
        ? { left: 0, top: 0 }
        : { left: gx * target - cx, top: gy * target - cy };
    }
    setZoom(next);
  };
  return {
    zoom,
    scale,
    zoomTo,
    onWheel(e) {
      if (!e.ctrlKey && !e.metaKey) return; // plain wheel scrolls
      e.preventDefault();
      const rect = scroller.current!.getBoundingClientRect();
      zoomTo(zoomStep(scale, e.deltaY < 0 ? 1 : -1), {
        x: e.clientX - rect.left,
        y: e.clientY - rect.top,
      });
    },
    fit() {
      pendingScroll.current = { left: 0, top: 0 };
      setZoom("fit");
    },
    auto() {
      pendingScroll.current = { left: 0, top: 0 };
      setZoom("auto");
    },
  };
}
