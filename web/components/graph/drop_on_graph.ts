/**
 * What the graph view does with something dropped on it: a manifest file is loaded, a processor
 * from the palette is added where it was let go (an undoable edit, then selected).
 *
 * @module
 */

import { addNodeEdit } from "../../client/edits.ts";
import { NODE_WIDTH } from "../../shared/geometry.ts";
import type { GraphView as Graph, Point } from "../../shared/protocol.ts";
import type { DashboardStore } from "../../shared/store.ts";
import { loadManifestFile } from "../ManifestTools.tsx";
import { schemaDefaults } from "../SchemaForm.tsx";
import { freeId } from "./boxes.ts";

/** The drag data type of a processor dragged from the palette onto the graph. */
export const PROCESSOR_DRAG_TYPE = "application/x-streamlib-processor";

/**
 * Lets the graph take a processor or a file being dragged over it.
 *
 * @param e The `dragover` event.
 */
export function acceptDrag(e: DragEvent): void {
  const types = e.dataTransfer?.types ?? [];
  if (!types.includes(PROCESSOR_DRAG_TYPE) && !types.includes("Files")) return;
  e.preventDefault();
  e.dataTransfer!.dropEffect = "copy";
}

/**
 * Handles a drop on the graph.
 *
 * @param store The dashboard's store.
 * @param e The `drop` event.
 * @param graph The graph.
 * @param at Where it was let go, in graph coordinates.
 */
export function dropOnGraph(
  store: DashboardStore,
  e: DragEvent,
  graph: Graph,
  at: () => Point,
): void {
  const file = e.dataTransfer?.files?.[0];
  if (file && store.token.value) {
    e.preventDefault();
    void loadManifestFile(store, file); // a manifest dropped on the graph
    return;
  }
  const name = e.dataTransfer?.getData(PROCESSOR_DRAG_TYPE);
  const info = store.processors.value.find((p) => p.name === name);
  if (!info || !store.token.value) return;
  e.preventDefault();
  const point = at();
  const id = freeId(info.name, graph);
  const place = { x: Math.max(0, point.x - NODE_WIDTH / 2), y: Math.max(0, point.y - 20) };
  void store.history.run(addNodeEdit(
    store,
    { type: info.name, config: schemaDefaults(info.config), id },
    (added) => {
      store.selection.value = null;
      store.selectSoon({ kind: "node", id: added });
    },
    place,
  ));
}
