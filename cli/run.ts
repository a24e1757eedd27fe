/**
 * `deno task run pipeline.json [--seconds N] [--json]` (also `streamlib run`): runs a manifest
 * until Ctrl-C (SIGINT), SIGTERM or SIGHUP, or for N seconds, with a live status line, then stops cleanly so sinks
 * finalize their files.
 *
 * On a terminal the status is one line rewritten in place; piped, it is one line per second;
 * with `--json`, stdout carries one JSON object per line (`started`, `stats` each second,
 * `node-error`, `stopped`; `invalid` with every issue when the manifest is invalid).
 *
 * Exit codes: 0 ran and stopped cleanly, 1 invalid manifest or a node failed, 2 usage error or
 * missing or unreadable file.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { applyParameters, describeParameters } from "../core/manifest/parameters.ts";
import type { JsonValue } from "../core/schema/json_schema.ts";
import {
  loadManifest,
  type NodeRegistry,
  type RuntimeEvent,
  type RuntimeStats,
  validateManifest,
} from "../mod.ts";
import { deafenedBy, silencedBy } from "../core/graph/silent_sources.ts";
import { createRuntime, packageRegistry } from "../processors/mod.ts";
import { reserveProtocolStdout } from "./protocol_stdout.ts";
import { nodeErrorLine, nodeLogLine } from "./node_log_line.ts";
import { type CliOutput, CONSOLE, flushConsoleLog } from "./cli_output.ts";
import { readManifestFile } from "./_manifest_file.ts";
import { manifestPluginPaths } from "./project_plugins.ts";
import {
  declaredPlugins,
  LOAD_PLUGINS_FLAG,
  LOAD_PLUGINS_USAGE,
  loadPluginsOf,
  pluginErrorCode,
  pluginsNeedFlagMessage,
} from "./manifest_plugins.ts";
import { issueLines, issuesForJson } from "./manifest_report.ts";
import {
  argsErrorText,
  joinNegativeValues,
  manifestArgumentError,
  MAX_SECONDS,
  secondsFlag,
} from "./parse_command.ts";
import { codeOf, errorLine, UsageError } from "./_error_line.ts";
import { explainUnknownProcessors } from "./_project_hint.ts";
import { PermissionScopeError } from "./_permission_error.ts";
import {
  PERMISSION_FLAGS,
  PERMISSION_USAGE,
  programsAllowed,
  programsRefused,
} from "./permission_scope.ts";
import { scopedRun } from "./scoped_child.ts";
import { RUNTIME_FLAGS, RUNTIME_USAGE, runtimeOptionsFromFlags } from "./runtime_flags.ts";
import { statusLine } from "./status_line.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";
import { onStdoutClosed, stdoutClosed, stopSignalNoted } from "./wait_for_stop.ts";

/**
 * The usage text of `run`.
 *
 * @param program How the command is invoked (`deno task run`, `streamlib run`).
 * @returns The text.
 */
export function runUsage(program = "deno task run"): string {
  return `Usage: ${program} <pipeline.json> [--seconds N] [--json] [--load-plugins]
       [--param NAME=VALUE]... [--media-dir D]... [--allow-run C]... [--allow-all] [--memory-budget M] [--max-frame M]
  Runs a pipeline manifest until Ctrl-C (or for N seconds) with a live status line, then stops
  cleanly: sources stop, queued frames are processed, sinks finalize their files.
Options:
  --seconds N     stop after N seconds (above 0, at most ${MAX_SECONDS}: 24 days, 20 hours)
  --param NAME=VALUE
                  set one of the manifest's parameters (repeatable): VALUE as written for a
                  text field, else as JSON (2, true, [1,2]); a name the manifest does not
                  declare, or a value its field refuses, exits 1
  --json          one JSON object per line on stdout: started, stats (each second), node-error,
                  node-log, stopped; or invalid with the issues (at most 50, and their count);
                  what processors print goes to stderr meanwhile
${LOAD_PLUGINS_USAGE}.
                  A manifest that names plugins does not run without it
${RUNTIME_USAGE}
  --media-dir D        a folder the pipeline may write files in (repeatable; default: the working
                       directory and the manifest's folder); Deno refuses writes elsewhere
${PERMISSION_USAGE}
  -h, --help      this text
Exit codes: 0 stopped cleanly, 1 invalid manifest or a node failed, 2 usage error (also: plugins
named but --load-plugins not given) or missing or unreadable file.`;
}

