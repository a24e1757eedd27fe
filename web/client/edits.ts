/**
 * The page's graph edits as undoable pairs of control-API calls: add, remove (with the
 * connections that go with it), connect, disconnect and reconfigure.
 *
 * @module
 */

import type { JsonValue } from "../../core/schema/json_schema.ts";
import type { ConnectionDescription, NodeDescription } from "../../core/description.ts";
import type { Edit } from "../shared/edit_history.ts";
import type { DashboardStore } from "../shared/store.ts";
import { callApi } from "./api_client.ts";
import { nodeOf } from "../../core/ports/port_end.ts";

const enc = encodeURIComponent;

/**
 * Adds a node.
 *
 * @param store The page's store.
 * @param body The `POST /nodes` body.
 * @param onAdded Called with the new id each time it is (re)added.
 * @param at Where to place it in the drawing (with `body.id`): the place is set first.
 * @returns The edit.
 */
export function addNodeEdit(
  store: DashboardStore,
  body: { type: string; config: Record<string, JsonValue>; id?: string },
  onAdded: (id: string) => void,
  at?: { x: number; y: number },
): Edit {
  let id = body.id;
  return {
    get label() {
      return `add ${id ?? body.type}`;
    },
    async apply() {
      if (at && id && await callApi(store, "PUT", `/layout/${enc(id)}`, at) === undefined) {
        return false;
      }
      const added = await callApi<NodeDescription>(store, "POST", "/nodes", { ...body, id });
      if (!added) return false;
      id = added.id; // a redo re-adds under the same id
      onAdded(added.id);
      return true;
    },
    async revert() {
      return (await callApi(store, "DELETE", `/nodes/${enc(id!)}`)) !== undefined;
    },
  };
}

/**
 * Removes nodes and connections; undone, the nodes come back where they were, with their config
 * and every connection that went with them.
 *
 * @param store The page's store.
 * @param nodeIds The nodes.
 * @param connectionIds Connections to remove besides those of the nodes.
 * @returns The edit.
 */
export function removeEdit(
  store: DashboardStore,
  nodeIds: readonly string[],
  connectionIds: readonly string[],
): Edit {
  const graph = store.graph.value;
  const nodes = graph.nodes.filter((n) => nodeIds.includes(n.id));
  const ids = new Set(nodes.map((n) => n.id));
  const touches = (c: ConnectionDescription) =>
    ids.has(nodeOf(c.from)) ||
    ids.has(nodeOf(c.to));
  const connections = graph.connections.filter((c) => connectionIds.includes(c.id) || touches(c));
  const loose = connections.filter((c) => !touches(c));
  const places = nodes.map((n) => store.layout.value.nodes[n.id]);
  const names = [...nodes.map((n) => n.id), ...loose.map((c) => `${c.from} → ${c.to}`)];
  return {
    label: `remove ${names.join(", ")}`,
    async apply() {
      for (const c of loose) {
        const path = `/connections?to=${enc(c.to)}&from=${enc(c.from)}`;
        if (await callApi(store, "DELETE", path) === undefined) return false;
      }
      for (const n of nodes) {
        if (await callApi(store, "DELETE", `/nodes/${enc(n.id)}`) === undefined) return false;
      }
      return true;
    },
    async revert() {
      for (const [i, n] of nodes.entries()) {
        // Back where it was.
        const at = places[i] && { x: places[i].x, y: places[i].y };
        if (at && await callApi(store, "PUT", `/layout/${enc(n.id)}`, at) === undefined) {
          return false;
        }
        const body = {
          type: n.type,
          id: n.id,
          config: n.config,
          placement: n.placement,
          onError: n.onError,
          maxRestarts: n.maxRestarts,
        };
        if (await callApi(store, "POST", "/nodes", body) === undefined) return false;
      }
      for (const c of connections) {
        const body = { from: c.from, to: c.to, capacity: c.capacity, policy: c.policy };
        if (await callApi(store, "POST", "/connections", body) === undefined) return false;
      }
      return true;
    },
  };
}

/**
 * Connects an output to an input.
 *
 * @param store The page's store.
 * @param from `node.port` of the output.
 * @param to `node.port` of the input.
 * @returns The edit.
 */
export function connectEdit(store: DashboardStore, from: string, to: string): Edit {
  return {
    label: `connect ${from} → ${to}`,
    async apply() {
      return (await callApi(store, "POST", "/connections", { from, to })) !== undefined;
    },
    async revert() {
      const path = `/connections?to=${enc(to)}&from=${enc(from)}`;
      return (await callApi(store, "DELETE", path)) !== undefined;
    },
  };
}

/**
 * Changes config fields of a node; undone, they take their old values.
 *
 * @param store The page's store.
 * @param node The node's id.
 * @param patch The fields to change.
 * @param old The node's config before.
 * @returns The edit.
 */
export function configEdit(
  store: DashboardStore,
  node: string,
  patch: Record<string, JsonValue>,
  old: Record<string, JsonValue>,
): Edit {
  const before = Object.fromEntries(Object.keys(patch).map((k) => [k, old[k] ?? null]));
  const send = (config: Record<string, JsonValue>) =>
    callApi(store, "PATCH", `/nodes/${enc(node)}/config`, { config });
  return {
    label: `set ${Object.keys(patch).join(", ")} of ${node}`,
    async apply() {
      return (await send(patch)) !== undefined;
    },
    async revert() {
      return (await send(before)) !== undefined;
    },
  };
}

/**
 * Moves a node in the drawing (only the drawing: the runtime never sees it).
 *
 * @param store The page's store.
 * @param node The node's id.
 * @param from Where it was.
 * @param to Where it goes.
 * @returns The edit.
 */
export function moveEdit(
  store: DashboardStore,
  node: string,
  from: { x: number; y: number },
  to: { x: number; y: number },
): Edit {
  const put = (at: { x: number; y: number }) => callApi(store, "PUT", `/layout/${enc(node)}`, at);
  return {
    label: `move ${node}`,
    async apply() {
      return (await put(to)) !== undefined;
    },
    async revert() {
      return (await put(from)) !== undefined;
    },
  };
}
