/**
 * The graph view's keys: Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo, Delete and Backspace remove
 * the selection; not while typing in a field (its own undo), and only with the token.
 *
 * @module
 */

import { useEffect } from "preact/hooks";
import { removeEdit } from "../../client/edits.ts";
import type { DashboardStore } from "../../shared/store.ts";

/**
 * Listens for the graph's editing keys while the view is mounted.
 *
 * @param store The dashboard's store.
 */
export function useEditKeys(store: DashboardStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable]")) return; // text undo
      if (!store.token.value) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z") {
        e.preventDefault();
        void (e.shiftKey ? store.history.redo() : store.history.undo());
      } else if (mod && e.key.toLowerCase() === "y") {
        e.preventDefault();
        void store.history.redo();
      } else if (e.key === "Delete" || e.key === "Backspace") {
        const s = store.selection.value;
        if (!s) return;
        e.preventDefault();
        const nodes = s.kind === "many" ? s.nodes : s.kind === "node" ? [s.id] : [];
        const connections = s.kind === "many"
          ? s.connections
          : s.kind === "connection"
          ? [s.id]
          : [];
        void store.history.run(removeEdit(store, nodes, connections));
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}
