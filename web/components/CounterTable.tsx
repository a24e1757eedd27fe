/**
 * A processor's own counters (`Processor.reportStats()`) as a two-column table.
 *
 * @module
 */

import type { JsonValue } from "../../core/schema/json_schema.ts";
import { counterRows } from "../shared/counters.ts";

/** Props of {@linkcode CounterTable}. */
export interface CounterTableProps {
  /** The node id (the table's `data-counters`). */
  node: string;
  /** The `processor` object of the node's stats. */
  counters: { [key: string]: JsonValue };
}

/**
 * The counters, one row each (nested ones by path, e.g. `peers[0].rttMs`).
 *
 * @param props The node and its counters.
 * @returns The table.
 */
export function CounterTable({ node, counters }: CounterTableProps) {
  return (
    <table class="counters" data-counters={node}>
      <tbody>
        {counterRows(counters).map((row) => (
          <tr key={row.name} data-counter={row.name}>
            <td>
              <code>{row.name}</code>
            </td>
            <td class="num">{row.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
