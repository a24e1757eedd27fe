/**
 * `list_processors` and `describe_processor`: what can be added.
 *
 * @module
 */

import { validateConfig } from "../../mod.ts";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { liveFields } from "../../core/lifecycle/live_config.ts";
import type { ProcessorDescriptor } from "../../core/schema/descriptor.ts";
import type { McpTool, ToolOutput } from "../tool.ts";

/** `list_processors`: every processor type, optionally filtered by tag. */
export const listProcessorsTool: McpTool = {
  name: "list_processors",
  title: "List processor types",
  description:
    "Lists every processor type this server can add to the graph, sorted by name: its type name " +
    "(what add_processor takes), a one-line summary, tags, scheduling mode (loop = a source on a " +
    "clock, push = runs when input arrives, pull = woken by its own callback) and its input and " +
    "output ports with their frame types (AudioFrame<2>, VideoFrame, ...). An output connects to " +
    "an input of the same frame type. Pass 'tag' (audio, video, source, sink, ...) to filter.",
  inputSchema: {
    type: "object",
    properties: {
      tag: { type: "string", description: "Only processors with this tag (exact, lower case)" },
    },
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  run: ({ tag }, { runtime }) => {
    const all = runtime.registry.list();
    const list = typeof tag === "string" ? all.filter((p) => p.tags.includes(tag)) : all;
    const tags = [...new Set(all.flatMap((p) => p.tags))].sort();
    return {
      processors: list.map((p) => ({
        type: p.name,
        summary: p.summary,
        tags: [...p.tags],
        mode: p.mode,
        inputs: p.inputs.map((i) => ({ ...i })),
        outputs: p.outputs.map((o) => ({ ...o })),
      })),
      tags,
    };
  },
};

/** `describe_processor`: one type's ports, config schema, defaults and live fields. */
export const describeProcessorTool: McpTool = {
  name: "describe_processor",
  title: "Describe a processor type",
  description:
    "Describes one processor type: its description, tags and mode; every input (name, frame " +
    "type, whether required) and output; its config as a JSON Schema with ranges and defaults; " +
    "the full default config; and 'liveFields', the config fields set_config may change while " +
    "the graph runs (others need the graph paused or stopped). Fails with near matches when the " +
    "type is unknown.",
  inputSchema: {
    type: "object",
    properties: {
      type: { type: "string", description: "The processor type name, e.g. AudioMixer" },
    },
    required: ["type"],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  run: ({ type }, { runtime }) => describeType(runtime.registry.describe(type as string)),
};

/**
 * A processor type as tools and resources show it.
 *
 * @param d The descriptor.
 * @returns Its JSON.
 */
export function describeType(d: ProcessorDescriptor): ToolOutput {
  let defaults: JsonValue = null;
  try {
    defaults = validateConfig(d.config, {}, d.name);
  } catch {
    // Some fields are required and have no default: there is no full default config.
  }
  const port = (p: ProcessorDescriptor["inputs"][number]) => ({
    name: p.name,
    portType: p.portType,
    ...(p.direction === "input" ? { required: p.required } : {}),
    description: p.description,
  });
  return {
    type: d.name,
    description: d.description,
    tags: [...d.tags],
    mode: d.mode,
    inputs: d.inputs.map(port),
    outputs: d.outputs.map(port),
    config: d.config as JsonValue,
    defaults,
    liveFields: liveFields(d),
  };
}
