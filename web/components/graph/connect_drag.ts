/**
 * Drag-to-connect: a press on an output starts a line that follows the pointer over the whole
 * window (the view scrolls when the pointer passes its edge); let go on an input, it becomes a
 * connection (an undoable edit); anywhere else, or on Escape, it is cancelled with a notice that
 * says so.
 *
 * @module
 */

import { connectEdit } from "../../client/edits.ts";
import type { Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";

/** How far from the view's edge the pointer scrolls it while dragging, in screen pixels. */
const EDGE_PX = 24;
/** How far one pointer move past the edge scrolls, in screen pixels. */
const EDGE_STEP_PX = 16;

/** The handlers of a connection being dragged. */
export interface ConnectDrag {
  /** A press on output `output` (of frame type `portType`): the line follows the pointer. */
  onDragStart(output: string, portType: string, e: PointerEvent): void;
  /** Let go on input `input`. */
  onDrop(input: string): void;
}

/**
 * The input port under a window point, if any.
 *
 * @param x The point's `clientX`.
 * @param y The point's `clientY`.
 * @returns The input's `node.port`.
 */
function inputAt(x: number, y: number): string | undefined {
  const hit = document.elementFromPoint(x, y)?.closest('[data-direction="input"]');
  return hit?.getAttribute("data-port") ?? undefined;
}

/**
 * Scrolls a view by a step when a point is near or past one of its edges.
 *
 * @param view The scrolled view.
 * @param x The point's `clientX`.
 * @param y The point's `clientY`.
 */
function scrollToward(view: HTMLElement, x: number, y: number): void {
  const r = view.getBoundingClientRect();
  const dx = x < r.left + EDGE_PX ? -EDGE_STEP_PX : x > r.right - EDGE_PX ? EDGE_STEP_PX : 0;
  const dy = y < r.top + EDGE_PX ? -EDGE_STEP_PX : y > r.bottom - EDGE_PX ? EDGE_STEP_PX : 0;
  if (dx) view.scrollLeft += dx;
  if (dy) view.scrollTop += dy;
}

/**
 * The handlers of drag-to-connect, with `store.drag` as the line's state. From the press on, the
 * pointer is followed through window listeners, so leaving the drawing neither loses nor cancels
 * the drag; they are removed when it ends.
 *
 * @param store The dashboard's store.
 * @param toGraph A pointer event's point in graph coordinates.
 * @param scroller The scrolled view (scrolled when the pointer passes its edge).
 * @returns The handlers.
 */
export function connectDrag(
  store: DashboardStore,
  toGraph: (e: PointerEvent) => Point,
  scroller: () => HTMLElement | null,
): ConnectDrag {
  const drop = (input: string) => {
    const current = store.drag.value;
    if (!current) return;
    store.drag.value = null;
    void store.history.run(connectEdit(store, current.from, input));
  };
  return {
    onDragStart(output, portType, e) {
      if (!store.token.value) return;
      store.drag.value = { from: output, portType, ...toGraph(e) };
      const move = (ev: PointerEvent) => {
        if (!store.drag.value) return end();
        const view = scroller();
        if (view) scrollToward(view, ev.clientX, ev.clientY);
        store.drag.value = { ...store.drag.value, ...toGraph(ev) };
      };
      const cancel = (why: string) => {
        const current = store.drag.value;
        if (!current) return;
        store.drag.value = null;
        store.notice.value = {
          kind: "info",
          text: `Not connected: ${current.from} ${why}; drag it onto a highlighted input`,
        };
      };
      const up = (ev: PointerEvent) => {
        end();
        // The input's own handler ran first when the pointer was let go on it; a touch pointer
        // is captured by the output, so the input is found under the point instead.
        const input = inputAt(ev.clientX, ev.clientY);
        if (input) drop(input);
        else cancel("was let go outside an input");
      };
      const key = (ev: KeyboardEvent) => {
        if (ev.key !== "Escape") return;
        end();
        cancel("was cancelled with Escape");
      };
      const lost = () => {
        end();
        cancel("lost the pointer");
      };
      const end = () => {
        removeEventListener("pointermove", move);
        removeEventListener("pointerup", up);
        removeEventListener("pointercancel", lost);
        removeEventListener("keydown", key);
      };
      addEventListener("pointermove", move);
      addEventListener("pointerup", up);
      addEventListener("pointercancel", lost);
      addEventListener("keydown", key);
    },
    onDrop: drop,
  };
}
