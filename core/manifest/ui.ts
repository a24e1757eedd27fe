/**
 * A manifest's `ui` field: what an editor (the dashboard) keeps beside the pipeline, such as where
 * each node is drawn. The runtime never reads it; `validateManifest()` checks its shape so a typo
 * does not pass silently.
 *
 * @module
 */

import { isObject, type IssueList, show } from "./issue.ts";
import { excerpt } from "./limits.ts";

/** Largest coordinate a position may have (either axis). */
export const MAX_UI_COORDINATE = 1_000_000;

/** A node's place in a drawing: its top-left corner, in the drawing's own units. */
export interface ManifestUiPosition {
  /** Left. */
  readonly x: number;
  /** Top. */
  readonly y: number;
}

/** Editor metadata of a manifest; the runtime ignores it. */
export interface ManifestUi {
  /** Where each node is drawn, by node id. Nodes not listed are placed by the editor. */
  readonly positions?: Readonly<Record<string, ManifestUiPosition>>;
}

const UI_FIELDS = ["positions"];
const POSITION_FIELDS = ["x", "y"];

/**
 * Reports every problem of a manifest's `ui` field: unknown fields, a `positions` that is not an
 * object, a position of a node the manifest does not declare (`node_not_found`, listing the
 * ids), and coordinates that are not finite numbers from 0 to {@linkcode MAX_UI_COORDINATE}.
 *
 * @param ui The field's value (`undefined` when absent: nothing to check).
 * @param declared The ids the manifest declares.
 * @param list Where issues go.
 *
 * @example A position of a node that is not there
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkManifestUi } from "./ui.ts";
 * import { IssueList } from "./issue.ts";
 *
 * const list = new IssueList();
 * checkManifestUi({ positions: { tone: { x: 10, y: 20 }, tnoe: { x: 0, y: -1 } } }, ["tone"], list);
 * assert.deepEqual(list.issues.map((i) => [i.path, i.code]), [
 *   ["ui.positions.tnoe", "node_not_found"],
 *   ["ui.positions.tnoe.y", "invalid_field"],
 * ]);
 * ```
 */
export function checkManifestUi(ui: unknown, declared: Iterable<string>, list: IssueList): void {
  if (ui === undefined) return;
  if (!isObject(ui)) {
    return list.report(
      "ui",
      "malformed",
      `expected an object such as { "positions": {} }, got ${show(ui)}`,
    );
  }
  list.unknownFields(ui, UI_FIELDS, "ui");
  const positions = ui.positions;
  if (positions === undefined) return;
  if (!isObject(positions)) {
    return list.report(
      "ui.positions",
      "malformed",
      `expected an object of node id to { "x": number, "y": number }, got ${show(positions)}`,
    );
  }
  const ids = [...declared];
  const known = new Set(ids);
  for (const [id, at] of Object.entries(positions)) {
    const path = `ui.positions.${excerpt(id)}`;
    if (!known.has(id)) {
      list.unknown(path, "node_not_found", `no node '${excerpt(id)}'`, id, ids, "nodes");
    }
    if (!isObject(at)) {
      list.report(path, "malformed", `expected { "x": number, "y": number }, got ${show(at)}`);
      continue;
    }
    list.unknownFields(at, POSITION_FIELDS, path);
    for (const axis of POSITION_FIELDS) {
      const value = at[axis];
      if (
        typeof value === "number" && Number.isFinite(value) && value >= 0 &&
        value <= MAX_UI_COORDINATE
      ) continue;
      list.report(
        `${path}.${axis}`,
        value === undefined ? "missing_field" : "invalid_field",
        `must be a number from 0 to ${MAX_UI_COORDINATE}, got ${show(value)}`,
        known.has(id) ? { node: id } : {},
      );
    }
  }
}
