/**
 * Drag-to-connect: a press on an output starts a line that follows the pointer; let go on an
 * input, it becomes a connection (an undoable edit); anywhere else, it is dropped.
 *
 * @module
 */

import { connectEdit } from "../../client/edits.ts";
import type { Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";

/** The handlers of a connection being dragged. */
export interface ConnectDrag {
  /** A press on output `output` (of frame type `portType`). */
  onDragStart(output: string, portType: string, e: PointerEvent): void;
  /** Let go on input `input`. */
  onDrop(input: string): void;
  /** The pointer moved over the drawing. */
  onPointerMove(e: PointerEvent): void;
  /** The pointer went up or left the drawing. */
  onPointerEnd(): void;
}

/**
 * The handlers of drag-to-connect, with `store.drag` as the line's state.
 *
 * @param store The dashboard's store.
 * @param toGraph A pointer event's point in graph coordinates.
 * @returns The handlers.
 */
export function connectDrag(
  store: DashboardStore,
  toGraph: (e: PointerEvent) => Point,
): ConnectDrag {
  return {
    onDragStart(output, portType, e) {
      if (!store.token.value) return;
      store.drag.value = { from: output, portType, ...toGraph(e) };
    },
    onDrop(input) {
      const current = store.drag.value;
      if (!current) return;
      store.drag.value = null;
      void store.history.run(connectEdit(store, current.from, input));
    },
    onPointerMove(e) {
      if (store.drag.value) store.drag.value = { ...store.drag.value, ...toGraph(e) };
    },
    onPointerEnd() {
      store.drag.value = null;
    },
  };
}
