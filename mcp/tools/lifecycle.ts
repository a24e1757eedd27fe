/**
 * `start`, `pause`, `resume` and `stop`: the runtime's lifecycle.
 *
 * @module
 */

import type { Runtime } from "../../mod.ts";
import { actionsFrom, type LifecycleAction } from "../../core/lifecycle/state.ts";
import { LIFECYCLE_SCHEMA } from "../../core/operations/schemas.ts";
import type { McpTool } from "../tool.ts";
import { endGraphStream } from "../../frontend/end_of_stream.ts";

function lifecycleTool(
  name: LifecycleAction,
  title: string,
  description: string,
  call: (rt: Runtime) => Promise<void>,
): McpTool {
  return {
    name,
    title,
    description,
    inputSchema: LIFECYCLE_SCHEMA,
    annotations: { idempotentHint: false },
    run: async (_args, { runtime }) => {
      const from = runtime.state;
      await call(runtime);
      await runtime.settled();
      const failed = runtime.describe().nodes.filter((n) => n.state === "error");
      return {
        from,
        state: runtime.state,
        actions: actionsFrom(runtime.state),
        failed: failed.map((n) => ({ id: n.id, message: n.failure?.message ?? "" })),
      };
    },
  };
}

/** `start`: sets every processor up and starts the graph. */
export const startTool: McpTool = lifecycleTool(
  "start",
  "Start the graph",
  "Starts a stopped graph: sets every processor up (sources first), then runs it: sources " +
    "produce on their clocks and frames flow. Returns the new state and any processor that " +
    "failed to set up (a file that cannot be opened, ...). Fails when the graph is not stopped.",
  (rt) => rt.start(),
);

/** `pause`: stops scheduling until `resume`. */
export const pauseTool: McpTool = lifecycleTool(
  "pause",
  "Pause the graph",
  "Pauses a running graph: no processor runs until resume; frames stay queued. While paused, " +
    "set_config may change any field. Fails when the graph is not running.",
  (rt) => rt.pause(),
);

/** `resume`: resumes a paused graph. */
export const resumeTool: McpTool = lifecycleTool(
  "resume",
  "Resume the graph",
  "Resumes a paused graph; sources restart their clocks from now. Fails when it is not paused.",
  (rt) => rt.resume(),
);

/** `stop`: stops, drains and tears down. */
export const stopTool: McpTool = lifecycleTool(
  "stop",
  "Stop the graph",
  "Stops a running or paused graph cleanly: sources stop, frames already queued are processed, " +
    "then every processor is torn down so file sinks finalize their files. The graph stays as " +
    "it is and can be started again. Fails when the graph is already stopped.",
  (rt) => rt.stop(),
);

/** `end_of_stream`: ends every source so the graph drains and ends, as a file's would. */
export const endOfStreamTool: McpTool = {
  name: "end_of_stream",
  title: "End the stream",
  description:
    "Ends the graph's stream, as gst-launch -e does: every source ends as if its file had ended, " +
    "what is queued is still processed, and each processor sees the end in turn (a file writer " +
    "gets a complete file). Waits up to 5 s for every processor to end and returns 'ended'; the " +
    "graph keeps its state (running) until stop, which tears it down. Fails when the graph is " +
    "not running or paused.",
  inputSchema: LIFECYCLE_SCHEMA,
  annotations: { idempotentHint: true },
  run: async (_args, { runtime }) => {
    const result = await endGraphStream(runtime);
    return { ...result };
  },
};
