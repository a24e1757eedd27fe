/**
 * Moving a node by hand: the node follows the pointer, and once let go it stays where it was put
 * until the layout has it there (or 3 s pass); the move is an undoable edit.
 *
 * @module
 */

import { useState } from "preact/hooks";
import { moveEdit } from "../../client/edits.ts";
import type { GraphLayout, NodeBox, Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";

/** A node being moved. */
interface Moving {
  readonly id: string;
  readonly x0: number;
  readonly y0: number;
  readonly x: number;
  readonly y: number;
  readonly from: Point;
  readonly moved: boolean;
}

/** Where a node was let go, held until the layout has it there. */
interface Held {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly until: number;
}

/** What {@linkcode useNodeMove} gives the graph view. */
export interface NodeMove {
  /** The node drawn away from its layout box (being moved, or held where it was let go). */
  readonly override: { readonly id: string; readonly x: number; readonly y: number } | null;
  /** Whether a node is under the pointer's control. */
  readonly active: boolean;
  /**
   * Draws the moved or held node at its place in `boxes` (which it changes), and lets a held node
   * go once the layout has it there or its time is up.
   */
  place(boxes: Record<string, NodeBox>, layout: GraphLayout): void;
  /** A pointer went down on node `id`. */
  start(id: string, e: PointerEvent, boxes: Record<string, NodeBox>): void;
  /** The pointer moved; `false` when no node is being moved. */
  step(e: PointerEvent, scale: number, scroller: HTMLElement): boolean;
  /** The pointer went up: the move is made an edit. */
  end(): void;
}

/**
 * The state of a node moved by hand.
 *
 * @param store The dashboard's store.
 * @returns The move's state and handlers.
 */
export function useNodeMove(store: DashboardStore): NodeMove {
  const [moving, setMoving] = useState<Moving | null>(null);
  const [held, setHeld] = useState<Held | null>(null);
  const override = moving?.moved ? moving : held;
  return {
    override,
    active: moving !== null,
    place(boxes, layout) {
      if (
        held && (Date.now() > held.until || !boxes[held.id] ||
          (layout.nodes[held.id]?.x === held.x && layout.nodes[held.id]?.y === held.y))
      ) {
        if (!moving) queueMicrotask(() => setHeld(null));
      }
      if (override && boxes[override.id]) {
        boxes[override.id] = { ...boxes[override.id], x: override.x, y: override.y };
      }
    },
    start(id, e, boxes) {
      if (!store.token.value || !boxes[id]) return;
      setMoving({
        id,
        x0: e.clientX,
        y0: e.clientY,
        x: boxes[id].x,
        y: boxes[id].y,
        from: { x: boxes[id].x, y: boxes[id].y },
        moved: false,
      });
    },
    step(e, scale, scroller) {
      if (!moving) return false;
      const dx = (e.clientX - moving.x0) / scale;
      const dy = (e.clientY - moving.y0) / scale;
      if (!moving.moved && Math.hypot(dx, dy) < 4) return true;
      if (!moving.moved) scroller.setPointerCapture?.(e.pointerId);
      setMoving({
        ...moving,
        moved: true,
        x: Math.max(0, Math.round(moving.from.x + dx)),
        y: Math.max(0, Math.round(moving.from.y + dy)),
      });
      return true;
    },
    end() {
      const m = moving;
      setMoving(null);
      if (!m?.moved) return;
      setHeld({ id: m.id, x: m.x, y: m.y, until: Date.now() + 3000 });
      void store.history.run(moveEdit(store, m.id, m.from, { x: m.x, y: m.y }));
    },
  };
}
