/**
 * `streamlib nodes list` and `streamlib nodes info <type>`: the processor registry (built-in and
 * the project's own) on the command line.
 *
 * @module
 */

import { ProcessorNotFoundError } from "../../mod.ts";
import { reserveProtocolStdout } from "../protocol_stdout.ts";
import { formatNodeInfo, formatNodeList } from "../../codegen/nodes_command.ts";
import { originLabel } from "../../core/registry/processor_origin.ts";
import { projectProcessorsFor } from "../project_plugins.ts";
import type { CliCommand } from "../command.ts";
import { parseCommand } from "../parse_command.ts";
import { terminalSafeLines } from "../../core/processor/terminal_text.ts";
import { errorLine, type UsageErrorCode, usageErrorText } from "../_error_line.ts";

const USAGE = `Usage: streamlib nodes list [--json] [--root DIR]
       streamlib nodes info <type> [--json] [--root DIR]
  list   one line per processor type: name, tags, description, inputs, outputs, origin
         (built-in, project, or the plugin it came from)
  info   one type: ports with frame types, config fields with types and defaults, JSON Schema,
         origin
Options:
  --json        print JSON (the registry's summaries, or the type's descriptor)
  --root DIR    the project whose own processors and plugins join the built-in ones
                (deno.json "streamlib": { "codegen": [...], "pluginFolders": [...] }); its
                plugins are loaded (their code runs); default: the working directory
  -h, --help    this text
Exit codes: 0 done, 1 unknown processor type (with near matches) or a plugin that cannot be
loaded, 2 usage error.`;

/** `streamlib nodes`. */
export const command: CliCommand = {
  run: async (args, output) => {
    const parsed = parseCommand(
      args,
      { json: { type: "boolean", default: false }, root: { type: "string", default: "." } },
      USAGE,
      output,
    );
    if ("exit" in parsed) return parsed.exit;
    const { values, positionals } = parsed;
    // With --json, stdout carries JSON: a project module that prints on import goes to stderr.
    using _stdout = values.json ? reserveProtocolStdout() : undefined;
    const [sub, name, ...extra] = positionals;
    const wanted = sub === "info" ? 2 : 1;
    if ((sub !== "list" && sub !== "info") || positionals.length !== wanted || extra.length > 0) {
      const [code, problem]: [UsageErrorCode, string] = sub === undefined
        ? ["missing_argument", "Missing subcommand: list or info"]
        : sub !== "list" && sub !== "info"
        ? ["unknown_command", `Unknown nodes subcommand '${sub}': expected list or info`]
        : sub === "info" && name === undefined
        ? ["missing_argument", "Missing processor type: streamlib nodes info <type>"]
        : ["unexpected_argument", `Unexpected argument '${positionals[wanted]}'`];
      output.err(usageErrorText(code, problem, USAGE));
      return 2;
    }
    const project = await projectProcessorsFor(values.root as string, output);
    if (typeof project === "number") return project;
    const { registry, origins } = project;
    const originOf = (n: string) => origins.get(n) ?? { kind: "builtin" as const };
    if (sub === "list") {
      const list = registry.list();
      output.out(
        values.json
          ? JSON.stringify(
            list.map((p) => ({
              ...p,
              origin: originOf(p.name),
              originLabel: originLabel(originOf(p.name)),
            })),
            null,
            2,
          )
          : terminalSafeLines(formatNodeList(list, origins)),
      );
      return 0;
    }
    try {
      const descriptor = registry.describe(name);
      output.out(
        values.json
          ? JSON.stringify({ ...descriptor, origin: originOf(name) }, null, 2)
          : terminalSafeLines(formatNodeInfo(descriptor, originOf(name))),
      );
      return 0;
    } catch (error) {
      if (!(error instanceof ProcessorNotFoundError)) throw error;
      if (values.json) {
        output.out(JSON.stringify({
          error: error.message,
          code: error.code,
          type: error.processor,
          nearMatches: error.nearMatches,
          available: error.available,
        }));
      }
      output.err(errorLine(error.code, error.message));
      return 1;
    }
  },
};
