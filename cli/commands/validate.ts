/**
 * `streamlib validate <manifest>`: `cli/validate.ts` with the project's processors.
 *
 * @module
 */

import { loadProjectRegistry } from "../../codegen/nodes_command.ts";
import type { CliCommand } from "../command.ts";
import { main } from "../validate.ts";

/** `streamlib validate`. */
export const command: CliCommand = {
  run: async (args, output) =>
    main(args, output, { program: "streamlib validate", registry: await loadProjectRegistry(".") }),
};
