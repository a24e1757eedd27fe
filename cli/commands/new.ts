/**
 * `streamlib new <kind> NAME [--dir D]`: a new project, processor or plugin from a template
 * (`cli/_templates.ts`).
 *
 * @module
 */

import { relative } from "node:path";
import type { CliCommand } from "../command.ts";
import { parseCommand } from "../parse_command.ts";
import { createFromTemplate, listTemplates, TemplateError } from "../_templates.ts";
import { terminalSafe } from "../../core/processor/terminal_text.ts";
import { errorLine, type UsageErrorCode, usageErrorText } from "../_error_line.ts";

async function usage(): Promise<string> {
  const templates = await listTemplates().catch(() => []);
  const width = Math.max(0, ...templates.map((t) => t.kind.length));
  return `Usage: streamlib new <kind> NAME [--dir D]
  Writes a working, tested skeleton from a template, with NAME in it (MyFilter, room-tone),
  into D (default: a new folder named after NAME). Nothing is overwritten: when a file it would
  write exists, it writes nothing and exits 1.
Kinds:
${templates.map((t) => `  ${t.kind.padEnd(width)}  ${t.description}`).join("\n")}
Options:
  --dir D       the folder to write into (created when missing)
  -h, --help    this text
Exit codes: 0 written, 1 a file exists already, 2 usage error (unknown kind, invalid name).`;
}

/** `streamlib new`. */
export const command: CliCommand = {
  run: async (args, output) => {
    const text = await usage();
    const parsed = parseCommand(args, { dir: { type: "string" } }, text, output);
    if ("exit" in parsed) return parsed.exit;
    const [kind, name, ...extra] = parsed.positionals;
    if (kind === undefined || name === undefined || extra.length > 0) {
      const [code, problem]: [UsageErrorCode, string] = kind === undefined
        ? ["missing_argument", "Missing template kind: streamlib new <kind> NAME"]
        : name === undefined
        ? ["missing_argument", `Missing NAME: streamlib new ${kind} NAME`]
        : ["unexpected_argument", `Unexpected argument '${extra[0]}'`];
      output.err(usageErrorText(code, problem, text));
      return 2;
    }
    try {
      const made = await createFromTemplate(kind, name, { dir: parsed.values.dir as string });
      const where = relative(Deno.cwd(), made.folder) || ".";
      output.out(`Wrote ${made.template.kind} '${name}' in ${terminalSafe(where)}:`);
      for (const file of made.files) output.out(`  ${terminalSafe(file)}`);
      for (const file of made.generated) output.out(`  ${terminalSafe(file)} (generated)`);
      output.out(`Next: cd ${terminalSafe(where)} && ${made.template.test.join(" ")}`);
      return 0;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      output.err(errorLine(error.code, error.message));
      return error.code === "template_target_exists" ? 1 : 2;
    }
  },
};
