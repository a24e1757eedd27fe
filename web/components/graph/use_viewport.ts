/**
 * The graph view's viewport: the room it has, the zoom (`"auto"`, the legible fit of `zoom.ts`,
 * until the person zooms), zooming about a point, and scrolling a node asked for into view.
 *
 * @module
 */

import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { GraphLayout, NodeBox, Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";
import { autoScale, fitScale, type Size, zoomStep } from "../../shared/zoom.ts";

/** What {@linkcode useViewport} gives the graph view. */
export interface Viewport {
  /** The zoom asked for: `"auto"` or a scale. */
  readonly zoom: number | "auto";
  /** The scale drawn at. */
  readonly scale: number;
  /**
   * Zooms, keeping the graph point under `at` (relative to the view) where it is.
   *
   * @param next The zoom.
   * @param at The point kept in place; default the view's centre.
   */
  zoomTo(next: number | "auto", at?: Point): void;
  /** Ctrl+wheel (or Cmd+wheel) zooms about the pointer; a plain wheel scrolls. */
  onWheel(e: WheelEvent): void;
  /** Fits the whole graph in view, from the top-left. */
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
  // "auto": the default fit, legible (see zoom.ts); a number once the person zooms.
  const [zoom, setZoom] = useState<number | "auto">("auto");
  const scale = zoom !== "auto" ? zoom : room ? autoScale(room, drawing) : 1;
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
  const zoomTo = (next: number | "auto", at?: Point) => {
    const element = scroller.current;
    if (element) {
      const target = next === "auto" ? (room ? autoScale(room, drawing) : 1) : next;
      const cx = at?.x ?? element.clientWidth / 2;
      const cy = at?.y ?? element.clientHeight / 2;
      const gx = (element.scrollLeft + cx) / scale;
      const gy = (element.scrollTop + cy) / scale;
      pendingScroll.current = next === "auto" && target <= scale
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
      setZoom(room ? fitScale(room, drawing) : 1);
    },
    auto() {
      pendingScroll.current = { left: 0, top: 0 };
      setZoom("auto");
    },
  };
}
