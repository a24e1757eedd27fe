/**
 * The connection checks of `validateManifest()`.
 *
 * @module
 */

import { PortTypeMismatchError } from "../graph/connect.ts";
import type { Graph } from "../graph/graph.ts";
import { CycleError, DestinationOccupiedError } from "../graph/errors.ts";
import { isObject, type IssueList, show } from "./issue.ts";
import { excerpt } from "./limits.ts";
import { operationIssues } from "../operations/check.ts";
import { CONNECT_SCHEMA } from "../operations/schemas.ts";
import type { DeliveryPolicy } from "../transport/ring.ts";
import { splitPortEnd } from "../ports/port_end.ts";

/**
 * Checks each connection of a manifest and adds the valid ones to `graph`: the shape of `from`
 * and `to`, their nodes, ports and directions (each end on its own), capacity and policy, then
 * types, occupancy and cycles against the connections before it.
 *
 * @param connections The manifest's connections.
 * @param graph The manifest's valid nodes (connections are added to it).
 * @param declared Every node id the manifest declares, valid or not.
 * @param list Where issues go.
 */
export function checkConnections(
  connections: readonly unknown[],
  graph: Graph,
  declared: ReadonlySet<string>,
  list: IssueList,
): void {
  const indexOf = new Map<string, number>();
  connections.forEach((c, j) => {
    const at = `connections[${j}]`;
    if (!isObject(c)) {
      return list.report(at, "malformed", `expected an object with from and to, got ${show(c)}`);
    }
    // Its own fields by the schema the control API's POST /connections and MCP's connect use.
    const issues = operationIssues(CONNECT_SCHEMA, c);
    for (const issue of issues) list.operation(at, issue);
    const bad = new Set(issues.map((issue) => issue.field));
    const from = bad.has("from") ? undefined : endpoint(c.from, "from", at, graph, declared, list);
    const to = bad.has("to") ? undefined : endpoint(c.to, "to", at, graph, declared, list);
    if (!from || !to) return;
    // A bad option is reported; the connection still counts, with its default there.
    const options = {
      ...(bad.has("capacity") ? {} : { capacity: c.capacity }),
      ...(bad.has("policy") ? {} : { policy: c.policy }),
    } as { capacity?: number; policy?: DeliveryPolicy };
    try {
      indexOf.set(graph.connect(from.node, from.port, to.node, to.port, options).id, j);
    } catch (error) {
      if (error instanceof PortTypeMismatchError) {
        // At `to`, the field the control API and MCP name for it.
        list.report(
          `${at}.to`,
          "port_type_mismatch",
          `'${error.from}' (${error.outputType}) does not fit '${error.to}' (${error.inputType})`,
        );
      } else if (error instanceof DestinationOccupiedError) {
        list.report(
          `${at}.to`,
          "input_occupied",
          `input '${error.to}' already has a connection from '${error.existingFrom}' (connections[${
            indexOf.get(error.existing)
          }]), an input takes one`,
          { node: to.node },
        );
      } else if (error instanceof CycleError) {
        list.report(`${at}.to`, "cycle", `closes a cycle: ${error.path.join(" -> ")}`);
      } else {
        throw error;
      }
    }
  });
}

/** Checks one end; returns it when it names an existing port of the right direction. */
function endpoint(
  value: unknown,
  side: "from" | "to",
  at: string,
  graph: Graph,
  declared: ReadonlySet<string>,
  list: IssueList,
): { node: string; port: string } | undefined {
  const path = `${at}.${side}`;
  const { node, port } = splitPortEnd(value as string); // its form is checked by the schema
  if (!declared.has(node)) {
    list.unknown(
      path,
      "node_not_found",
      `unknown node '${excerpt(node)}'`,
      node,
      declared,
      "nodes",
    );
    return undefined;
  }
  if (!graph.hasNode(node)) return undefined; // the node's own issue is reported
  const { descriptor } = graph.node(node);
  const [wanted, other] = side === "from"
    ? ["output", descriptor.inputs] as const
    : ["input", descriptor.outputs] as const;
  const ports = side === "from" ? descriptor.outputs : descriptor.inputs;
  if (ports.some((p) => p.name === port)) return { node, port };
  if (other.some((p) => p.name === port)) {
    const actual = wanted === "output" ? "an input" : "an output";
    list.report(
      path,
      "wrong_port_direction",
      `'${node}.${port}' is ${actual}, expected an ${wanted}`,
      {
        node,
      },
    );
    return undefined;
  }
  list.unknown(
    path,
    "port_not_found",
    `node '${node}' (${descriptor.name}) has no ${wanted} '${excerpt(port)}'`,
    port,
    ports.map((p) => p.name),
    `available ${wanted}s`,
    node,
  );
  return undefined;
}
