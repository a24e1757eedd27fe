/**
 * The `streamlib` command line: `run`, `validate`, `nodes list`, `nodes info`, `dashboard`,
 * `mcp`, `serve`, `codegen` and `new`, each with `--help`.
 *
 * Run it from a checkout with `deno task streamlib <command>`, or from JSR with
 * `deno run -A jsr:@streamlib/streamlib/cli <command>` (install it as a command with
 * `deno install -g -A -n streamlib jsr:@streamlib/streamlib/cli`).
 *
 * Exit codes, for every command: 0 success; 1 the command ran and found a problem (an invalid
 * manifest, a processor that failed, an unknown processor type, stale generated files); 2 usage
 * error (an unknown command or flag, a missing argument, a missing or unreadable file).
 *
 * @example Check a manifest from a script
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@streamlib/streamlib/cli";
 *
 * const lines: string[] = [];
 * const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
 * const code = await main(["validate", "tests/fixtures/manifests/tone_sink.json", "--json"], output);
 * assert.equal(code, 0);
 * assert.ok(JSON.parse(lines[0]).valid);
 * ```
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };
import { nearMatches } from "../core/errors/near_matches.ts";
import { type CliOutput, CONSOLE, flushConsoleLog } from "./cli_output.ts";
import { stdoutClosed } from "./wait_for_stop.ts";
import type { CliCommand, CommandOptions } from "./command.ts";
import { usageErrorText } from "./_error_line.ts";

export type { CliOutput, CommandOptions };

/** A subcommand: its one-line summary and how to load it (lazily, so each loads only its own). */
interface Entry {
  readonly summary: string;
  readonly load: () => Promise<{ command: CliCommand }>;
}

const COMMANDS: Record<string, Entry> = {
  run: {
    summary: "run <manifest>         run a pipeline with a live status line until Ctrl-C",
    load: () => import("./commands/run.ts"),
  },
  validate: {
    summary: "validate <manifest>    check a manifest and list every issue",
    load: () => import("./commands/validate.ts"),
  },
  nodes: {
    summary: "nodes list|info <type> the processor types, or one type's ports and config",
    load: () => import("./commands/nodes.ts"),
  },
  dashboard: {
    summary: "dashboard [manifest]   serve the dashboard and MCP over HTTP for a pipeline",
    load: () => import("./commands/dashboard.ts"),
  },
  mcp: {
    summary: "mcp [manifest]         serve MCP for an AI agent on stdio (or --http)",
    load: () => import("./commands/mcp.ts"),
  },
  serve: {
    summary: "serve <folder>         serve a folder's pipelines as WebSocket sessions",
    load: () => import("./_serve_in_worker.ts"),
  },
  codegen: {
    summary: "codegen [folder...]    generate typed ports and registries for processors",
    load: () => import("./commands/codegen.ts"),
  },
  new: {
    summary: "new <kind> NAME        a new project, processor or plugin from a template",
    load: () => import("./commands/new.ts"),
  },
};

/**
 * The top-level usage text.
 *
 * @returns The text.
 *
 * @example The commands it lists
 * ```ts
 * import assert from "node:assert/strict";
 * import { usage } from "@streamlib/streamlib/cli";
 *
 * assert.ok(usage().includes("mcp [manifest]"));
 * ```
 */
export function usage(): string {
  return `streamlib ${denoJson.version}: real-time media pipelines for Deno

Usage: streamlib <command> [options]    (streamlib <command> --help for its options)

Commands:
${Object.values(COMMANDS).map((c) => `  ${c.summary}`).join("\n")}

Options:
  -h, --help       this text
  -V, --version    the version

Exit codes: 0 success; 1 the command found a problem (invalid manifest, failed processor,
unknown processor type, stale generated files); 2 usage error (unknown command or flag,
missing argument, missing or unreadable file).

Docs: docs/cli.md, docs/getting_started.md, docs/mcp.md`;
}

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write. Default: stdout and stderr, with a live status line on a
 * terminal.
 * @param options An abort signal that stops long-running commands (for tests).
 * @returns The exit code: 0, 1 or 2.
 *
 * @example Exit codes
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "@streamlib/streamlib/cli";
 *
 * const quiet = { out: () => {}, err: () => {} };
 * assert.equal(await main(["nodes", "info", "Gain"], quiet), 0);
 * assert.equal(await main(["nodes", "info", "Gian"], quiet), 1); // unknown type
 * assert.equal(await main(["nodes", "--bogus"], quiet), 2); // usage error
 * ```
 */
export async function main(
  args: readonly string[],
  output: CliOutput = CONSOLE,
  options: CommandOptions = {},
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    output.err(
      usageErrorText(
        "missing_command",
        `Missing command; commands: ${Object.keys(COMMANDS).join(", ")}`,
        usage(),
      ),
    );
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    if (name === "help" && rest[0] !== undefined && rest[0] in COMMANDS) {
      return main([rest[0], "--help"], output, options);
    }
    output.out(usage());
    return 0;
  }
  if (name === "--version" || name === "-V") {
    output.out(`streamlib ${denoJson.version}`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const option = name.startsWith("-");
    const near = nearMatches(name, option ? ["--help", "--version"] : Object.keys(COMMANDS));
    const what = option ? `Unknown option '${name}'` : `Unknown command '${name}'`;
    const hint = near.length > 0 ? `did you mean ${near.join(" or ")}? ` : "";
    output.err(
      usageErrorText(
        option ? "unknown_flag" : "unknown_command",
        `${what}: ${hint}${option ? "options: --help, --version; " : ""}commands: ${
          Object.keys(COMMANDS).join(", ")
        }`,
        usage(),
      ),
    );
    return 2;
  }
  const { command } = await entry.load();
  try {
    return await command.run(rest, output, options);
  } finally {
    if (output === CONSOLE) await flushConsoleLog();
  }
}

if (import.meta.main) {
  // The scoped child of `run`, `dashboard` or `mcp` (cli/scoped_child.ts).
  if (
    Deno.permissions.querySync({ name: "env" }).state === "granted" &&
    Deno.env.get("STREAMLIB_SCOPED") === "1"
  ) {
    (await import("./scoped_child.ts")).holdSignalsInChild();
  }
  const code = await main(Deno.args, CONSOLE, { scopePermissions: true });
  // What it printed did not all reach stdout (`nodes list > /dev/full`, `| head -1`): not a
  // success, whichever command (a long-running one has stopped as on SIGTERM and said so).
  await flushConsoleLog(); // what the top-level paths (--help, --version) queued
  Deno.exit(code === 0 && stdoutClosed() ? 1 : code);
}
