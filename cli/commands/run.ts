/**
 * `streamlib run <manifest>`: `cli/run.ts` with the project's processors.
 *
 * @module
 */

import { loadProjectRegistry } from "../../codegen/nodes_command.ts";
import type { CliCommand } from "../command.ts";
import { main } from "../run.ts";

/** `streamlib run`. */
export const command: CliCommand = {
  run: async (args, output, { signal, scopePermissions }) =>
    main(args, output, {
      signal,
      scopePermissions,
      program: "streamlib run",
      registry: await loadProjectRegistry("."),
    }),
};
