/**
 * `set_config`: changes a processor's config the way the dashboard does.
 *
 * The runtime has no call that changes a node's config, so the node is replaced: removed and
 * added again with the same id, options and connections (`changeConfig` of the dashboard). While
 * the graph runs only live-tunable fields may change (the recording lock); paused or stopped,
 * any field may.
 *
 * @module
 */

import type { JsonValue } from "../../mod.ts";
import { changeConfig } from "../../web/config_change.ts";
import { liveFields } from "../../web/live_fields.ts";
import type { McpTool } from "../tool.ts";
import { node, nodeSummary } from "./graph_edit.ts";

/** `set_config`: merges fields into a processor's config. */
export const setConfigTool: McpTool = {
  name: "set_config",
  title: "Change a processor's config",
  description:
    "Merges 'config' into a processor's config (fields not given keep their value) and applies " +
    "it: the processor is replaced by a new one with the same id, options and connections, set " +
    "up at once when the graph runs (its counters restart from zero). While the graph runs, " +
    "only its live fields may change (describe_processor lists them: a tone's frequency, a " +
    "gain); other fields need pause or stop first, and the error says which. Returns the fields " +
    "that changed and the processor's new config. Nothing changes when the merged config is " +
    "invalid.",
  inputSchema: {
    type: "object",
    properties: {
      id: { type: "string", description: "The processor's id" },
      config: { type: "object", description: 'The fields to change, e.g. { "frequency": 880 }' },
    },
    required: ["id", "config"],
    additionalProperties: false,
  },
  run: async ({ id, config }, { runtime }) => {
    const before = node(runtime, id as string);
    const live = runtime.registry.has(before.type)
      ? liveFields(runtime.registry.describe(before.type))
      : [];
    const change = changeConfig(
      runtime,
      id as string,
      config as Record<string, JsonValue>,
      live,
    );
    await runtime.settled();
    return {
      changed: change.changed,
      replaced: change.changed.length > 0,
      liveFields: live,
      processor: nodeSummary(node(runtime, id as string)),
    };
  },
};