/** Options of {@linkcode main} for tests and the `streamlib` command. */
export interface RunOptions {
  /** Stops the run when aborted (besides SIGINT and `--seconds`). */
  readonly signal?: AbortSignal;
  /**
   * The processors the manifest may use, joined with the package's (built-in ones and
   * `SubprocessProcessor`). Default: the package's.
   */
  readonly registry?: NodeRegistry;
  /** How the command is invoked, for the usage text. Default `deno task run`. */
  readonly program?: string;
  /** Run again in a child process with scoped Deno permissions (the `streamlib` program). */
  readonly scopePermissions?: boolean;
  /**
   * How long to wait, when told to stop while nodes are still in `setup()`, before giving up.
   * Default {@linkcode START_GRACE_MS}.
   */
  readonly startGraceMs?: number;
  /** The project's plugin folders, which the scoped child may read. Default none. */
  readonly pluginFolders?: readonly string[];
}

interface RunArgs {
  readonly path: string;
  readonly seconds?: number;
  readonly json: boolean;
  readonly loadPlugins: boolean;
  readonly runtime: ReturnType<typeof runtimeOptionsFromFlags>;
  readonly mediaDirs?: string[];
  readonly params: ReadonlyMap<string, string>;
  readonly allowRun: string[];
  readonly allowAll: boolean;
}

/** The flags of `run` (`--help` is added by {@linkcode parse}); unknown ones are named from here. */
const RUN_FLAGS = {
  seconds: { type: "string" },
  json: { type: "boolean", default: false },
  ...LOAD_PLUGINS_FLAG,
  ...RUNTIME_FLAGS,
  ...PERMISSION_FLAGS,
  "media-dir": { type: "string", multiple: true },
  param: { type: "string", multiple: true },
} as const;

function parse(args: readonly string[]): RunArgs | "help" {
  const options = { ...RUN_FLAGS, help: { type: "boolean", short: "h", default: false } } as const;
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(args, options),
    allowPositionals: true,
    options,
  });
  if (values.help) return "help";
  if (positionals.length !== 1) throw manifestArgumentError(positionals);
  for (const dir of values["media-dir"] ?? []) {
    let folder = false;
    try {
      folder = Deno.statSync(dir).isDirectory;
    } catch {
      // Missing or unreadable: refused below.
    }
    if (!folder) {
      throw new UsageError(
        "invalid_flag",
        `--media-dir must name an existing folder, got '${dir}'`,
      );
    }
  }
  const params = new Map<string, string>();
  for (const param of values.param ?? []) {
    const eq = param.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        "invalid_flag",
        `--param takes NAME=VALUE (a parameter the manifest declares, e.g. --param gain=0.5), got '${
          param.slice(0, 80)
        }'`,
      );
    }
    const name = param.slice(0, eq);
    if (params.has(name)) {
      throw new UsageError("invalid_flag", `--param ${name.slice(0, 80)} is given twice`);
    }
    params.set(name, param.slice(eq + 1));
  }
  return {
    path: positionals[0],
    params,
    seconds: secondsFlag(values.seconds),
    json: values.json,
    loadPlugins: values["load-plugins"],
    runtime: runtimeOptionsFromFlags(values),
    mediaDirs: values["media-dir"],
    allowRun: programsAllowed(values["allow-run"]),
    allowAll: values["allow-all"],
  };
}

/**
 * Runs the command line.
 *
 * @param args The arguments (without the program name).
 * @param output Where to write.
 * @param options An abort signal, extra processors, the program name.
 * @returns The exit code.
 */
