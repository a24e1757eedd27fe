/**
 * `streamlib validate <manifest>`: `cli/validate.ts` with the project's processors.
 *
 * @module
 */

import { projectProcessorsFor } from "../project_plugins.ts";
import type { CliCommand } from "../command.ts";
import { main, pluginProcessorNames } from "../validate.ts";

/** `streamlib validate`. */
export const command: CliCommand = {
  run: async (args, output) => {
    // Validate runs no plugin code: the project's plugins are discovered (metadata only).
    const project = await projectProcessorsFor(".", output, false);
    if (typeof project === "number") return project;
    return main(args, output, {
      program: "streamlib validate",
      registry: project.registry,
      pluginProcessors: pluginProcessorNames(project.plugins),
    });
  },
};
