/**
 * `set_config`: changes a processor's config through `rt.setConfig()`.
 *
 * Live fields (`@live` in the processor, `liveFields` of describe_processor) change in place,
 * even while the graph runs: same processor, same connections, same counters. Other fields are
 * refused while it runs (the recording lock); while paused the processor alone is set up again
 * with them, and while stopped they apply at the next start.
 *
 * @module
 */

import { liveFields } from "../../core/lifecycle/live_config.ts";
import type { McpTool } from "../tool.ts";
import { SET_CONFIG_SCHEMA, withNodeId } from "../../core/operations/schemas.ts";
import { node, nodeSummary } from "./graph_edit.ts";

/** `set_config`: merges fields into a processor's config. */
export const setConfigTool: McpTool = {
  name: "set_config",
  title: "Change a processor's config",
  description:
    "Merges 'config' into a processor's config (fields not given keep their value) and applies " +
    "it to the same processor, keeping its connections, counters and queued data. Its live " +
    "fields (describe_processor lists them: a tone's frequency, a gain) change in place at any " +
    "time, even while the graph runs. Other fields are refused while it runs (the error names " +
    "them and the live ones): pause first, and the processor alone is set up again with them; " +
    "while stopped they apply at the next start. Returns the fields that changed, how the " +
    "change was applied ('live', 'setup', 'stored' or 'none') and the processor. Nothing " +
    "changes when the merged config is invalid.",
  inputSchema: withNodeId(SET_CONFIG_SCHEMA),
  // It replaces config values; the same call twice leaves what one call leaves.
  annotations: { destructiveHint: true, idempotentHint: true },
  run: async ({ id, config }, { runtime, control }) => {
    const type = runtime.describe().nodes.find((n) => n.id === id)?.type;
    if (type !== undefined) await control.checkNode(type, config);
    const change = runtime.setConfig(id as string, config as Record<string, unknown>);
    await runtime.settled();
    const after = node(runtime, id as string);
    const live = runtime.registry.has(after.type)
      ? liveFields(runtime.registry.describe(after.type))
      : [];
    return {
      changed: [...change.changed],
      applied: change.applied,
      liveFields: live,
      processor: nodeSummary(after),
    };
  },
};