export async function main(
  args: readonly string[],
  output: CliOutput = CONSOLE,
  options: RunOptions = {},
): Promise<number> {
  const usage = runUsage(options.program);
  let parsed: RunArgs | "help";
  try {
    parsed = parse(args);
  } catch (error) {
    output.err(
      argsErrorText(error, Object.keys(RUN_FLAGS), usage),
    );
    return 2;
  }
  if (parsed === "help") {
    output.out(usage);
    return 0;
  }
  const { path, seconds, json, loadPlugins, runtime } = parsed;
  const scoped = await scopedRun("run", args, {
    mediaDirs: parsed.mediaDirs,
    manifest: path,
    allowRun: parsed.allowRun,
    loadPlugins,
    pluginPaths: [
      ...(options.pluginFolders ?? []),
      ...(loadPlugins && options.scopePermissions ? await manifestPluginPaths(path) : []),
    ],
  }, { scopePermissions: options.scopePermissions, allowAll: parsed.allowAll });
  if (scoped !== undefined) return scoped;
  // stdout carries the JSON lines: what any isolate prints goes to stderr meanwhile.
  using _stdout = json ? reserveProtocolStdout() : undefined;
  const emit = (event: Record<string, unknown>) => output.out(JSON.stringify(event));
  const file = await readManifestFile(path);
  if (!file.ok) {
    if (json) {
      emit({
        event: "error",
        path,
        message: file.message,
        code: file.error.code,
        exitCode: file.code,
      });
    }
    output.err(errorLine(file.error.code, file.message));
    return file.code;
  }
  const plugins = declaredPlugins(file.manifest);
  if (plugins.length > 0 && !loadPlugins) {
    const message = pluginsNeedFlagMessage(path, plugins, "run");
    if (json) emit({ event: "error", path, message, code: "plugins_not_allowed", exitCode: 2 });
    output.err(errorLine("plugins_not_allowed", message));
    return 2;
  }
  const rt = createRuntime({ registry: packageRegistry.with(options.registry ?? []), ...runtime });
  try {
    await loadPluginsOf(rt, file.manifest, path);
  } catch (error) {
    const code = pluginErrorCode(error);
    if (json) emit({ event: "error", path, message: (error as Error).message, code, exitCode: 1 });
    output.err(errorLine(code ?? "plugin_load_failed", (error as Error).message));
    return 1;
  }
  const issues = explainUnknownProcessors(
    validateManifest(file.manifest, rt.registry),
    Deno.cwd(),
    path,
  );
  if (issues.length > 0) {
    if (json) emit({ event: "invalid", path, ...issuesForJson(issues) });
    for (const line of issueLines(path, issues)) output.err(line);
    return 1;
  }
  // The manifest with the caller's --param values in it: what every check below and the load see
  // (a parameter may set a subprocess node's program).
  let chosen: unknown;
  try {
    chosen = applyParameters(
      file.manifest,
      parameterValues(file.manifest, parsed.params, rt.registry),
      rt.registry,
    );
  } catch (error) {
    const code = codeOf(error, "invalid_parameter");
    if (json) emit({ event: "error", path, message: (error as Error).message, code, exitCode: 1 });
    output.err(errorLine(code, (error as Error).message));
    return 1;
  }
  // A subprocess node whose program is not allowed would fail in setup() while the rest runs:
  // refuse before anything starts, naming the flag that allows it.
  const refused = programsRefused(chosen);
  if (refused.length > 0) {
    for (const { node, command } of refused) {
      const denied = new PermissionScopeError(
        node,
        "setup",
        "run",
        `Requires run access to "${command}", run again with the --allow-run flag`,
      );
      if (json) {
        emit({ event: "error", path, message: denied.message, code: denied.code, exitCode: 1 });
      }
      output.err(errorLine(denied.code, denied.message));
    }
    return 1;
  }
  try {
    loadManifest(rt, chosen);
  } catch (error) {
    const code = codeOf(error, "invalid_manifest");
    if (json) emit({ event: "error", path, message: (error as Error).message, code, exitCode: 1 });
    output.err(errorLine(code, (error as Error).message));
    return 1;
  }
  let failures = 0;
  const failedNodes = new Set<string>();
  const endedNodes = new Set<string>();
  let silenced = false;
  // When every source has ended or failed for good and one failed, nothing will ever come
  // again; when every sink has, nothing made goes anywhere: stop (what is queued is processed,
  // files are finalized) and exit 1 saying why.
  const checkSilenced = () => {
    // Only a failure can silence the graph, so a healthy run never pays for describe().
    if (silenced || failures === 0 || rt.state !== "running") return;
    const nodes = rt.describe().nodes;
    const sources = silencedBy(nodes, endedNodes);
    const sinks = sources ? undefined : deafenedBy(nodes, endedNodes);
    const failed = sources ?? sinks;
    if (!failed) return;
    silenced = true;
    const named =
      failed.slice(0, 10).map((n) =>
        `'${terminalSafe(n.id, 64)}' (${n.type}) failed in ${n.failure?.phase ?? "setup"}()${
          n.failure?.code ? ` [${n.failure.code}]` : ""
        }`
      ).join(", ") + (failed.length > 10 ? ` and ${failed.length - 10} more` : "");
    const what = sources ? "no source can produce any more" : "no sink can take any more";
    const message = `Stopping: ${what} (${named}); fix the failure above and run again`;
    if (json) {
      const ids = failed.map((n) => n.id);
      emit(
        sources
          ? { event: "no-sources", message, sources: ids, exitCode: 1 }
          : { event: "no-sinks", message, sinks: ids, exitCode: 1 },
      );
    }
    output.err(errorLine(sources ? "no_sources" : "no_sinks", message));
    stopped();
  };
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => stopped = resolve);
  rt.on((event: RuntimeEvent) => {
    if (event.type === "node-log") {
      if (json) emit({ event: "node-log", ...event });
      else (output.log ?? output.err)(nodeLogLine(event));
    }
    if (event.type === "node-error") {
      failures++;
      failedNodes.add(event.node);
      // Deno's permissions refused it: say which and how to grant it, with a code.
      const denied = PermissionScopeError.fromNodeError(event);
      if (json) emit({ event: "node-error", ...event, ...(denied && { code: denied.code }) });
      (output.log ?? output.err)(nodeErrorLine(event));
    }
    if (event.type === "node-eos") endedNodes.add(event.node);
    // A failed source may have been the last one that could produce: check once it settled.
    if (event.type === "node-error") setTimeout(checkSilenced, 0);
    if (event.type === "runtime-state" && event.to === "stopping") stopped();
    // Every source played to its end and every node drained: stop, sinks finalize, exit 0.
    if (event.type === "end-of-stream") {
      if (json) emit({ event: "end-of-stream", elapsedSeconds: round(elapsed()) });
      stopped();
    }
  });
  const onSignal = () => stopped();
  // SIGTERM and SIGHUP stop as Ctrl-C does: sinks finalize their files.
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  options.signal?.addEventListener("abort", onSignal);
  if (options.signal?.aborted || stopSignalNoted()) stopped();
  // `run --json | head -1`: the reader of the JSON lines went away; stop as on SIGTERM, exit 1.
  const offStdout = onStdoutClosed(() => stopped());
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1e3;
  const report = (stats: RuntimeStats) => {
    if (json) emit({ event: "stats", elapsedSeconds: round(elapsed()), stats });
    else if (output.status) output.status(statusLine(stats, elapsed(), failedNodes));
    else output.out(statusLine(stats, elapsed(), failedNodes));
  };
  const live = !json && output.status !== undefined;
  const ticker = setInterval(() => {
    report(rt.stats());
    checkSilenced();
  }, live ? 250 : 1000);
  const timer = seconds === undefined ? undefined : setTimeout(stopped, seconds * 1e3);
  try {
    const grace = options.startGraceMs ?? START_GRACE_MS;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const starting = rt.start().then(() => "started" as const, (error: Error) => error);
    // A stop asked for while nodes are still in setup() (a device that never answers, a slow
    // open) is honoured too: wait a bounded time for setup to return, then give up loudly.
    let first: "started" | "late" | Error | void = await Promise.race([starting, done]);
    if (first === undefined) {
      first = await Promise.race([
        starting,
        new Promise<"late">((resolve) => {
          graceTimer = setTimeout(resolve, grace, "late");
        }),
      ]);
      clearTimeout(graceTimer);
      if (first === "late") {
        const pending = Object.entries(rt.stats().nodes)
          .filter(([, n]) => n.state === "starting").map(([id]) => terminalSafe(id, 64));
        const listed = pending.slice(0, 10).map((id) => `'${id}'`).join(", ") +
          (pending.length > 10 ? ` and ${pending.length - 10} more` : "");
        const message = `Cannot stop cleanly: the graph is still starting ${
          grace / 1000
        } s after the stop was asked for (a setup() has not returned; not yet running: ${
          listed || "none"
        }); exiting without finalizing`;
        if (json) emit({ event: "error", path, message, code: "setup_timeout", exitCode: 1 });
        output.err(errorLine("setup_timeout", message));
        return 1;
      }
    }
    if (first instanceof Error) {
      const message = `Cannot start: ${first.message}`;
      const code = codeOf(first, "start_failed");
      if (json) emit({ event: "error", path, message, code, exitCode: 1 });
      output.err(errorLine(code, message));
      return 1;
    }
    const graph = rt.describe();
    if (json) {
      emit({
        event: "started",
        path,
        nodes: graph.nodes.length,
        connections: graph.connections.length,
        seconds: seconds ?? null,
      });
    } else {
      output.out(
        `running ${
          terminalSafe(path)
        }: ${graph.nodes.length} nodes, ${graph.connections.length} connections` +
          (seconds === undefined ? " (Ctrl-C to stop)" : ` for ${seconds} s`),
      );
    }
    checkSilenced(); // a source may have failed in setup(), before the events above were heard
    await done;
    if (rt.state === "running" || rt.state === "paused") await rt.stop();
    while (rt.state !== "stopped") await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    options.signal?.removeEventListener("abort", onSignal);
    offStdout();
  }
  const code = failures > 0 || silenced || stdoutClosed() ? 1 : 0;
  const stats = rt.stats();
  if (json) {
    emit({ event: "stopped", elapsedSeconds: round(elapsed()), stats, failures, exitCode: code });
  } else output.out(`stopped: ${statusLine(stats, elapsed(), failedNodes)}`);
  return code;
}

