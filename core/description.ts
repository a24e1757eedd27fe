/**
 * `rt.describe()`: the whole graph as JSON, for manifests, the dashboard and agents.
 *
 * @module
 */

import type { ConnectionStats } from "./transport/connection.ts";
import type { ErrorPolicy } from "./lifecycle/error_policy.ts";
import type { NodeFailure } from "./isolates/host.ts";
import type { JsonValue } from "./schema/json_schema.ts";
import type { Placement } from "./graph/placement.ts";
import type { SchedulingMode } from "./schema/descriptor.ts";
import type { DeliveryPolicy } from "./transport/ring.ts";
import type { NodeState, NodeStats, RuntimeState } from "./lifecycle/stats.ts";

/**
 * A connection as `connect()` returns it.
 */
export interface ConnectionInfo {
  /** The connection's id (`conn_1`), for `disconnect()`. */
  id: string;
  /** `node.port` of the output. */
  from: string;
  /** `node.port` of the input. */
  to: string;
  /** Frames the buffer holds. */
  capacity: number;
  /** What a write into a full buffer does. */
  policy: DeliveryPolicy;
}

/**
 * A connection in {@linkcode GraphDescription}.
 */
export interface ConnectionDescription extends ConnectionInfo {
  /** The output's port type. */
  fromType: string;
  /** The input's port type. */
  toType: string;
  /** Whether the two ends are in different isolates. */
  crossIsolate: boolean;
  /** The counters. */
  stats: ConnectionStats;
}

/**
 * An input of a node in {@linkcode GraphDescription}.
 *
 * @example What feeds an input
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type InputDescription } from "./description.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * const input: InputDescription = rt.describe().nodes[1].inputs[0];
 * assert.deepEqual(input, { name: "in", portType: "Frame", connection: "conn_1" });
 * ```
 */
export interface InputDescription {
  /** The port's name. */
  name: string;
  /** The port type string. */
  portType: string;
  /** The id of the connection feeding it, or `null`. */
  connection: string | null;
}

/**
 * An output of a node in {@linkcode GraphDescription}.
 *
 * @example Where an output goes
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type OutputDescription } from "./description.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("TestToneGenerator", {}, { id: "tone" });
 * rt.add("NullSink", {}, { id: "sink" });
 * rt.connectByName("tone", "audio", "sink", "in");
 * const output: OutputDescription = rt.describe().nodes[0].outputs[0];
 * assert.deepEqual(output, { name: "audio", portType: "AudioFrame<2>", connections: [ "conn_1" ] });
 * ```
 */
export interface OutputDescription {
  /** The port's name. */
  name: string;
  /** The port type string. */
  portType: string;
  /** The ids of the connections leaving it. */
  connections: string[];
}

/**
 * A node in {@linkcode GraphDescription}.
 *
 * @example One line per node
 * ```ts
 * import assert from "node:assert/strict";
 * import { Runtime } from "@streamlib/streamlib";
 * import { type NodeDescription } from "./description.ts";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const rt = new Runtime({ registry: builtinRegistry });
 * rt.add("TestToneGenerator", { frequency: 220 }, { id: "tone" });
 * const line = (n: NodeDescription) => `${n.id} ${n.type} ${n.mode} ${n.state} on ${n.isolate}`;
 * assert.deepEqual(rt.describe().nodes.map(line), [ "tone TestToneGenerator loop stopped on main" ]);
 * ```
 */
export interface NodeDescription {
  /** The node's id. */
  id: string;
  /** The processor name. */
  type: string;
  /** The scheduling mode. */
  mode: SchedulingMode;
  /** The lifecycle state. */
  state: NodeState;
  /** Where it runs. */
  placement: Placement;
  /** The isolate name (`main`, `worker:<name>`). */
  isolate: string;
  /** The error policy. */
  onError: ErrorPolicy;
  /** The restart limit per run. */
  maxRestarts: number;
  /** The config, defaults filled in. */
  config: JsonValue;
  /** The inputs. */
  inputs: InputDescription[];
  /** The outputs. */
  outputs: OutputDescription[];
  /** Why the node failed, or `null`. */
  failure: NodeFailure | null;
  /** The counters. */
  stats: NodeStats;
}

/**
 * The whole graph as plain JSON: `rt.describe()`.
 */
export interface GraphDescription {
  /** The runtime's state. */
  state: RuntimeState;
  /** The nodes, in the order they were added. */
  nodes: NodeDescription[];
  /** The connections, in the order they were made. */
  connections: ConnectionDescription[];
  /** Node ids by isolate name. */
  isolates: Record<string, string[]>;
}
