/**
 * A manifest's application inputs and outputs (`inputs`, `outputs`): their checks in
 * `validateManifest()` and how `loadManifest()` adds them.
 *
 * @module
 */

import { APP_PORT_NAME, type AppPortOptions } from "../app/app_ports.ts";
import type { Graph } from "../graph/graph.ts";
import { splitPortEnd } from "../ports/port_end.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import { isObject, type IssueList, show } from "./issue.ts";
import { excerpt } from "./limits.ts";

/** An application input or output of a manifest: `"node.port"`, or the port with options. */
export type ManifestAppPort = string | {
  /** The port, `"node.port"`. */
  readonly port: string;
  /** Frames its connection holds (for an output, also the unread frames it keeps). */
  readonly capacity?: number;
  /** `fifo` (wait) or `latest` (drop the oldest, counted). */
  readonly policy?: DeliveryPolicy;
};

const FIELDS = ["port", "capacity", "policy"];

/**
 * Checks a manifest's `inputs` and `outputs` against its valid nodes: each name, each port's
 * node, name and direction, options, and that an input feeds a port nothing else feeds.
 *
 * @param manifest The manifest object.
 * @param graph Its valid nodes and connections.
 * @param declared Every node id it declares.
 * @param list Where issues go.
 */
export function checkAppPorts(
  manifest: Record<string, unknown>,
  graph: Graph,
  declared: ReadonlySet<string>,
  list: IssueList,
): void {
  const fed = new Map<string, string>();
  const connections = Array.isArray(manifest.connections) ? manifest.connections : [];
  connections.forEach((c, j) => {
    if (isObject(c) && typeof c.to === "string") fed.set(c.to, `connections[${j}]`);
  });
  for (const direction of ["input", "output"] as const) {
    const field = `${direction}s`;
    const value = manifest[field];
    if (value === undefined) continue;
    if (!isObject(value)) {
      list.report(field, "malformed", `expected an object of names to ports, got ${show(value)}`);
      continue;
    }
    for (const [name, entry] of Object.entries(value)) {
      const at = `${field}.${excerpt(name)}`;
      if (!APP_PORT_NAME.test(name)) {
        list.report(
          at,
          "invalid_app_port",
          `'${excerpt(name)}': a name is a letter or '_' then up to 63 of [A-Za-z0-9_-]`,
        );
        continue;
      }
      const port = checkEntry(entry, at, list);
      if (port === undefined) continue;
      const end = checkEnd(
        port,
        direction,
        `${at}${typeof entry === "string" ? "" : ".port"}`,
        graph,
        declared,
        list,
      );
      if (end === undefined || direction === "output") continue;
      const by = fed.get(port);
      if (by !== undefined) {
        list.report(
          at,
          "input_occupied",
          `input '${port}' is already fed by ${by}, an input takes one`,
          { node: end },
        );
      } else fed.set(port, at);
    }
  }
}

/** The port of an entry, when its form is right. */
function checkEntry(entry: unknown, at: string, list: IssueList): string | undefined {
  if (typeof entry === "string") return entry;
  if (!isObject(entry)) {
    list.report(
      at,
      "malformed",
      `expected "node.port" or { port, capacity?, policy? }, got ${show(entry)}`,
    );
    return undefined;
  }
  list.unknownFields(entry, FIELDS, at);
  const { capacity, policy } = entry;
  if (
    capacity !== undefined &&
    !(Number.isInteger(capacity) && (capacity as number) >= 1 && (capacity as number) <= 4096)
  ) {
    list.report(
      `${at}.capacity`,
      "invalid_field",
      `must be an integer from 1 to 4096, got ${show(capacity)}`,
    );
  }
  if (policy !== undefined && policy !== "fifo" && policy !== "latest") {
    list.report(
      `${at}.policy`,
      "invalid_field",
      `must be 'fifo' or 'latest', got ${show(policy)}`,
      {
        available: ["fifo", "latest"],
      },
    );
  }
  if (typeof entry.port !== "string") {
    list.report(`${at}.port`, "missing_field", `expected "node.port", got ${show(entry.port)}`);
    return undefined;
  }
  return entry.port;
}

/** Checks that `port` names a port of that direction of a valid node; returns its node. */
function checkEnd(
  port: string,
  direction: "input" | "output",
  at: string,
  graph: Graph,
  declared: ReadonlySet<string>,
  list: IssueList,
): string | undefined {
  const { node, port: name } = splitPortEnd(port);
  if (node === "" || name === "") {
    list.report(at, "malformed", `expected "node.port", got ${show(port)}`);
    return undefined;
  }
  if (!declared.has(node)) {
    list.unknown(at, "node_not_found", `unknown node '${excerpt(node)}'`, node, declared, "nodes");
    return undefined;
  }
  if (!graph.hasNode(node)) return undefined; // the node's own issue is reported
  const { descriptor } = graph.node(node);
  const ports = direction === "input" ? descriptor.inputs : descriptor.outputs;
  const other = direction === "input" ? descriptor.outputs : descriptor.inputs;
  if (ports.some((p) => p.name === name)) return node;
  if (other.some((p) => p.name === name)) {
    const actual = direction === "input" ? "an output" : "an input";
    list.report(at, "wrong_port_direction", `'${port}' is ${actual}, expected an ${direction}`, {
      node,
    });
    return undefined;
  }
  list.unknown(
    at,
    "port_not_found",
    `node '${node}' (${descriptor.name}) has no ${direction} '${excerpt(name)}'`,
    name,
    ports.map((p) => p.name),
    `available ${direction}s`,
    node,
  );
  return undefined;
}

/**
 * The port and connection options of an entry `checkAppPorts()` accepted.
 *
 * @param entry The entry.
 * @returns The port and its options.
 */
export function appPortOf(entry: ManifestAppPort): { port: string; options: AppPortOptions } {
  if (typeof entry === "string") return { port: entry, options: {} };
  return { port: entry.port, options: { capacity: entry.capacity, policy: entry.policy } };
}
