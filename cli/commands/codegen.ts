/**
 * `streamlib codegen`: `codegen/cli.ts` (typed ports, handles and registries for annotated
 * processors).
 *
 * @module
 */

import { main } from "../../codegen/cli.ts";
import type { CliCommand } from "../command.ts";
import { parseCommand } from "../parse_command.ts";
import { usageErrorText } from "../_error_line.ts";

const USAGE = `Usage: streamlib codegen [folder...] [--check] [--watch] [--root DIR] [--no-cache]
  Generates *.gen.ts beside each annotated processor and registry.gen.ts per folder, for the
  folders listed in deno.json ("streamlib": { "codegen": [...] }) or given as arguments.
Options:
  --check       write nothing; exit 1 naming every generated file that is out of date
  --watch       regenerate whenever a source changes (until Ctrl-C)
  --root DIR    the project root (default: the working directory)
  --no-cache    parse every file again
  -h, --help    this text
Exit codes: 0 done (or up to date), 1 diagnostics or stale files, 2 usage error.`;

/** `streamlib codegen`. */
export const command: CliCommand = {
  run: (args, output) => {
    const parsed = parseCommand(
      args,
      {
        check: { type: "boolean" },
        watch: { type: "boolean" },
        root: { type: "string" },
        "no-cache": { type: "boolean" },
      },
      USAGE,
      output,
    );
    if ("exit" in parsed) return Promise.resolve(parsed.exit);
    if (parsed.positionals[0] === "nodes") {
      output.err(
        usageErrorText(
          "unknown_command",
          `Use 'streamlib nodes ${parsed.positionals.slice(1).join(" ")}': codegen has no nodes`,
          USAGE,
        ),
      );
      return Promise.resolve(2);
    }
    return main(args, output);
  },
};
