/**
 * `streamlib run <manifest>`: `cli/run.ts` with the project's processors.
 *
 * @module
 */

import { projectPluginFolders } from "../../plugins/discovery/roots.ts";
import { projectProcessorsFor } from "../project_plugins.ts";
import type { CliCommand } from "../command.ts";
import { main } from "../run.ts";

/** `streamlib run`. */
export const command: CliCommand = {
  run: async (args, output, { signal, scopePermissions }) => {
    const project = await projectProcessorsFor(".", output);
    if (typeof project === "number") return project;
    return main(args, output, {
      signal,
      scopePermissions,
      program: "streamlib run",
      registry: project.registry,
      pluginFolders: projectPluginFolders("."),
    });
  },
};
