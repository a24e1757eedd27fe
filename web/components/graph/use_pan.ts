/**
 * Panning the graph view: drag the background to scroll (a press on a node or an edge does not
 * pan). A press that moved is not a click, so it keeps the selection.
 *
 * @module
 */

import type { RefObject } from "preact";
import { useRef } from "preact/hooks";

/** What {@linkcode usePan} gives the graph view. */
export interface Pan {
  /** Whether the background is being dragged now. */
  readonly panning: boolean;
  /** A pointer went down on the view. */
  onStart(e: PointerEvent): void;
  /** The pointer moved (a drag of a connection does not pan). */
  onMove(e: PointerEvent, dragging: boolean): void;
  /** The pointer went up. */
  onEnd(): void;
  /** Whether the last press panned (then its click does not clear the selection); reads it once. */
  takePanned(): boolean;
}

/**
 * The pan state of a scrolled element.
 *
 * @param scroller The scrolled element.
 * @returns The pan.
 */
export function usePan(scroller: RefObject<HTMLDivElement | null>): Pan {
  const pan = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | null>(
    null,
  );
  const panned = useRef(false);
  return {
    panning: pan.current?.moved ?? false,
    onStart(e) {
      const target = e.target as Element;
      if (e.button !== 0 || target.closest(".node, .edge")) return;
      const element = scroller.current!;
      pan.current = {
        x: e.clientX,
        y: e.clientY,
        left: element.scrollLeft,
        top: element.scrollTop,
        moved: false,
      };
      panned.current = false;
    },
    onMove(e, dragging) {
      const p = pan.current;
      if (!p || dragging) return;
      const dx = e.clientX - p.x;
      const dy = e.clientY - p.y;
      if (!p.moved && Math.hypot(dx, dy) < 4) return;
      if (!p.moved) {
        p.moved = true;
        scroller.current!.setPointerCapture?.(e.pointerId);
      }
      scroller.current!.scrollLeft = p.left - dx;
      scroller.current!.scrollTop = p.top - dy;
    },
    onEnd() {
      panned.current = pan.current?.moved ?? false;
      pan.current = null;
    },
    takePanned() {
      const was = panned.current;
      panned.current = false;
      return was;
    },
  };
}