/**
 * How long `run` waits, once told to stop while nodes are still in `setup()`, for them to
 * return before it gives up and exits 1 (a FIFO or device that never answers, a hung connect).
 */
export const START_GRACE_MS = 5000;

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  await flushConsoleLog();
  Deno.exit(code);
}

/**
 * The `--param` values as the manifest's parameters take them: as written for a field whose
 * schema takes only text, else parsed as JSON (falling back to the text, which the field's
 * check then refuses with its expected type).
 */
function parameterValues(
  manifest: unknown,
  params: ReadonlyMap<string, string>,
  registry: NodeRegistry,
): Record<string, JsonValue> | undefined {
  if (params.size === 0) return undefined;
  const described = describeParameters(manifest, registry);
  const values: Record<string, JsonValue> = {};
  for (const [name, text] of params) {
    const schema = Object.hasOwn(described, name) ? described[name].schema : undefined;
    const types = schema?.type === undefined ? [] : [schema.type].flat();
    const textOnly = (types.length > 0 && types.every((t) => t === "string")) ||
      (schema?.enum !== undefined && schema.enum.every((v) => typeof v === "string"));
    if (textOnly) {
      values[name] = text;
      continue;
    }
    try {
      values[name] = JSON.parse(text);
    } catch {
      values[name] = text;
    }
  }
  return values;
}
